"""Execute one row's notebook: papermill's parameters, a kernel kept for the whole worker.

Starting a kernel and loading the embedding model costs seconds, so each worker process
keeps one Jupyter kernel and runs every row's parameterised notebook on it with nbclient.
Between rows the kernel's namespace is reset (imported modules, and so the loaded model
and the workbench ``kernel_cache.row_workbench`` keeps, stay); a row that kills the kernel
or times out gets a fresh kernel for the next row.
``run_with_papermill`` is the plain one-kernel-per-row path, kept for comparison.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from multiprocessing.util import Finalize
from pathlib import Path
from typing import Any

import nbformat
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, DeadKernelError
from papermill.iorw import load_notebook_node
from papermill.parameterize import parameterize_notebook

from aiwriter_kernel.batch.models import RowOutcome, RowTask
from aiwriter_kernel.errors import named_one_line

KERNEL_NAME = "python3"
MAX_ERROR_LENGTH = 300
RESET_SOURCE = (
    "# Added by the batch runner: this kernel may have run another row before.\n"
    "from aiwriter_kernel.batch.kernel_cache import reset_namespace\n"
    "\n"
    "reset_namespace(get_ipython())"
)


def notebook_parameters(task: RowTask) -> dict[str, Any]:
    """The values injected after the template's ``parameters`` cell."""
    return {
        **task.params,
        "topic": task.topic,
        "home": task.home,
        "batch_run": task.run_name,
        "batch_row_key": task.row_key,
        "draft_id": task.draft_id,
        "owner_id": task.owner_id,
        "markdown_path": task.markdown_path,
        "analysis_path": task.analysis_path,
        "result_path": task.result_path,
    }


def one_line_error(name: str, value: str) -> str:
    """``Name: first line of the message``, short enough for a table cell."""
    return named_one_line(name, str(value), limit=MAX_ERROR_LENGTH)


class LocalKernelManager(AsyncKernelManager):
    """A kernel on this machine, reached over local (IPC) sockets instead of TCP ports.

    Our kernels never leave the machine: IPC keeps other users' processes off their ports,
    and the kernel has no reason to warn, on every start, that it "is running over TCP
    without encryption" (a warning that landed on the batch's stderr and in notebooks).
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**{"transport": "ipc", "ip": _socket_prefix(), **kwargs})


def _socket_prefix() -> str:
    """Where this kernel's sockets go: an absolute path in Jupyter's runtime folder, since
    the default (``kernel-ipc`` in the current folder) differs between us and a kernel
    started in another folder (a row runs in its home)."""
    import uuid

    from jupyter_core.paths import jupyter_runtime_dir

    folder = Path(jupyter_runtime_dir())
    folder.mkdir(parents=True, exist_ok=True)
    return str(folder / f"aiwriter-{uuid.uuid4().hex[:12]}-ipc")


class NotebookWorker:
    """One kernel for the life of a worker; rows run on it one at a time."""

    def __init__(self) -> None:
        self._km: AsyncKernelManager | None = None
        self._env: dict[str, str] | None = None
        self._lock = threading.Lock()

    def start(self, env: dict[str, str], cwd: str | None = None) -> None:
        """Start the kernel now (a worker's initialiser), with ``env`` added to ours."""
        with self._lock:
            self._ensure_kernel(env, cwd)

    def run(self, task: RowTask) -> RowOutcome:
        """Execute the row's notebook and save it, with its outputs, at ``notebook_path``."""
        started = time.perf_counter()
        with self._lock:
            self._ensure_kernel(task.env, task.home)
            notebook = _prepared_notebook(task)
            error = self._execute(notebook, task)
        Path(task.notebook_path).parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, task.notebook_path)
        return _outcome(task, error, time.perf_counter() - started)

    def close(self) -> None:
        with self._lock:
            self._stop_kernel()

    def _execute(self, notebook: nbformat.NotebookNode, task: RowTask) -> str | None:
        assert self._km is not None
        client = NotebookClient(
            notebook,
            km=self._km,
            timeout=task.cell_timeout,
            kernel_name=KERNEL_NAME,
            resources={"metadata": {"path": str(Path(task.notebook_path).parent)}},
        )
        try:
            client.execute()
        except CellExecutionError as failure:
            return one_line_error(failure.ename, failure.evalue)
        except DeadKernelError:
            self._stop_kernel()
            return "DeadKernelError: the kernel died while running the notebook"
        except Exception as failure:  # a cell timeout or a lost kernel: start afresh
            self._stop_kernel()
            return one_line_error(type(failure).__name__, str(failure))
        finally:
            if client.kc is not None:
                client.kc.stop_channels()
        if not run_sync(self._km.is_alive)():
            self._stop_kernel()
        return None

    def _ensure_kernel(self, env: dict[str, str], cwd: str | None) -> None:
        if self._km is not None and (self._env != env or not run_sync(self._km.is_alive)()):
            self._stop_kernel()
        if self._km is None:
            manager = LocalKernelManager(kernel_name=KERNEL_NAME)
            run_sync(manager.start_kernel)(env={**os.environ, **env}, cwd=cwd)
            self._km, self._env = manager, dict(env)

    def _stop_kernel(self) -> None:
        manager, self._km, self._env = self._km, None, None
        if manager is None:
            return
        with suppress(Exception):  # already gone: nothing left to stop
            run_sync(manager.shutdown_kernel)(now=True)


