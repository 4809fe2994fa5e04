"""Homes for batch tests: the demo corpus is ingested once, and each test gets a copy."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from aiwriter_kernel.workbench import Workbench

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "data" / "demo_corpus"


@pytest.fixture(scope="session")
def corpus_snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home with the demo corpus ingested (the slow part, done once per session)."""
    home = tmp_path_factory.mktemp("batch-snapshot") / "home"
    with Workbench.open(home=home) as wb:
        wb.ingest(CORPUS)
    return home


@pytest.fixture
def corpus_home(corpus_snapshot: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This test's own copy of the ingested home, selected through ``AIWRITER_HOME``."""
    home = tmp_path / "home"
    shutil.copytree(corpus_snapshot, home)
    monkeypatch.setenv("AIWRITER_HOME", str(home))
    return home
