"""Starting a batch from the app: it is a job, under the same rules as the API's batch jobs."""

from __future__ import annotations

from pathlib import Path

import pytest
from app_pages import button, messages, page

from aiwriter_kernel.jobs.dispatcher import JobDispatcher
from aiwriter_kernel.workbench import Workbench

TOPICS = b"id,topic\nhead,Readable headlines\n"


@pytest.fixture
def idle_dispatcher(monkeypatch: pytest.MonkeyPatch) -> None:
    """The app's dispatcher takes no job, so a submitted one stays queued for the test."""
    monkeypatch.setattr(JobDispatcher, "start", lambda self: None)


def test_a_started_batch_is_a_queued_job_the_page_waits_for(home: Path, idle_dispatcher) -> None:
    at = page("5_Batch.py").run()
    at.file_uploader[0].set_value(("topics.csv", TOPICS, "text/csv"))
    button(at, "Start the batch").click().run()

    assert not at.exception and not at.error
    with Workbench.open(home=home) as wb:
        (job,) = wb.jobs()
    assert job.kind == "batch" and job.status == "queued"
    (success,) = messages(at, "success")
    assert job.id in success
    (waiting,) = messages(at, "info")
    assert job.id in waiting and "queued" in waiting


def test_a_file_whose_job_is_queued_or_running_is_not_started_again(
    home: Path, idle_dispatcher
) -> None:
    """Registering the rows of a run that is executing would put its running rows back to
    pending: the second upload of the file is refused, as the API refuses it, and no
    second job is queued."""
    with Workbench.open(home=home) as wb:
        first = wb.submit_batch(TOPICS, "topics.csv")

    at = page("5_Batch.py").run()
    at.file_uploader[0].set_value(("topics.csv", TOPICS, "text/csv"))
    button(at, "Start the batch").click().run()

    assert not at.exception
    (error,) = messages(at, "error")
    assert error.startswith("topics.csv:") and f"already being run (job {first.id})" in error
    assert not messages(at, "success")
    with Workbench.open(home=home) as wb:
        assert [job.id for job in wb.jobs()] == [first.id]
        assert wb.batch_runs() == []