def run_with_papermill(task: RowTask) -> RowOutcome:
    """The same row through ``papermill.execute_notebook``: a new kernel for this row only."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    started = time.perf_counter()
    error = None
    with _environment(task.env):
        try:
            papermill.execute_notebook(
                task.template,
                task.notebook_path,
                parameters=notebook_parameters(task),
                kernel_name=KERNEL_NAME,
                progress_bar=False,
                kernel_manager_class=LocalKernelManager,
                cwd=task.home,
                execution_timeout=task.cell_timeout,
            )
        except PapermillExecutionError as failure:
            error = one_line_error(failure.ename, failure.evalue)
    return _outcome(task, error, time.perf_counter() - started)


# -- the row function: module state so each worker process keeps its own kernel --------------

_WORKER: NotebookWorker | None = None
_WORKER_LOCK = threading.Lock()


def start_worker(env: dict[str, str], cwd: str | None = None) -> None:
    """Process-pool initialiser: start this worker's kernel before the first row arrives."""
    _worker().start(env, cwd)


def execute_row(task: dict[str, Any]) -> dict[str, Any]:
    """The picklable row function: a ``RowTask`` as a dict in, a ``RowOutcome`` dict out."""
    outcome = _worker().run(RowTask.model_validate(task))
    return outcome.model_dump(mode="json")


def _worker() -> NotebookWorker:
    global _WORKER
    with _WORKER_LOCK:
        if _WORKER is None:
            _WORKER = NotebookWorker()
            # Runs when the worker process exits, so its kernel never outlives it.
            Finalize(_WORKER, _WORKER.close, exitpriority=10)
        return _WORKER


def _prepared_notebook(task: RowTask) -> nbformat.NotebookNode:
    template = load_notebook_node(task.template)  # adds the metadata papermill expects
    notebook = parameterize_notebook(template, notebook_parameters(task), kernel_name=KERNEL_NAME)
    reset = nbformat.v4.new_code_cell(RESET_SOURCE)
    reset.metadata["tags"] = ["batch-reset"]
    notebook.cells.insert(0, reset)
    return notebook


def _outcome(task: RowTask, error: str | None, seconds: float) -> RowOutcome:
    draft_id = None
    if error is None:
        result = read_result(Path(task.result_path))
        if result.get("state") == "done" and isinstance(result.get("draft_id"), int):
            draft_id = result["draft_id"]
        else:
            error = "the notebook finished without recording a finished draft in its result file"
    return RowOutcome(
        row_key=task.row_key,
        status="failed" if error else "done",
        error=error,
        draft_id=draft_id,
        notebook_path=task.notebook_path,
        seconds=seconds,
    )


def read_result(path: Path) -> dict[str, Any]:
    """The row's result file, or ``{}`` when there is none (or it is unreadable)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


@contextmanager
def _environment(extra: dict[str, str]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in extra}
    os.environ.update(extra)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
