"""A real ``kill -9`` at each step of adding a new source, then what a user sees next.

The child process ingests one file with one step replaced by ``SIGKILL`` to itself: before the
rows are committed, after the rows but before any vector, after the vectors but before the
source is marked complete. Then, in the parent: ``aiwriter doctor`` names the chunks without
vectors (only where there are some), and opening the workbench, ``aiwriter kb reindex`` or
uploading the same file again stores them, so that dense search finds the source and the
doctor passes.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from support import run_doctor

from aiwriter_kernel import Workbench
from aiwriter_kernel.config import Settings
from aiwriter_kernel.research.knowledge_base import KnowledgeBase
from aiwriter_kernel.store import Database

pytestmark = pytest.mark.slow
CORPUS = Path(__file__).resolve().parents[2] / "data" / "demo_corpus"
QUESTION = "Do puns make good headlines?"

CHILD = """
import os, signal, sys
from aiwriter_kernel import Workbench
from aiwriter_kernel.research.ingest import GroupWriter
from aiwriter_kernel.store.sources import SourcesRepository

home, path, step = sys.argv[1:4]
STEPS = {
    "before_rows": (SourcesRepository, "upsert_sources"),
    "after_rows": (GroupWriter, "write_vectors"),
    "after_vectors": (SourcesRepository, "mark_vectors_stored"),
}
owner, name = STEPS[step]
setattr(owner, name, lambda *args, **kwargs: os.kill(os.getpid(), signal.SIGKILL))
with Workbench.open(home=home) as workbench:
    with open(path, "rb") as handle:
        workbench.ingest_bytes(handle.read(), os.path.basename(path))
sys.exit(3)  # not reached: the step above killed the process
"""


def ingest_and_kill(home: Path, path: Path, step: str, tmp_path: Path) -> None:
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    child = subprocess.run(
        [sys.executable, str(script), str(home), str(path), step],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert child.returncode == -signal.SIGKILL, child.stderr


def stored_state(home: Path) -> tuple[list, int]:
    """The sources and the vector count, read without opening a workbench (which repairs)."""
    settings = Settings(home=home)
    with Database.open(settings.effective_database_url()) as database:
        knowledge = KnowledgeBase(settings, database)
        space = database.workspaces.get_or_create("default")
        sources = database.sources.list_sources(space.id)
        vectors = knowledge.vectors.count(space.id)
        knowledge.close()
    return sources, vectors


def chunk_total(home: Path) -> int:
    settings = Settings(home=home)
    with Database.open(settings.effective_database_url()) as database:
        return database.sources.count_chunks(database.workspaces.get_or_create("default").id)


def dense_origins(workbench: Workbench) -> list[str]:
    return [hit.origin for hit in workbench.search(QUESTION, k=3, mode="dense")]


@pytest.fixture
def upload(tmp_path: Path) -> Path:
    path = tmp_path / "headlines.md"
    shutil.copy(CORPUS / "headlines.md", path)
    return path


@pytest.mark.parametrize("step", ["before_rows", "after_rows", "after_vectors"])
def test_a_killed_ingest_is_reported_and_repaired_when_the_workbench_opens(
    home: Path, upload: Path, tmp_path: Path, step: str
) -> None:
    ingest_and_kill(home, upload, step, tmp_path)

    sources, vectors = stored_state(home)
    code, checks = run_doctor(home)
    if step == "before_rows":  # nothing was committed: consistent, nothing to repair
        assert sources == [] and vectors == 0
        assert code == 0 and checks["vectors"]["status"] == "ok"
        return
    (source,) = sources
    assert source.vectors_pending is True
    chunks = chunk_total(home)
    assert chunks > 1
    if step == "after_rows":
        assert vectors == 0
        assert code == 1 and checks["vectors"]["status"] == "fail"
        assert f"{chunks} of {chunks} chunks have no vector" in checks["vectors"]["detail"]
    else:
        assert vectors == chunks  # the vectors made it: only the mark is left
        assert code == 0 and checks["vectors"]["status"] == "ok"

    with Workbench.open(home=home) as workbench:  # start-up repairs it
        assert dense_origins(workbench)[0] == "upload:headlines.md"
        (repaired,) = workbench.sources()
        assert repaired.vectors_pending is False
    code, checks = run_doctor(home)
    assert code == 0 and checks["vectors"]["detail"] == f"all {chunks} chunks have vectors"


def test_kb_reindex_repairs_a_killed_ingest(home: Path, upload: Path, tmp_path: Path) -> None:
    ingest_and_kill(home, upload, "after_rows", tmp_path)
    assert run_doctor(home)[0] == 1

    reindex = subprocess.run(
        [sys.executable, "-m", "aiwriter_kernel", "kb", "reindex", "--json"],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "AIWRITER_HOME": str(home)},
    )
    assert reindex.returncode == 0, reindex.stderr
    (source,), vectors = stored_state(home)
    assert source.vectors_pending is False and vectors == chunk_total(home)
    assert run_doctor(home)[0] == 0


def test_uploading_the_same_file_after_a_kill_stores_its_vectors(
    home: Path, upload: Path, tmp_path: Path
) -> None:
    ingest_and_kill(home, upload, "after_rows", tmp_path)
    settings = Settings(home=home)
    # A knowledge base over the database, without the repair that opening a workbench does:
    # the upload alone must notice the source is incomplete.
    with Database.open(settings.effective_database_url()) as database:
        knowledge = KnowledgeBase(settings, database)
        (item,) = knowledge.ingest_bytes(upload.read_bytes(), filename="headlines.md").items
        assert item.status == "added" and item.chunks == chunk_total(home)
        hits = knowledge.search(QUESTION, k=1, mode="dense")
        assert hits[0].origin == "upload:headlines.md"
        (again,) = knowledge.ingest_bytes(upload.read_bytes(), filename="headlines.md").items
        assert again.status == "unchanged"
        knowledge.close()
    assert run_doctor(home)[0] == 0
