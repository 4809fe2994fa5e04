"""Where rows run: a local process pool, or a Dask cluster; both take the same row function.

Each executor submits ``execute_row(task_dict)`` and tells the runner which futures have
finished, so the runner can keep exactly ``capacity`` rows in flight and mark only those
rows "running". The job dispatcher uses the same executors with its own task function
(``function``) and worker initialiser (``initializer``).
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Collection
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any, Literal, Protocol

from aiwriter_kernel.batch.notebook_runner import execute_row, start_worker
from aiwriter_kernel.errors import ValidationError

ExecutorKind = Literal["local", "dask"]
TaskFunction = Callable[[dict[str, Any]], dict[str, Any]]
WorkerInitializer = Callable[[dict[str, str], str | None], None]


class RowExecutor(Protocol):
    capacity: int

    def submit(self, task: dict[str, Any]) -> Any: ...

    def wait_any(self, futures: Collection[Any], timeout: float | None = None) -> set[Any]: ...

    def close(self) -> None: ...

    def terminate(self) -> None: ...


class LocalExecutor:
    """A process pool; each worker starts its kernel once, in the pool's initialiser."""

    def __init__(
        self,
        workers: int,
        env: dict[str, str],
        cwd: str,
        *,
        function: TaskFunction = execute_row,
        initializer: WorkerInitializer = start_worker,
    ) -> None:
        self.capacity = workers
        self._function = function
        # "spawn": a forked copy of the runner (database engine, threads) is unsafe to reuse.
        self._pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=initializer,
            initargs=(env, cwd),
        )

    def submit(self, task: dict[str, Any]) -> Future[dict[str, Any]]:
        return self._pool.submit(self._function, task)

    def wait_any(self, futures: Collection[Any], timeout: float | None = None) -> set[Any]:
        return set(wait(futures, timeout=timeout, return_when=FIRST_COMPLETED).done)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def terminate(self) -> None:
        """Stop now, killing work in progress (a server shutting down leaves it to be
        retried). ``ProcessPoolExecutor`` has no public way to kill its workers."""
        processes = list((getattr(self._pool, "_processes", None) or {}).values())
        for process in processes:
            process.terminate()
        self._pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.join(timeout=5)


class DaskExecutor:
    """A ``distributed.Client`` on ``scheduler``; its workers must see the same home."""

    def __init__(self, scheduler: str, *, function: TaskFunction = execute_row) -> None:
        from distributed import Client

        self._client = Client(scheduler)
        self._function = function
        self.capacity = max(1, sum(self._client.nthreads().values()))

    def submit(self, task: dict[str, Any]) -> Any:
        # pure=False: two rows with equal tasks must both run, not share one result.
        return self._client.submit(self._function, task, pure=False)

    def wait_any(self, futures: Collection[Any], timeout: float | None = None) -> set[Any]:
        from distributed import wait as dask_wait

        try:
            done = dask_wait(list(futures), timeout=timeout, return_when="FIRST_COMPLETED").done
        except TimeoutError:
            return set()
        return set(done)

    def close(self) -> None:
        self._client.close()

    def terminate(self) -> None:
        """Stop waiting; tasks already on the cluster find their job taken and stop."""
        self._client.close()


def make_executor(
    kind: str,
    *,
    workers: int,
    scheduler: str | None,
    env: dict[str, str],
    cwd: str,
    function: TaskFunction = execute_row,
    initializer: WorkerInitializer = start_worker,
) -> RowExecutor:
    """The executor named by ``kind`` ("local" or "dask"), running ``function`` (by default
    a batch row; Dask workers have no initialiser, so ``function`` must start lazily)."""
    check_options(kind, workers=workers, scheduler=scheduler)
    if kind == "dask":
        assert scheduler is not None
        return DaskExecutor(scheduler, function=function)
    return LocalExecutor(workers, env, cwd, function=function, initializer=initializer)


def check_options(kind: str, *, workers: int, scheduler: str | None) -> None:
    """Reject impossible options before a run is registered, not after."""
    if workers < 1:
        raise ValidationError("workers must be at least 1")
    if kind not in ("local", "dask"):
        raise ValidationError(f"unknown executor {kind!r}: use local or dask")
    if kind == "dask" and not scheduler:
        raise ValidationError("the dask executor needs a scheduler address (tcp://host:port)")
