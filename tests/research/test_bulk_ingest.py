"""Bulk ingest: many small files, their chunks embedded and stored in groups across files.

Real files, real databases (SQLite, and PostgreSQL when configured), real Chroma and the real
packaged model. The groups are made small here (a few chunks) so that a handful of files
spans several groups; what must hold is what held file by file: every source lands whole
or not at all, a bad one fails alone, and a killed process leaves only states that repair.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text
from support import run_doctor

from aiwriter_kernel import Workbench
from aiwriter_kernel.config import Settings
from aiwriter_kernel.research.chunking import chunk_text
from aiwriter_kernel.research.knowledge_base import KnowledgeBase
from aiwriter_kernel.research.models import IngestProgress
from aiwriter_kernel.store import Database

pytestmark = pytest.mark.slow
CORPUS = Path(__file__).resolve().parents[2] / "data" / "demo_corpus"
FILES = 24
GROUP = 5  # chunks per group: every group spans files, and some files span groups
POISON = "zanzibar-quokka"  # a chunk holding this is refused by the database trigger below


def write_files(folder: Path, count: int = FILES) -> dict[str, int]:
    """``count`` small Markdown files cut from the demo corpus; their chunk counts by path."""
    paragraphs = [
        part.strip()
        for path in sorted(CORPUS.glob("*.md"))
        for part in path.read_text().split("\n\n")
        if len(part.split()) > 8
    ]
    folder.mkdir(parents=True, exist_ok=True)
    expected = {}
    for number in range(count):
        picked = [paragraphs[(number + k) % len(paragraphs)] for k in range(number % 4 + 1)]
        body = "\n\n".join(picked)
        path = folder / f"note{number:02d}.md"
        path.write_text(f"# Note {number}\n\n{body}\n")
        expected[str(path)] = len(chunk_text(path.read_text(), max_chars=400, overlap_chars=50))
    return expected


def open_kb(home: Path, database: Database) -> KnowledgeBase:
    knowledge = KnowledgeBase(Settings(home=home, chunk_chars=400, chunk_overlap=50), database)
    knowledge.group_chunks = GROUP
    return knowledge


def stored_counts(knowledge: KnowledgeBase) -> tuple[dict[str, int], int]:
    """Chunks per stored source (by origin) and the workspace's vector count."""
    space = knowledge.db.workspaces.get_or_create("default")
    sources = knowledge.db.sources.list_sources(space.id)
    chunks = {s.origin: len(knowledge.db.sources.source_chunk_ids(s.id)) for s in sources}
    return chunks, knowledge.vectors.count(space.id)


@pytest.fixture
def kb(tmp_path: Path, database: Database):
    knowledge = open_kb(tmp_path / "home", database)
    yield knowledge
    knowledge.close()


def test_many_files_land_with_their_chunks_and_vectors(kb, tmp_path: Path) -> None:
    expected = write_files(tmp_path / "notes")
    steps: list[IngestProgress] = []
    report = kb.ingest([tmp_path / "notes"], progress=steps.append)

    assert report.ok and report.count("added") == FILES
    assert [item.origin for item in report.items] == sorted(expected)  # the files' order
    assert {item.origin: item.chunks for item in report.items} == expected
    chunks, vectors = stored_counts(kb)
    assert chunks == expected and vectors == sum(expected.values())
    space = kb.db.workspaces.get_or_create("default")
    assert not kb.vectors.missing(space.id, sorted(kb.db.sources.workspace_chunk_ids(space.id)))
    assert kb.db.sources.pending_sources() == []
    # Progress counts chunks, a step per group rather than per file, and ends complete.
    assert 1 < len(steps) < FILES
    done = [step.chunks_done for step in steps]
    assert done == sorted(done) and done[-1] == steps[-1].chunks_total == vectors
    assert steps[-1].sources_done == steps[-1].sources_total == FILES
    assert sum(len(step.items) for step in steps) == FILES


def test_ingesting_again_says_unchanged_and_writes_nothing(kb, tmp_path: Path) -> None:
    write_files(tmp_path / "notes")
    kb.ingest([tmp_path / "notes"])
    before = stored_counts(kb)
    space = kb.db.workspaces.get_or_create("default")
    revision = kb.db.sources.revision(space.id)

    again = kb.ingest([tmp_path / "notes"])
    assert again.count("unchanged") == FILES and again.ok
    assert stored_counts(kb) == before and kb.db.sources.revision(space.id) == revision


def test_an_unreadable_file_fails_alone(kb, tmp_path: Path) -> None:
    expected = write_files(tmp_path / "notes", 12)
    bad = tmp_path / "notes" / "note05.md"  # between good files, inside a group
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    del expected[str(bad)]

    report = kb.ingest([tmp_path / "notes"])
    failed = [item for item in report.items if item.status == "failed"]
    assert [item.origin for item in failed] == [str(bad)] and "note05.md" in failed[0].error
    assert report.count("added") == 11
    chunks, vectors = stored_counts(kb)
    assert chunks == expected and vectors == sum(expected.values())


