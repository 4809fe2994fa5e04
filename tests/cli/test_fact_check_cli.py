"""`aiwriter fact-check` as a user runs it: a real process, a real home and knowledge base."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
FACTS = """# Harrow Point Lighthouse

The lighthouse was built in 1889 to warn ships away from the Gannet Reef. The tower is
42 metres tall and is built of local grey granite.
"""


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "240"}  # a wide terminal, so table cells do not wrap
    return subprocess.run(
        [sys.executable, "-m", "aiwriter_kernel", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )


def test_fact_check_a_text_a_file_and_a_stored_draft(home: Path, tmp_path: Path) -> None:
    (tmp_path / "harrow-point.md").write_text(FACTS)
    assert run_cli("ingest", str(tmp_path / "harrow-point.md")).returncode == 0

    checked = run_cli(
        "fact-check", "--text", "The lighthouse was built in 1920. Is it tall?", "--json"
    )
    assert checked.returncode == 0, checked.stderr
    report = json.loads(checked.stdout)
    (claim,) = report["claims"]
    assert (claim["claim"], claim["verdict"]) == (
        "The lighthouse was built in 1920.",
        "contradicted",
    )
    assert claim["evidence"]["origin"] == str(tmp_path / "harrow-point.md")
    assert "1889" in claim["evidence"]["quote"] and "1920" in claim["reason"]

    draft = tmp_path / "draft.md"
    draft.write_text("The tower is 42 metres tall.\n\nThe tower is 60 metres tall.\n")
    table = run_cli("fact-check", "--file", str(draft))
    assert table.returncode == 0, table.stderr
    assert "supported" in table.stdout and "contradicted" in table.stdout
    assert "says 42 metres, the claim says 60 metres" in table.stdout
    assert "1 supported, 1 contradicted, 0 no_evidence" in table.stdout

    again = json.loads(run_cli("fact-check", "--draft", str(report["draft_id"]), "--json").stdout)
    assert again["source_draft_id"] == report["draft_id"]


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        ((), "exactly one of --file, --draft or --text"),
        (("--text", "A.", "--draft", "1"), "exactly one of --file, --draft or --text"),
        (("--file", "/nonexistent/draft.md"), "cannot read /nonexistent/draft.md"),
        (("--text", "  "), "the text is empty"),
        (("--draft", "42"), "there is no draft 42"),
    ],
)
def test_bad_input_is_a_one_line_error(home: Path, args: tuple[str, ...], needle: str) -> None:
    result = run_cli("fact-check", *args)
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and needle in lines[0], result.stderr
