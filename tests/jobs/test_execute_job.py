"""The worker and the dispatcher: a job runs end to end, resumes from its checkpoint, stops
when it is no longer its worker's, and a stopping dispatcher gives its jobs back."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from aiwriter_kernel.errors import NotFoundError, ValidationError
from aiwriter_kernel.jobs import worker
from aiwriter_kernel.jobs.dispatcher import JobDispatcher
from aiwriter_kernel.jobs.worker import JobTask, execute_job
from aiwriter_kernel.workbench import Workbench
from aiwriter_kernel.worker_env import worker_env

CORPUS = Path(__file__).resolve().parents[2] / "data" / "demo_corpus"


@pytest.fixture(scope="module")
def wb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workbench]:
    """A home whose user ada has two sources; the worker opens the same home."""
    home = tmp_path_factory.mktemp("jobs") / "home"
    with Workbench.open(home=home) as opened:
        ada = opened.db.accounts.create_user("ada")
        opened.for_user(ada.id).ingest([CORPUS / "readability.md", CORPUS / "headlines.md"])
        yield opened.for_user(ada.id)
    worker.close_workbench()  # the one execute_job opened in this process


def run(wb: Workbench, job_id: str, token: str) -> dict[str, str]:
    job = wb.db.jobs.get(job_id)
    assert job is not None
    task = JobTask(
        job_id=job_id,
        worker=token,
        owner_id=job.owner_id,
        kind=job.kind,
        request=job.request,
        env=worker_env(wb.settings),
    )
    return execute_job(task.model_dump(mode="json"))


def test_an_article_job_runs_and_stores_its_result_and_events(wb: Workbench) -> None:
    job = wb.submit_job("article", {"topic": "readable headlines", "target_words": 300})
    wb.db.jobs.claim(job.id, "t1")
    assert run(wb, job.id, "t1") == {"job_id": job.id, "status": "succeeded"}
    done = wb.job(job.id)
    assert done.status == "succeeded" and done.result is not None
    assert wb.require_draft(done.result["draft_id"]).topic == "readable headlines"
    types = [event.type for event in wb.job_events(job.id)]
    assert types[0] == "status" and types[-1] == "status"
    assert {"stage", "text", "checkpoint"} <= set(types)


def test_a_retried_article_finishes_the_draft_of_its_checkpoint(wb: Workbench) -> None:
    job = wb.submit_job("article", {"topic": "plain words", "target_words": 300})
    wb.db.jobs.claim(job.id, "first")
    draft_id, _ = wb.outline(job.request["topic"], target_words=300)  # the first attempt...
    wb.db.jobs.add_event(job.id, "checkpoint", {"draft_id": draft_id}, worker="first")
    assert wb.db.jobs.requeue(job.id, "first", note="its worker stopped")  # ...was killed
    before = len(wb.drafts())
    wb.db.jobs.claim(job.id, "second")
    assert run(wb, job.id, "second")["status"] == "succeeded"
    assert wb.job(job.id).result["draft_id"] == draft_id  # type: ignore[index]
    assert len(wb.drafts()) == before  # no second draft
    assert not wb.db.jobs.finish(job.id, "first", "failed", error="late")  # the old token


def test_a_job_cancelled_before_its_worker_reports_is_abandoned(wb: Workbench) -> None:
    job = wb.submit_job("summary", {"query": "headlines"})
    wb.db.jobs.claim(job.id, "t")
    wb.cancel_job(job.id)
    assert run(wb, job.id, "t")["status"] == "abandoned"
    assert wb.job(job.id).status == "cancelled" and wb.job(job.id).result is None


def test_a_failing_pipeline_fails_the_job_with_its_message(wb: Workbench) -> None:
    job = wb.submit_job("rewrite", {"draft_id": 424242, "channel": "linkedin"})
    wb.db.jobs.claim(job.id, "t")
    assert run(wb, job.id, "t")["status"] == "failed"
    failed = wb.job(job.id)
    assert failed.error is not None and "424242" in failed.error


def test_submissions_are_validated_before_anything_is_stored(wb: Workbench) -> None:
    before = wb.jobs()
    with pytest.raises(ValidationError, match="unknown job kind 'poem'"):
        wb.submit_job("poem", {"topic": "x"})
    with pytest.raises(ValidationError, match=r"request\.target_words"):
        wb.submit_job("article", {"topic": "x", "target_words": 5})
    assert wb.jobs() == before


def test_another_users_job_is_not_found(wb: Workbench) -> None:
    job = wb.submit_job("article", {"topic": "mine"})
    eve = wb.db.accounts.create_user("eve")
    other = wb.for_user(eve.id)
    for call in (other.job, other.job_events, other.cancel_job):
        with pytest.raises(NotFoundError):
            call(job.id)
    assert other.jobs() == []
    wb.cancel_job(job.id)


def test_the_dispatcher_runs_jobs_in_a_worker_process_and_gives_back_on_stop(
    wb: Workbench,
) -> None:
    dispatcher = JobDispatcher.for_workbench(wb, workers=1, poll_s=0.2)
    try:
        quick = wb.submit_job("answer", {"question": "What makes a headline readable?"})
        deadline = time.monotonic() + 180
        while wb.job(quick.id).status in ("queued", "running"):
            assert time.monotonic() < deadline, "the job did not finish"
            dispatcher.run_once(0.2)
        assert wb.job(quick.id).status == "succeeded"

        slow = wb.submit_job("article", {"topic": "headline length", "target_words": 600})
        dispatcher.run_once(0.0)
        assert wb.job(slow.id).status == "running"
    finally:
        dispatcher.stop()
    given_back = wb.job(slow.id)
    assert (given_back.status, given_back.attempts) == ("queued", 0)
    assert wb.job_events(slow.id)[-1].data == {
        "status": "queued",
        "note": "the server stopped; retrying",
    }
    wb.cancel_job(slow.id)
