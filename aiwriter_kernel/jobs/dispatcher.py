"""The dispatcher: claims queued jobs and runs them on the batch executors, a few at a time.

One dispatcher runs in each API process (a thread). Claims are atomic in the database, so
several processes share one queue without running a job twice. The dispatcher heartbeats
the jobs it holds; a job whose heartbeat is older than ``stale_after_s`` belonged to a
dispatcher that died (a killed server), and goes back to the queue, or fails after
``max_attempts`` attempts. Stopping on purpose kills the jobs in flight and puts them back
at once, without counting the attempt.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from aiwriter_kernel.jobs.worker import (
    JobTask,
    execute_job,
    one_line_error,
    start_job_worker,
)
from aiwriter_kernel.store.tables import utcnow
from aiwriter_kernel.worker_env import worker_env

if TYPE_CHECKING:
    from aiwriter_kernel.batch.executors import RowExecutor
    from aiwriter_kernel.store import Database
    from aiwriter_kernel.workbench import Workbench

log = logging.getLogger(__name__)

POLL_S = 1.0
HEARTBEAT_S = 2.0
STALE_AFTER_S = 5 * HEARTBEAT_S  # a slow database must not make a live job look dead
MAX_ATTEMPTS = 3
STOPPED_NOTE = "the server stopped; retrying"
NO_EXECUTOR_NOTE = "no worker could be started; retrying"
ExecutorFactory = Callable[[], "RowExecutor"]


class JobDispatcher:
    """Keeps at most ``capacity`` jobs in flight on an executor made by ``new_executor``."""

    def __init__(
        self,
        db: Database,
        env: dict[str, str],
        new_executor: ExecutorFactory,
        *,
        capacity: int = 1,
        poll_s: float = POLL_S,
        heartbeat_s: float = HEARTBEAT_S,
        stale_after_s: float = STALE_AFTER_S,
        max_attempts: int = MAX_ATTEMPTS,
    ) -> None:
        self.db, self.env, self.capacity = db, env, capacity
        self._new_executor = new_executor
        self.poll_s, self.heartbeat_s = poll_s, heartbeat_s
        self.stale_after_s, self.max_attempts = stale_after_s, max_attempts
        self._executor: RowExecutor | None = None
        self._in_flight: dict[Any, tuple[str, str]] = {}  # future -> (job id, token)
        self._last_beat = utcnow()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._submitting = threading.Lock()
        self._thread: threading.Thread | None = None

    @classmethod
    def for_workbench(
        cls,
        wb: Workbench,
        *,
        workers: int = 1,
        executor: str = "local",
        scheduler: str | None = None,
        **options: Any,
    ) -> JobDispatcher:
        """A dispatcher for ``wb``'s home whose workers open the same home and models."""
        env = worker_env(wb.settings)
        home = str(wb.settings.home)

        def new_executor() -> RowExecutor:
            from aiwriter_kernel.batch.executors import make_executor

            return make_executor(
                executor,
                workers=workers,
                scheduler=scheduler,
                env=env,
                cwd=home,
                function=execute_job,
                initializer=start_job_worker,
            )

        return cls(wb.db, env, new_executor, capacity=workers, **options)

    # -- life cycle -----------------------------------------------------------------------

    def start(self) -> None:
        """Start the dispatching thread (interrupted jobs are looked at first)."""
        self._thread = threading.Thread(target=self._run, name="job-dispatcher", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """Look at the queue now (a job was just submitted), not at the next poll."""
        self._wake.set()

    def stop(self) -> None:
        """Stop taking jobs; kill the ones in flight and put them back in the queue."""
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
        with self._submitting:
            if self._executor is not None:
                self._executor.terminate()
                self._executor = None
            for job_id, token in self._in_flight.values():
                self.db.jobs.requeue(job_id, token, note=STOPPED_NOTE, give_back=True)
            self._in_flight.clear()

    # -- one round ----------------------------------------------------------------------------

    def run_once(self, wait_s: float = 0.0) -> None:
        """Requeue stale jobs, claim what fits, wait up to ``wait_s`` for one to finish."""
        self.requeue_stale()
        self._claim_and_submit()
        self._heartbeat()
        if self._in_flight:
            assert self._executor is not None
            for future in self._executor.wait_any(list(self._in_flight), timeout=wait_s):
                self._collect(future)
        elif wait_s:
            self._wake.wait(wait_s)
            self._wake.clear()

    def requeue_stale(self) -> None:
        stale_before = utcnow() - timedelta(seconds=self.stale_after_s)
        own = [job_id for job_id, _ in self._in_flight.values()]
        for job in self.db.jobs.requeue_stale(stale_before, self.max_attempts, keep=own):
            log.warning("job %s was interrupted; it is now %s", job.id, job.status)

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                self.run_once(self.poll_s)
            except Exception:  # a database hiccup must not end dispatching for good
                log.exception("the job dispatcher failed a round; trying again")
                self._stopping.wait(self.poll_s)

    def _claim_and_submit(self) -> None:
        free = self.capacity - len(self._in_flight)
        if free <= 0 or self._stopping.is_set():
            return
        for job_id in self.db.jobs.queued_ids(free):
            token = uuid.uuid4().hex
            job = self.db.jobs.claim(job_id, token)
            if job is None:
                continue  # another dispatcher was first
            task = JobTask(
                job_id=job.id,
                worker=token,
                owner_id=job.owner_id,
                kind=job.kind,
                request=job.request,
                env=self.env,
            )
            with self._submitting:  # stop() must not shut the pool between check and submit
                if self._stopping.is_set():
                    self.db.jobs.requeue(job_id, token, note=STOPPED_NOTE, give_back=True)
                    return
                try:
                    if self._executor is None:
                        self._executor = self._new_executor()
                    future = self._executor.submit(task.model_dump(mode="json"))
                except Exception:  # no executor (Dask unreachable...): give the job back
                    self.db.jobs.requeue(job_id, token, note=NO_EXECUTOR_NOTE, give_back=True)
                    raise
                self._in_flight[future] = (job_id, token)

    def _heartbeat(self) -> None:
        now = utcnow()
        if (now - self._last_beat).total_seconds() < self.heartbeat_s:
            return
        self._last_beat = now
        for job_id, token in list(self._in_flight.values()):
            self.db.jobs.heartbeat(job_id, token)

    def _collect(self, future: Any) -> None:
        """A worker is done: it stored the job's end itself, unless the worker broke."""
        job_id, token = self._in_flight.pop(future)
        try:
            future.result()
            return
        except BrokenProcessPool:
            broken = True
            error = "its worker process died"
        except Exception as failure:
            broken = False
            error = one_line_error(failure)
        job = self.db.jobs.get(job_id)
        if broken and job is not None and job.attempts < self.max_attempts:
            self.db.jobs.requeue(job_id, token, note=f"{error}; retrying")
        else:
            self.db.jobs.finish(job_id, token, "failed", error=error)
        if broken and self._executor is not None:  # a broken pool takes no more work
            self._executor.terminate()
            self._executor = None
            for other, (other_id, other_token) in list(self._in_flight.items()):
                self._in_flight.pop(other)
                self.db.jobs.requeue(other_id, other_token, note=f"{error}; retrying")
