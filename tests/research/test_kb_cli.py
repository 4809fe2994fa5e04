"""`aiwriter ingest`, `search` and `kb reindex` as a user runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
CORPUS = Path(__file__).resolve().parents[2] / "data" / "demo_corpus"


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "240"}  # a wide terminal, so table cells do not wrap
    return subprocess.run(
        [sys.executable, "-m", "aiwriter_kernel", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )


def test_ingest_search_and_reindex(home: Path, tmp_path: Path) -> None:
    (tmp_path / "empty.md").write_text("")
    failed = run_cli("ingest", str(CORPUS / "headlines.md"), str(tmp_path / "empty.md"), "--json")
    assert failed.returncode == 1  # one source failed: the command says so
    report = json.loads(failed.stdout)
    assert [item["status"] for item in report["items"]] == ["added", "failed"]

    ok = run_cli("ingest", str(CORPUS), "--json")
    assert ok.returncode == 0, ok.stderr
    statuses = [item["status"] for item in json.loads(ok.stdout)["items"]]
    assert statuses.count("unchanged") == 1 and statuses.count("added") == 7

    hits = json.loads(run_cli("search", "Do puns make good headlines?", "-k", "2", "--json").stdout)
    assert len(hits) == 2 and hits[0]["origin"].endswith("headlines.md")
    assert hits[0]["citation"].startswith("Writing headlines that earn the click")

    table = run_cli("search", "keyword stuffing")
    assert table.returncode == 0 and "Search engine optimisation basics" in table.stdout

    rebuilt = json.loads(run_cli("kb", "reindex", "--json").stdout)
    assert rebuilt["chunks"] > 8
