"""``summary.csv`` keeps what users typed as text: a topic never runs as a formula when the
summary is opened in a spreadsheet; neither summary shows a server path (issue 14)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from support import FORMULA_CELLS

from aiwriter_kernel.batch.layout import row_files
from aiwriter_kernel.batch.models import BatchReport, ReportRow
from aiwriter_kernel.batch.summary import write_summary


def _report(folder: Path, topics: list[str]) -> BatchReport:
    """A finished run of ``topics``: row ``r0`` done with a result file (its output kept
    outside the run folder), the rest failed."""
    rows = [
        ReportRow(
            row_key=f"r{number}",
            topic=topic,
            status="done" if number == 0 else "failed",
            error=None if number == 0 else f"{topic} failed",
            draft_id=7 if number == 0 else None,
            output_path=str(row_files(folder, f"r{number}").notebook) if number else "/srv/x/r0.md",
        )
        for number, topic in enumerate(topics)
    ]
    result = {"title": "=1+1 title", "word_count": 812, "seo_score": 71.5}
    row_files(folder, "r0").result.write_text(json.dumps(result), encoding="utf-8")
    totals = {"done": 1, "failed": len(topics) - 1}
    return BatchReport(
        run_id=1, name="probe", status="finished", input_path=str(folder / "topics.csv"),
        template="t.ipynb", output_dir=str(folder), rows=rows, totals=totals,
    )  # fmt: skip


def _read(path: Path) -> dict[str, dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["row_key"]: row for row in csv.DictReader(handle)}


def test_formulas_in_the_summary_are_text(tmp_path: Path) -> None:
    topics = ["Bread at home", *FORMULA_CELLS]
    csv_path, _ = write_summary(_report(tmp_path, topics))
    rows = _read(csv_path)
    for number, topic in enumerate(FORMULA_CELLS, start=1):
        row = rows[f"r{number}"]
        assert row["topic"] == "'" + topic  # the text itself is kept after the quote
        assert row["error"] == "'" + topic + " failed"
        assert row["status"] == "failed"
    first = rows["r0"]
    assert first["topic"] == "Bread at home"
    assert first["title"] == "'=1+1 title"
    assert (first["word_count"], first["seo_score"], first["draft_id"]) == ("812", "71.5", "7")


def test_output_paths_in_the_summary_are_relative_to_the_run_folder(tmp_path: Path) -> None:
    """Absolute paths in a file users download would show the server's disk layout."""
    csv_path, _ = write_summary(_report(tmp_path, ["Bread", "Rye", "Spelt"]))
    rows = _read(csv_path)
    assert [rows[key]["output_path"] for key in ("r1", "r2")] == ["r1.ipynb", "r2.ipynb"]
    assert rows["r0"]["output_path"] == "r0.md"  # outside the folder: the file name alone
    assert str(tmp_path) not in csv_path.read_text(encoding="utf-8")


def test_neither_summary_shows_a_server_path(tmp_path: Path) -> None:
    """The HTML page named the input CSV by its absolute path, and row errors may quote one."""
    report = _report(tmp_path, ["Bread", "Rye"])
    failed = report.rows[1].model_copy(
        update={"error": f"{tmp_path}/r1.ipynb failed; see /srv/aiw/logs/r1.txt", "note": None}
    )
    report = report.model_copy(update={"rows": [report.rows[0], failed]})
    csv_path, html_path = write_summary(report)
    for text in (csv_path.read_text(encoding="utf-8"), html_path.read_text(encoding="utf-8")):
        assert str(tmp_path) not in text and "/srv/aiw" not in text
    assert "Input: topics.csv" in html_path.read_text(encoding="utf-8")
    assert _read(csv_path)["r1"]["error"] == "\u2026/r1.ipynb failed; see \u2026/r1.txt"
