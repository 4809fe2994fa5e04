"""The worker side of a job: open the Workbench once per process, run one job, store the end.

``execute_job`` is what the dispatcher submits to the batch executors (a spawn process pool
or a Dask cluster). It is picklable, takes and returns plain dicts, and records everything
(events, result, error) in the database itself, so the dispatcher needs no answer from it.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from aiwriter_kernel.errors import one_line
from aiwriter_kernel.jobs.kinds import job_kind
from aiwriter_kernel.jobs.reporter import JobAbandoned, JobReporter
from aiwriter_kernel.worker_env import ENV_SETTINGS, OPENAI_KEY_VARIABLES

if TYPE_CHECKING:
    from aiwriter_kernel.workbench import Workbench

MAX_ERROR_LENGTH = 300
PARENT_CHECK_S = 1.0
# env name -> Settings field: what a worker needs to open the same home. Never a key.


class JobTask(BaseModel):
    """One claimed job as a worker receives it."""

    job_id: str
    worker: str  # the claim's token: only its holder may report on or finish the job
    owner_id: int | None
    kind: str
    request: dict[str, Any]
    env: dict[str, str] = Field(default_factory=dict)


def one_line_error(error: BaseException) -> str:
    """The error as it is stored on a failed job: one line, at most ``MAX_ERROR_LENGTH``."""
    return one_line(error, limit=MAX_ERROR_LENGTH)


# -- module state: one Workbench per worker process ---------------------------------------

_WORKBENCH: tuple[tuple[tuple[str, str], ...], Workbench] | None = None
_LOCK = threading.Lock()


def start_job_worker(env: dict[str, str], cwd: str | None = None) -> None:
    """Process-pool initialiser: open the Workbench before the first job, and end this
    process when the server that started it dies (so no job runs on unsupervised)."""
    _workbench(env)
    parent = os.getppid()
    threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True).start()


def execute_job(task: dict[str, Any]) -> dict[str, Any]:
    """Run one claimed job to its end and store that end; returns ``{"job_id", "status"}``."""
    job = JobTask.model_validate(task)
    wb = _workbench(job.env)
    view = wb if job.owner_id is None else wb.for_user(job.owner_id)
    reporter = JobReporter(wb.db, job.job_id, job.worker)
    kind = job_kind(job.kind)
    try:
        result = kind.run(view, kind.request_model.model_validate(job.request), reporter)
    except JobAbandoned:
        return {"job_id": job.job_id, "status": "abandoned"}
    except Exception as error:
        stored = wb.db.jobs.finish(job.job_id, job.worker, "failed", error=one_line_error(error))
        return {"job_id": job.job_id, "status": "failed" if stored else "abandoned"}
    stored = wb.db.jobs.finish(
        job.job_id, job.worker, "succeeded", result=result.model_dump(mode="json")
    )
    return {"job_id": job.job_id, "status": "succeeded" if stored else "abandoned"}


def _workbench(env: dict[str, str]) -> Workbench:
    """This process's Workbench for ``env``, opened on first use (it costs seconds)."""
    global _WORKBENCH
    from aiwriter_kernel.workbench import Workbench

    key = tuple(sorted(env.items()))
    with _LOCK:
        if _WORKBENCH is not None and _WORKBENCH[0] == key:
            return _WORKBENCH[1]
        if _WORKBENCH is not None:
            _WORKBENCH[1].close()
        overrides: dict[str, Any] = {
            field: env[name] for name, field in ENV_SETTINGS.items() if name in env
        }
        if "home" in overrides:
            overrides["home"] = Path(overrides["home"])
        if any(env.get(name) == "" for name in OPENAI_KEY_VARIABLES):
            overrides["openai_api_key"] = None  # blanked by the parent: use no inherited key
        opened = Workbench.open(**overrides)
        _WORKBENCH = (key, opened)
        return opened


def close_workbench() -> None:
    """Close this process's Workbench (a worker's ends with its process; tests call this)."""
    global _WORKBENCH
    with _LOCK:
        if _WORKBENCH is not None:
            _WORKBENCH[1].close()
            _WORKBENCH = None


def _exit_with_parent(parent: int) -> None:
    """Leave as soon as the parent is gone: a killed server's jobs are retried elsewhere."""
    stopped = threading.Event()
    while not stopped.wait(PARENT_CHECK_S):
        if os.getppid() != parent:
            os._exit(1)
