"""What may be queued, and what the dispatcher does when a job cannot start or is merely
slow: a batch only from an upload, never twice at once; a live job is never taken back;
owners take turns, so one user's queue does not hold back another's job."""

from __future__ import annotations

from collections.abc import Collection
from concurrent.futures import Future
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from aiwriter_kernel import Workbench
from aiwriter_kernel.errors import ValidationError
from aiwriter_kernel.jobs.dispatcher import JobDispatcher
from aiwriter_kernel.store import Database
from aiwriter_kernel.store.tables import utcnow

TOPICS = b"topic\nreadable headlines\n"


@pytest.fixture
def alice(tmp_path: Path, database_url: str):
    with Workbench.open(home=tmp_path / "home", database_url=database_url) as workbench:
        workbench.db.accounts.create_user("alice")
        yield workbench.for_user(workbench.user_id("alice"))


def test_a_batch_job_names_no_path_of_the_callers(alice: Workbench) -> None:
    with pytest.raises(ValidationError, match="started from an upload"):
        alice.submit_job("batch", {"csv_path": "/etc/passwd"})
    assert alice.jobs() == []


def test_the_same_upload_is_not_run_twice_at_once(alice: Workbench) -> None:
    first = alice.submit_batch(TOPICS, "topics.csv")
    with pytest.raises(ValidationError, match=f"already being run \\(job {first.id}\\)"):
        alice.submit_batch(TOPICS, "topics.csv")  # the same file: the same run
    other = alice.submit_batch(b"topic\nplain language\n", "topics.csv")  # other bytes: fine
    alice.cancel_job(first.id)
    again = alice.submit_batch(TOPICS, "topics.csv")  # the first has ended: resumes the run
    assert len({first.id, other.id, again.id}) == 3


def test_a_late_heartbeat_of_a_job_still_in_flight_does_not_requeue_it(
    database: Database,
) -> None:
    job = database.jobs.create("article", {"topic": "t"}, None)
    assert database.jobs.claim(job.id, "token") is not None
    later = utcnow() + timedelta(minutes=1)  # its heartbeat is "old" by then
    assert database.jobs.requeue_stale(later, max_attempts=3, keep=[job.id]) == []
    assert database.jobs.get(job.id).status == "running"
    [requeued] = database.jobs.requeue_stale(later, max_attempts=3)
    assert requeued.id == job.id and requeued.status == "queued"


def test_a_job_whose_executor_cannot_start_goes_back_to_the_queue(database: Database) -> None:
    def no_executor():
        raise RuntimeError("the Dask scheduler is unreachable")

    job = database.jobs.create("article", {"topic": "t"}, None)
    dispatcher = JobDispatcher(database, {}, no_executor)
    with pytest.raises(RuntimeError, match="unreachable"):
        dispatcher.run_once()
    back = database.jobs.get(job.id)
    assert (back.status, back.attempts, back.worker) == ("queued", 0, None)


class HeldExecutor:
    """Keeps each submitted task's future pending until the test finishes it."""

    capacity = 1

    def __init__(self) -> None:
        self.tasks: list[dict[str, Any]] = []
        self.futures: list[Future[dict[str, Any]]] = []

    def submit(self, task: dict[str, Any]) -> Future[dict[str, Any]]:
        self.tasks.append(task)
        self.futures.append(Future())
        return self.futures[-1]

    def wait_any(self, futures: Collection[Any], timeout: float | None = None) -> set[Any]:
        return {future for future in futures if future.done()}

    def close(self) -> None:
        pass

    def terminate(self) -> None:
        pass


def test_one_worker_runs_another_users_job_next_despite_a_long_queue(database: Database) -> None:
    ada = database.accounts.create_user("ada")
    bob = database.accounts.create_user("bob")
    adas = [database.jobs.create("article", {"topic": str(n)}, ada.id).id for n in range(10)]
    bobs = database.jobs.create("article", {"topic": "mine"}, bob.id).id
    executor = HeldExecutor()
    dispatcher = JobDispatcher(database, {}, lambda: executor, capacity=1)

    for _ in range(3):
        dispatcher.run_once()  # claims the next job into the free slot
        task, future = executor.tasks[-1], executor.futures[-1]
        assert database.jobs.finish(task["job_id"], task["worker"], "succeeded", result={})
        future.set_result({})
        dispatcher.run_once()  # collects it: the slot is free again
    assert [task["job_id"] for task in executor.tasks] == [adas[0], bobs, adas[1]]
