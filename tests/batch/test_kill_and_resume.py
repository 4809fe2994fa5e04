"""A real SIGKILL mid-run, then a resume: every row done exactly once, no extra drafts."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from aiwriter_kernel.workbench import Workbench

pytestmark = pytest.mark.slow

AIWRITER = str(Path(sys.executable).with_name("aiwriter"))
TOPICS = [
    "Readable headlines",
    "Short paragraphs",
    "Readability formulas",
    "Active voice",
    "Brand voice",
    "Clear calls to action",
]


def _wait_for_a_done_row(home: Path, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        assert process.poll() is None, "the batch ended before it could be killed"
        with Workbench.open(home=home) as wb:
            runs = wb.batch_runs()
            if runs and wb.batch_report(runs[0].id).totals["done"] >= 1:
                return
        time.sleep(0.5)
    pytest.fail("no row finished within the guard time")


def test_sigkill_then_resume_finishes_each_row_once(corpus_home: Path, tmp_path: Path) -> None:
    path = tmp_path / "topics.csv"
    path.write_text("topic\n" + "\n".join(TOPICS) + "\n", encoding="utf-8")
    command = [AIWRITER, "batch", str(path), "--workers", "1", "--json"]
    env = {**os.environ, "AIWRITER_HOME": str(corpus_home)}
    process = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        _wait_for_a_done_row(corpus_home, process)
        family = psutil.Process(process.pid).children(recursive=True)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    # Kernels run in sessions of their own; each notices its worker is gone and exits.
    _, alive = psutil.wait_procs(family, timeout=60)
    assert alive == []

    with Workbench.open(home=corpus_home) as wb:
        run = wb.batch_runs()[0]
        before = wb.batch_report(run.id)
        assert before.totals["done"] < len(TOPICS)  # the kill really interrupted the run

    finished = subprocess.run(command, env=env, capture_output=True, check=True)
    report = json.loads(finished.stdout)
    assert report["run_id"] == run.id
    assert {row["status"] for row in report["rows"]} <= {"done", "skipped"}

    with Workbench.open(home=corpus_home) as wb:
        stored = wb.batch_report(run.id)
        assert stored.totals["done"] == len(TOPICS)
        draft_ids = [row.draft_id for row in stored.rows]
        assert len(set(draft_ids)) == len(TOPICS)
        drafts = wb.drafts()
        assert len(drafts) == len(TOPICS)
        assert sorted(d.id for d in drafts) == sorted(draft_ids)
        assert sorted(d.topic for d in drafts) == sorted(TOPICS)
