"""The batch monitor watching a real batch run (real kernels) from another workbench."""

from __future__ import annotations

import csv
import threading
import time
from pathlib import Path

import pytest
from aiwriter_widgets import BatchMonitor, BatchResultsPanel
from aiwriter_widgets.render import PLOTLY_MIME
from conftest import WAIT_S

from aiwriter_kernel.workbench import Workbench

pytestmark = pytest.mark.slow


def _run_batch(home: Path, topics: Path) -> None:
    with Workbench.open(home=home) as runner:
        runner.batch(topics)


def _wait_for_run(wb: Workbench) -> int:
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        runs = wb.batch_runs()
        if runs:
            return runs[0].id
        time.sleep(0.2)
    raise AssertionError("the batch run never registered")


def test_the_monitor_follows_a_run_to_its_end_and_stops_on_request(
    wb: Workbench, tmp_path: Path
) -> None:
    idle = BatchMonitor(wb)
    assert idle.runs.options == ()
    idle.watch_button.click()
    assert idle.last_error == "choose a batch run to watch"

    topics = tmp_path / "topics.csv"
    topics.write_text(
        "id,topic,keywords\nhead,Readable headlines,readability\nblank,,\n", encoding="utf-8"
    )
    home = wb.settings.home
    # the batch runs as it would from the CLI: its own workbench on the same home
    batch = threading.Thread(target=_run_batch, args=(home, topics))
    batch.start()
    run_id = _wait_for_run(wb)

    follower, stopped = BatchMonitor(wb, interval=0.2), BatchMonitor(wb, interval=3600)
    for monitor in (follower, stopped):
        monitor.refresh_runs()
        assert monitor.runs.value == run_id
        monitor.watch_button.click()
    stopped.stop_button.click()
    stopped.wait(WAIT_S)  # returns because Stop ends the hour-long sleep
    assert "stopped watching" in stopped.status.value

    follower.wait(WAIT_S)
    batch.join(WAIT_S)
    final = wb.batch_report(run_id)
    # the last poll saw the run finished (its summary files may be written just after)
    assert follower.report.status == final.status != "running"
    assert follower.report.rows == final.rows and follower.report.totals == final.totals
    assert final.totals["done"] == 1 and final.totals["failed"] == 1
    assert follower.bar.value == follower.bar.max == 2
    assert follower.bar.bar_style == "danger"
    assert "Readable headlines" in follower.rows_html.value
    assert "the topic is empty" in follower.rows_html.value
    assert "finished" in follower.status.value
    assert follower.stop_button.disabled

    results = BatchResultsPanel(wb)
    assert results.runs.value == run_id  # the finished run is chosen and loaded at once
    results.wait(WAIT_S)
    assert results.last_error is None and results.report == final
    with open(final.summary_csv, encoding="utf-8") as handle:
        head_score = float(
            next(r for r in csv.DictReader(handle) if r["row_key"] == "head")["seo_score"]
        )
    assert "2 rows" in results.status.value and "2 rows" in results.runs.label
    status_chart, score_chart = (o["data"][PLOTLY_MIME] for o in results.charts.outputs)
    assert dict(zip(status_chart["data"][0]["x"], status_chart["data"][0]["y"], strict=True)) == {
        "done": 1,
        "failed": 1,
    }
    assert score_chart["data"][0]["y"] == [head_score]
    # bars are labelled by topic, never by row key; counts are whole numbers
    assert score_chart["data"][0]["x"] == ["Readable headlines"]
    assert score_chart["layout"]["xaxis"]["type"] == "category"
    assert status_chart["layout"]["yaxis"]["dtick"] == 1
    assert "Readable headlines" in results.rows_html.value
