"""`aiwriter copy` as a user runs it: a real process, a real home and knowledge base."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
CORPUS = Path(__file__).resolve().parents[2] / "data" / "demo_corpus"
TEXT = """Most teams struggle to plan their week without a shared view.
Missed deadlines cost hours of rework and frustrate customers.
Acme Planner puts every task on one shared board.
In a 2025 survey, 82% of our customers said planning took half as long.
"""


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "240"}
    return subprocess.run(
        [sys.executable, "-m", "aiwriter_kernel", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )


def test_copy_from_a_file_a_draft_and_a_topic(home: Path, tmp_path: Path) -> None:
    (tmp_path / "acme.md").write_text(TEXT)
    made = run_cli(
        "copy", "problem-solution-proof", "--text-file", str(tmp_path / "acme.md"),
        "--offer", "Acme Planner", "--cta", "Book a demo", "--json",
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    result = json.loads(made.stdout)
    assert result["framework"] == "PSP" and result["format"] == "ad"
    assert [s["label"] for s in result["sections"]] == ["Problem", "Solution", "Proof"]
    assert result["sections"][0]["text"].startswith("Most teams struggle")
    assert "82%" in result["sections"][2]["text"]
    assert result["sections"][2]["text"].endswith("Book a demo.")

    shown = run_cli("copy", "PAS", "--draft", str(result["draft_id"]), "--format", "email")
    assert shown.returncode == 0, shown.stderr
    assert "PAS email copy" in shown.stdout
    assert "Problem:" in shown.stdout and "Agitate:" in shown.stdout
    assert "ok total length" in shown.stdout

    assert run_cli("ingest", str(CORPUS / "headlines.md")).returncode == 0
    topical = run_cli("copy", "aida", "--topic", "writing headlines", "--json")
    assert topical.returncode == 0, topical.stderr
    report = json.loads(topical.stdout)
    assert [s["label"] for s in report["sections"]] == ["Attention", "Interest", "Desire", "Action"]
    assert report["citations"][0]["origin"] == str(CORPUS / "headlines.md")


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("aida",), "exactly one of --text-file, --draft or --topic"),
        (("aida", "--topic", "x", "--draft", "1"), "exactly one of --text-file, --draft"),
        (("swot", "--topic", "x"), "use one of AIDA, PAS, BAB, FAB, 4Ps, PSP"),
        (("aida", "--text-file", "/nonexistent/copy.md"), "cannot read /nonexistent/copy.md"),
        (("aida", "--draft", "42"), "there is no draft 42"),
        (("aida", "--topic", "x", "--format", "poster"), "format"),
    ],
)
def test_bad_input_is_a_one_line_error(home: Path, args: tuple[str, ...], needle: str) -> None:
    result = run_cli("copy", *args)
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and needle in lines[0], result.stderr