def refuse_poisoned_chunks(database: Database) -> None:
    """A real database trigger that refuses to store a chunk holding POISON: a write that
    fails inside the group's transaction, as a full disk or a constraint would."""
    with database.engine.begin() as connection:
        if database.engine.dialect.name == "sqlite":
            connection.execute(
                text(
                    "CREATE TRIGGER refuse_poison BEFORE INSERT ON chunks "
                    f"WHEN NEW.text LIKE '%{POISON}%' "
                    "BEGIN SELECT RAISE(ABORT, 'the poisoned chunk is refused'); END"
                )
            )
            return
        connection.execute(
            text(
                "CREATE FUNCTION refuse_poison() RETURNS trigger AS $$ BEGIN "
                f"IF NEW.text LIKE '%{POISON}%' THEN RAISE EXCEPTION "
                "'the poisoned chunk is refused' USING ERRCODE = 'check_violation'; END IF; "
                "RETURN NEW; END $$ LANGUAGE plpgsql"
            )
        )
        connection.execute(
            text(
                "CREATE TRIGGER refuse_poison BEFORE INSERT ON chunks "
                "FOR EACH ROW EXECUTE FUNCTION refuse_poison()"
            )
        )


def test_a_failure_while_storing_a_group_rolls_back_only_its_source(
    kb, tmp_path: Path, database: Database
) -> None:
    expected = write_files(tmp_path / "notes", 12)
    bad = tmp_path / "notes" / "note06.md"
    bad.write_text(bad.read_text() + f"\n\nThe {POISON} paragraph closes this note.\n")
    del expected[str(bad)]
    refuse_poisoned_chunks(database)

    report = kb.ingest([tmp_path / "notes"])
    failed = [item for item in report.items if item.status == "failed"]
    assert [item.origin for item in failed] == [str(bad)]
    assert "poisoned chunk is refused" in failed[0].error
    chunks, vectors = stored_counts(kb)
    assert chunks == expected and vectors == sum(expected.values())  # none of its vectors
    space = kb.db.workspaces.get_or_create("default")
    assert kb.db.sources.find_source(space.id, str(bad)) is None
    assert kb.db.sources.pending_sources() == []


def test_a_changed_file_in_a_group_is_replaced_whole(kb, tmp_path: Path) -> None:
    expected = write_files(tmp_path / "notes", 10)
    kb.ingest([tmp_path / "notes"])
    edited = tmp_path / "notes" / "note03.md"
    edited.write_text("# Changed\n\nOnly one short paragraph about tide tables is left.\n")
    expected[str(edited)] = 1
    expected.update(write_files(tmp_path / "more", 4))  # new files share the change's group
    report = kb.ingest([tmp_path / "notes", tmp_path / "more"])

    assert report.count("replaced") == 1 and report.ok
    chunks, vectors = stored_counts(kb)
    assert chunks == expected and vectors == sum(expected.values())  # stale vectors gone
    (hit,) = kb.search("tide tables", k=1, mode="dense")
    assert hit.origin == str(edited)


CHILD = """
import os, signal, sys
from aiwriter_kernel import Workbench
from aiwriter_kernel.research.ingest import GroupWriter

home, folder = sys.argv[1:3]
write_vectors = GroupWriter.write_vectors
calls = []

def write_then_die(self, *args, **kwargs):
    calls.append(1)
    if len(calls) == 3:  # two groups are stored whole; the third's rows are committed
        os.kill(os.getpid(), signal.SIGKILL)
    return write_vectors(self, *args, **kwargs)

GroupWriter.write_vectors = write_then_die
with Workbench.open(home=home, chunk_chars=400, chunk_overlap=50) as workbench:
    workbench.kb.group_chunks = %d
    workbench.ingest(folder)
sys.exit(3)  # not reached
"""


def test_a_kill_between_groups_is_reported_and_repaired(home: Path, tmp_path: Path) -> None:
    expected = write_files(tmp_path / "notes")
    script = tmp_path / "child.py"
    script.write_text(CHILD % GROUP)
    child = subprocess.run(
        [sys.executable, str(script), str(home), str(tmp_path / "notes")],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert child.returncode == -signal.SIGKILL, child.stderr

    settings = Settings(home=home, chunk_chars=400, chunk_overlap=50)
    with Database.open(settings.effective_database_url()) as database:
        knowledge = KnowledgeBase(settings, database)
        chunks, vectors = stored_counts(knowledge)
        pending = database.sources.pending_sources()
        knowledge.close()
    assert 0 < len(pending) < len(chunks) < FILES  # the first groups whole, one pending
    assert all(chunks[origin] == expected[origin] for origin in chunks)  # no half source
    missing = sum(chunks[source.origin] for source in pending)
    assert vectors == sum(chunks.values()) - missing
    code, checks = run_doctor(home)
    assert code == 1 and checks["vectors"]["status"] == "fail"
    total = sum(chunks.values())
    assert f"{missing} of {total} chunks have no vector" in checks["vectors"]["detail"]

    with Workbench.open(home=home, chunk_chars=400, chunk_overlap=50) as workbench:
        assert workbench.db.sources.pending_sources() == []  # opening repaired them
        report = workbench.ingest(tmp_path / "notes")
        assert report.count("unchanged") == len(chunks)
        assert report.count("added") == FILES - len(chunks) and report.ok
    code, checks = run_doctor(home)
    assert code == 0
    assert checks["vectors"]["detail"] == f"all {sum(expected.values())} chunks have vectors"
