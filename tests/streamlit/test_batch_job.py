"""Starting a batch from the app: a file already running in this process is left alone."""

from __future__ import annotations

from pathlib import Path

from app_pages import button, messages, page

from aiwriter_kernel.workbench import Workbench
from apps.streamlit import batch_job

TOPICS = b"id,topic\nhead,Readable headlines\n"


def test_starting_a_running_file_again_leaves_the_run_alone(home: Path) -> None:
    """Registering the rows of a run that is executing would put its running row back to
    pending (and let a second thread write it again): a second start must not reach the
    kernel at all."""
    with Workbench.open(home=home) as wb:
        path = wb.save_topics_upload(TOPICS, "topics.csv")  # where the page keeps it too
        registered = wb.batch(path, limit=0)
        (row,) = wb.db.batches.list_rows(registered.run_id)
        wb.db.batches.set_row_status(row.id, "running")  # the row a thread is writing now
    running = batch_job.BatchJob(run_id=registered.run_id, name=registered.name)
    batch_job.registry().by_path[str(path.resolve())] = running  # that thread, still busy

    at = page("5_Batch.py").run()
    at.file_uploader[0].set_value(("topics.csv", TOPICS, "text/csv"))
    button(at, "Start the batch").click().run()

    assert not at.exception and not at.error
    (warning,) = messages(at, "warning")
    assert "already running" in warning and registered.name in warning
    assert not messages(at, "success")
    with Workbench.open(home=home) as wb:
        assert [r.status for r in wb.db.batches.list_rows(registered.run_id)] == ["running"]
        assert wb.batch_report(registered.run_id).status == "running"
    assert batch_job.registry().by_path[str(path.resolve())] is running
    assert running.thread is None  # no second thread was started
