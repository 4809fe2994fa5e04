"""Where rows run: a local process pool, or a Dask cluster; both take the same row function.

Each executor submits ``execute_row(task_dict)`` and tells the runner which futures have
finished, so the runner can keep exactly ``capacity`` rows in flight and mark only those
rows "running".
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Collection
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any, Literal, Protocol

from aiwriter_kernel.batch.notebook_runner import execute_row, start_worker
from aiwriter_kernel.errors import ValidationError

ExecutorKind = Literal["local", "dask"]


class RowExecutor(Protocol):
    capacity: int

    def submit(self, task: dict[str, Any]) -> Any: ...

    def wait_any(self, futures: Collection[Any]) -> set[Any]: ...

    def close(self) -> None: ...


class LocalExecutor:
    """A process pool; each worker starts its kernel once, in the pool's initialiser."""

    def __init__(self, workers: int, env: dict[str, str], cwd: str) -> None:
        self.capacity = workers
        # "spawn": a forked copy of the runner (database engine, threads) is unsafe to reuse.
        self._pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=start_worker,
            initargs=(env, cwd),
        )

    def submit(self, task: dict[str, Any]) -> Future[dict[str, Any]]:
        return self._pool.submit(execute_row, task)

    def wait_any(self, futures: Collection[Any]) -> set[Any]:
        return set(wait(futures, return_when=FIRST_COMPLETED).done)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


class DaskExecutor:
    """A ``distributed.Client`` on ``scheduler``; its workers must see the same home."""

    def __init__(self, scheduler: str) -> None:
        from distributed import Client

        self._client = Client(scheduler)
        self.capacity = max(1, sum(self._client.nthreads().values()))

    def submit(self, task: dict[str, Any]) -> Any:
        # pure=False: two rows with equal tasks must both run, not share one result.
        return self._client.submit(execute_row, task, pure=False)

    def wait_any(self, futures: Collection[Any]) -> set[Any]:
        from distributed import wait as dask_wait

        return set(dask_wait(list(futures), return_when="FIRST_COMPLETED").done)

    def close(self) -> None:
        self._client.close()


def make_executor(
    kind: str, *, workers: int, scheduler: str | None, env: dict[str, str], cwd: str
) -> RowExecutor:
    """The executor named by ``kind`` ("local" or "dask")."""
    check_options(kind, workers=workers, scheduler=scheduler)
    if kind == "dask":
        assert scheduler is not None
        return DaskExecutor(scheduler)
    return LocalExecutor(workers, env, cwd)


def check_options(kind: str, *, workers: int, scheduler: str | None) -> None:
    """Reject impossible options before a run is registered, not after."""
    if workers < 1:
        raise ValidationError("workers must be at least 1")
    if kind not in ("local", "dask"):
        raise ValidationError(f"unknown executor {kind!r}: use local or dask")
    if kind == "dask" and not scheduler:
        raise ValidationError("the dask executor needs a scheduler address (tcp://host:port)")
