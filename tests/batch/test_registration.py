"""Registering a large file without executing it: every row stored, the bad ones failed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from aiwriter_kernel.errors import ValidationError
from aiwriter_kernel.workbench import Workbench


def test_ten_thousand_rows_register_and_resume_later(home: Path, tmp_path: Path) -> None:
    lines = ["id,topic,words"]
    lines += [f"t{i},Topic number {i},{300 + i % 500}" for i in range(10_000)]
    lines[5001] = "t5000,,"  # an empty topic
    lines.append("t7,A duplicate id,")
    path = tmp_path / "big.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    with Workbench.open(home=home, max_batch_rows=20_000) as wb:  # beyond the default limit
        report = wb.batch(path, limit=0)
        assert len(report.rows) == 10_001
        assert report.totals["pending"] == 9_999
        assert report.totals["failed"] == 2
        failed = {row.row_key: row.error for row in report.rows if row.status == "failed"}
        assert failed == {
            "t5000": "the topic is empty",
            "t7@line10002": "duplicate id 't7' (first used on line 9)",
        }
        assert [run.name for run in wb.batch_runs()] == [report.name]
        assert report.name.startswith("big-")

        again = wb.batch(path, limit=0)  # same file: the same run, nothing registered twice
        assert again.run_id == report.run_id
        assert len(again.rows) == 10_001
        assert wb.batch_report(report.run_id).totals == again.totals
        assert Path(again.summary_csv).read_text(encoding="utf-8").count("\n") == 10_002


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"executor": "dask"}, "needs a scheduler address"),
        ({"executor": "threads"}, "unknown executor 'threads'"),
        ({"workers": 0}, "workers must be at least 1"),
        ({"template": "missing.ipynb"}, "missing.ipynb does not exist"),
    ],
)
def test_bad_options_fail_before_anything_is_registered(
    home: Path, tmp_path: Path, options: dict[str, object], message: str
) -> None:
    path = tmp_path / "topics.csv"
    path.write_text("topic\nReadable headlines\n", encoding="utf-8")
    with Workbench.open(home=home) as wb:
        with pytest.raises(ValidationError, match=message):
            wb.batch(path, **options)
        assert wb.batch_runs() == []


def test_the_cli_reports_a_bad_file_in_one_line(home: Path, tmp_path: Path) -> None:
    path = tmp_path / "topics.csv"
    path.write_bytes(b"topic\nCaf\xe9\n")
    aiwriter = str(Path(sys.executable).with_name("aiwriter"))
    result = subprocess.run([aiwriter, "batch", str(path)], capture_output=True, text=True)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"error: {path} is not UTF-8: byte 0xe9 at offset 9 (line 2); save it as UTF-8"
    )


def test_the_cli_refuses_a_file_over_the_row_limit_before_registering_it(
    home: Path, tmp_path: Path
) -> None:
    path = tmp_path / "topics.csv"
    path.write_text("topic\nOne\nTwo\nThree\n", encoding="utf-8")
    aiwriter = str(Path(sys.executable).with_name("aiwriter"))
    env = {**os.environ, "AIWRITER_MAX_BATCH_ROWS": "2"}
    result = subprocess.run([aiwriter, "batch", str(path)], capture_output=True, text=True, env=env)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"error: {path} has 3 rows, more than the 2 a batch may have "
        "(AIWRITER_MAX_BATCH_ROWS); split it into smaller files"
    )
    with Workbench.open(home=home) as wb:
        assert wb.batch_runs() == []
