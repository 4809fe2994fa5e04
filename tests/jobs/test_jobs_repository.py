"""The jobs table as a queue: one claimer wins, only the holder reports, stalls are retried."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import text

from aiwriter_kernel.store import Database
from aiwriter_kernel.store.records import JobRecord
from aiwriter_kernel.store.tables import utcnow


def statuses(database: Database, job_id: str) -> list[str]:
    return [e.data["status"] for e in database.jobs.events(job_id) if e.type == "status"]


def test_a_job_goes_from_queued_to_succeeded_with_numbered_events(database: Database) -> None:
    ada = database.accounts.create_user("ada")
    job = database.jobs.create("article", {"topic": "tea"}, ada.id)
    assert (job.status, job.attempts, job.worker) == ("queued", 0, None)

    claimed = database.jobs.claim(job.id, "token-1")
    assert claimed is not None and claimed.status == "running" and claimed.attempts == 1
    assert database.jobs.add_event(job.id, "stage", {"stage": "outline"}, worker="token-1")
    assert database.jobs.finish(job.id, "token-1", "succeeded", result={"draft_id": 7})

    done = database.jobs.get(job.id)
    assert done is not None and done.status == "succeeded" and done.result == {"draft_id": 7}
    assert done.finished_at is not None and done.finished
    events = database.jobs.events(job.id)
    assert [e.seq for e in events] == [1, 2, 3, 4]
    assert statuses(database, job.id) == ["queued", "running", "succeeded"]
    assert [e.seq for e in database.jobs.events(job.id, after=2)] == [3, 4]


def test_only_the_holder_of_the_claim_may_report_or_finish(database: Database) -> None:
    job = database.jobs.create("article", {"topic": "tea"}, None)
    assert database.jobs.claim(job.id, "mine") is not None
    assert database.jobs.claim(job.id, "theirs") is None  # already running
    assert database.jobs.add_event(job.id, "stage", {}, worker="theirs") is None
    assert not database.jobs.heartbeat(job.id, "theirs")
    assert not database.jobs.finish(job.id, "theirs", "failed", error="no")
    assert database.jobs.heartbeat(job.id, "mine")


def test_a_cancelled_running_job_refuses_its_workers_events_and_end(database: Database) -> None:
    job = database.jobs.create("article", {"topic": "tea"}, None)
    database.jobs.claim(job.id, "mine")
    cancelled = database.jobs.cancel(job.id)
    assert cancelled is not None and cancelled.status == "cancelled"
    assert database.jobs.add_event(job.id, "stage", {}, worker="mine") is None
    assert not database.jobs.finish(job.id, "mine", "succeeded", result={})
    assert database.jobs.get(job.id).status == "cancelled"  # type: ignore[union-attr]
    again = database.jobs.cancel(job.id)  # a finished job is left as it is
    assert again is not None and again.finished_at == cancelled.finished_at
    assert database.jobs.cancel("no-such-job") is None


def test_listing_shows_one_owners_jobs_newest_first(database: Database) -> None:
    ada = database.accounts.create_user("ada")
    bob = database.accounts.create_user("bob")
    first = database.jobs.create("article", {"topic": "a"}, ada.id)
    second = database.jobs.create("summary", {"query": "b"}, ada.id)
    database.jobs.create("article", {"topic": "c"}, bob.id)
    database.jobs.create("article", {"topic": "d"}, None)
    assert [j.id for j in database.jobs.list(ada.id)] == [second.id, first.id]
    assert [j.kind for j in database.jobs.list(None)] == ["article"]
    assert [j.id for j in database.jobs.list(ada.id, "queued")] == [second.id, first.id]
    assert database.jobs.list(ada.id, "running") == []


def claim_next(database: Database, token: str) -> JobRecord:
    """What a dispatcher with one free slot does: claim the first of ``queued_ids``."""
    [job_id] = database.jobs.queued_ids(1)
    claimed = database.jobs.claim(job_id, token)
    assert claimed is not None
    return claimed


def test_one_owners_queued_jobs_do_not_hold_back_anothers_job(database: Database) -> None:
    ada = database.accounts.create_user("ada")
    bob = database.accounts.create_user("bob")
    adas = [database.jobs.create("article", {"topic": str(n)}, ada.id).id for n in range(10)]
    bobs = database.jobs.create("article", {"topic": "mine"}, bob.id).id

    # Claimed jobs keep running: Bob, with none running, comes before Ada's second.
    order = [claim_next(database, f"token-{n}").id for n in range(11)]
    assert order[:2] == [adas[0], bobs]
    assert order[2:] == adas[1:]  # each owner's own jobs stay oldest first


def test_with_one_worker_owners_take_turns(database: Database) -> None:
    """Each job finishes before the next claim, so no owner has a job running: the owner
    served longest ago (or never) goes next."""
    ada = database.accounts.create_user("ada")
    bob = database.accounts.create_user("bob")
    adas = [database.jobs.create("article", {"topic": str(n)}, ada.id).id for n in range(4)]
    bobs = [database.jobs.create("article", {"topic": str(n)}, bob.id).id for n in range(2)]
    order = []
    for n in range(6):
        job = claim_next(database, f"token-{n}")
        assert database.jobs.finish(job.id, f"token-{n}", "succeeded", result={})
        order.append(job.id)
    assert order == [adas[0], bobs[0], adas[1], bobs[1], adas[2], adas[3]]


def test_free_slots_are_filled_one_job_per_owner_first(database: Database) -> None:
    ada = database.accounts.create_user("ada")
    bob = database.accounts.create_user("bob")
    adas = [database.jobs.create("article", {"topic": str(n)}, ada.id).id for n in range(3)]
    operator = database.jobs.create("article", {"topic": "op"}, None).id
    bobs = database.jobs.create("article", {"topic": "b"}, bob.id).id
    assert database.jobs.queued_ids(4) == [adas[0], operator, bobs, adas[1]]


def test_stale_running_jobs_are_requeued_then_failed_after_max_attempts(
    database: Database,
) -> None:
    job = database.jobs.create("article", {"topic": "tea"}, None)
    for attempt in (1, 2):
        database.jobs.claim(job.id, f"token-{attempt}")
        assert database.jobs.requeue_stale(utcnow() - timedelta(seconds=60), 2) == []  # fresh
        requeued = database.jobs.requeue_stale(utcnow() + timedelta(seconds=1), 2)
        if attempt == 1:
            assert [(j.id, j.status, j.worker) for j in requeued] == [(job.id, "queued", None)]
            assert not database.jobs.finish(job.id, "token-1", "succeeded", result={})
    final = database.jobs.get(job.id)
    assert final is not None and final.status == "failed" and final.attempts == 2
    assert final.error is not None and "interrupted 2 times" in final.error
    assert statuses(database, job.id) == ["queued", "running", "queued", "running", "failed"]


def test_a_graceful_requeue_gives_the_attempt_back(database: Database) -> None:
    job = database.jobs.create("article", {"topic": "tea"}, None)
    database.jobs.claim(job.id, "token")
    assert database.jobs.requeue(job.id, "token", note="stopping", give_back=True)
    again = database.jobs.get(job.id)
    assert again is not None and (again.status, again.attempts) == ("queued", 0)


def test_deleting_the_owner_deletes_the_jobs_and_events(database: Database) -> None:
    ada = database.accounts.create_user("ada")
    job = database.jobs.create("article", {"topic": "tea"}, ada.id)
    database.jobs.add_event(job.id, "stage", {})
    with database.engine.begin() as connection:  # the store has no user deletion yet
        connection.execute(text("DELETE FROM users WHERE id = :id"), {"id": ada.id})
    assert database.jobs.get(job.id) is None
    assert database.jobs.events(job.id) == []


def test_concurrent_claimers_never_both_win(database: Database) -> None:
    """Eight threads, each with its own connection, race for the same twenty jobs."""
    ids = [database.jobs.create("article", {"topic": str(n)}, None).id for n in range(20)]
    wins: dict[str, list[str]] = {job_id: [] for job_id in ids}
    barrier = threading.Barrier(8)
    lock = threading.Lock()

    def claimer(name: str) -> None:
        other = Database.open(database.engine.url.render_as_string(hide_password=False))
        try:
            barrier.wait()
            for job_id in ids:
                if other.jobs.claim(job_id, name) is not None:
                    with lock:
                        wins[job_id].append(name)
        finally:
            other.close()

    threads = [threading.Thread(target=claimer, args=(f"w{n}",)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(len(winners) == 1 for winners in wins.values()), wins
    for job_id, winners in wins.items():
        job = database.jobs.get(job_id)
        assert job is not None and job.worker == winners[0] and job.attempts == 1
