"""A real workbench for the panel tests: the demo corpus is ingested once per session and
each test module works on its own copy of that home."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from aiwriter_kernel.workbench import Workbench

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "data" / "demo_corpus"
WAIT_S = 300  # a generous bound: the panels' jobs finish in seconds offline


@pytest.fixture(scope="module")
def wb(corpus_snapshot: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workbench]:
    home = tmp_path_factory.mktemp("widgets") / "home"
    shutil.copytree(corpus_snapshot, home)
    with Workbench.open(home=home) as workbench:
        yield workbench
