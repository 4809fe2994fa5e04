"""Repositories on a real database (SQLite and PostgreSQL): what they store and refuse."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from aiwriter_kernel.errors import NotFoundError, StoreError, ValidationError
from aiwriter_kernel.store import Database
from aiwriter_kernel.store import drafts as drafts_module
from aiwriter_kernel.store.records import NewBatchRow, NewChunk, NewGeneration
from aiwriter_kernel.store.tables import Base, DraftVersion, Generation

DOCUMENT = "Alpha beta gamma. Delta epsilon zeta. Eta theta iota."


def chunks_of(text: str, prefix: str, size: int = 18) -> list[NewChunk]:
    return [
        NewChunk(
            id=f"{prefix}-{ordinal}",
            ordinal=ordinal,
            text=text[start : start + size],
            start_offset=start,
            end_offset=min(start + size, len(text)),
        )
        for ordinal, start in enumerate(range(0, len(text), size))
    ]


def add_source(database: Database, workspace_id: int, origin: str, text: str, prefix: str):
    return database.sources.upsert_source_with_chunks(
        workspace_id,
        title=origin,
        origin=origin,
        content_hash=hashlib.sha256(text.encode()).hexdigest(),
        mime_type="text/plain",
        size_bytes=len(text.encode()),
        text=text,
        tags=["notes"],
        chunks=chunks_of(text, prefix),
    )


def all_stored_values(database: Database) -> list[object]:
    """Every value of every column of every table."""
    values: list[object] = []
    with database.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            for row in connection.execute(table.select()):
                values.extend(row)
    return values


# -- accounts -------------------------------------------------------------------------------


def test_api_key_is_shown_once_and_only_its_hash_is_stored(database: Database) -> None:
    database.accounts.create_user("ada")
    record, plain = database.accounts.create_api_key("ada", name="laptop")

    assert plain.startswith("aiw_") and len(plain) > 40
    assert record.prefix == plain[:12] and record.name == "laptop"
    assert not any(plain in str(value) for value in all_stored_values(database))
    with database.engine.connect() as connection:
        stored = connection.execute(text("SELECT key_hash FROM api_keys")).scalar()
    assert stored == hashlib.sha256(plain.encode()).hexdigest()
    assert "key_hash" not in record.model_dump() and plain not in record.model_dump_json()


def test_verify_api_key_returns_the_user_and_records_use(database: Database) -> None:
    ada = database.accounts.create_user("ada")
    record, plain = database.accounts.create_api_key("ada")
    assert record.last_used_at is None

    assert database.accounts.verify_api_key(plain) == ada
    (listed,) = database.accounts.list_api_keys("ada")
    assert listed.last_used_at is not None
    assert listed.last_used_at.tzinfo is not None
    assert abs(listed.last_used_at - datetime.now(UTC)) < timedelta(minutes=1)


def test_verify_api_key_refuses_unknown_revoked_expired_and_disabled(database: Database) -> None:
    database.accounts.create_user("ada")
    database.accounts.create_user("bob")
    revoked, revoked_plain = database.accounts.create_api_key("ada")
    _, expired_plain = database.accounts.create_api_key(
        "ada", expires_at=datetime.now(UTC) - timedelta(seconds=1)
    )
    _, future_plain = database.accounts.create_api_key(
        "ada", expires_at=datetime.now(UTC) + timedelta(days=1)
    )
    _, bob_plain = database.accounts.create_api_key("bob")

    database.accounts.revoke_api_key(revoked.id)
    database.accounts.set_user_disabled("bob")

    assert database.accounts.verify_api_key("aiw_not-a-real-key") is None
    assert database.accounts.verify_api_key("") is None
    assert database.accounts.verify_api_key(revoked_plain) is None
    assert database.accounts.verify_api_key(expired_plain) is None
    assert database.accounts.verify_api_key(bob_plain) is None
    assert database.accounts.verify_api_key(future_plain).name == "ada"

    database.accounts.set_user_disabled("bob", False)
    assert database.accounts.verify_api_key(bob_plain).name == "bob"


def test_user_names_must_be_present_and_unique(database: Database) -> None:
    database.accounts.create_user("ada")
    with pytest.raises(ValidationError, match="already exists"):
        database.accounts.create_user(" ada ")
    with pytest.raises(ValidationError, match="empty"):
        database.accounts.create_user("   ")
    with pytest.raises(NotFoundError, match="nobody"):
        database.accounts.create_api_key("nobody")
    with pytest.raises(NotFoundError):
        database.accounts.revoke_api_key(12345)
    assert [user.name for user in database.accounts.list_users()] == ["ada"]


def test_expiry_in_another_time_zone_is_stored_as_utc(database: Database) -> None:
    database.accounts.create_user("ada")
    paris_noon = datetime(2031, 6, 1, 12, 0, tzinfo=ZoneInfo("Europe/Paris"))
    record, _ = database.accounts.create_api_key("ada", expires_at=paris_noon)
    (listed,) = database.accounts.list_api_keys("ada")
    assert record.expires_at == listed.expires_at == paris_noon
    assert listed.expires_at.utcoffset() == timedelta(0)
    assert listed.expires_at.hour == 10


# -- workspaces -----------------------------------------------------------------------------


def test_get_or_create_workspace_does_not_duplicate(database: Database) -> None:
    first = database.workspaces.get_or_create()
    again = database.workspaces.get_or_create("default")
    ada = database.accounts.create_user("ada")
    owned = database.workspaces.get_or_create("default", owner_id=ada.id)

    assert first == again and first.owner_id is None
    assert owned.id != first.id and owned.owner_id == ada.id
    assert database.workspaces.get_or_create("default", owner_id=ada.id) == owned
    assert [w.id for w in database.workspaces.list()] == sorted([first.id, owned.id])
    assert database.workspaces.list(owner_id=ada.id) == [owned]
    assert database.workspaces.get(first.id) == first
    assert database.workspaces.get(999) is None
    with pytest.raises(NotFoundError):
        database.workspaces.get_or_create("x", owner_id=999)


def test_unowned_workspace_names_are_unique_in_the_database_too(database: Database) -> None:
    database.workspaces.get_or_create("default")
    with pytest.raises(IntegrityError), database.engine.begin() as c:
        c.execute(
            text("INSERT INTO workspaces (name, created_at) VALUES ('default', :now)"),
            {"now": datetime.now(UTC)},
        )


# -- sources and chunks ---------------------------------------------------------------------


def test_upsert_source_adds_keeps_and_replaces(database: Database) -> None:
    workspace = database.workspaces.get_or_create()
    source, outcome = add_source(database, workspace.id, "notes.txt", DOCUMENT, "v1")
    assert outcome == "added"
    assert source.tags == ["notes"] and source.added_at.tzinfo is not None
    chunks = database.sources.get_chunks(source.id)
    assert [c.id for c in chunks] == ["v1-0", "v1-1", "v1-2"]
    assert all(DOCUMENT[c.start_offset : c.end_offset] == c.text for c in chunks)
    assert database.sources.get_source_text(source.id) == DOCUMENT

    same, outcome = add_source(database, workspace.id, "notes.txt", DOCUMENT, "ignored")
    assert outcome == "unchanged" and same == source
    assert [c.id for c in database.sources.get_chunks(source.id)] == ["v1-0", "v1-1", "v1-2"]

    edited = DOCUMENT + " Kappa."
    replaced, outcome = add_source(database, workspace.id, "notes.txt", edited, "v2")
    assert outcome == "replaced" and replaced.id == source.id
    assert replaced.size_bytes == len(edited) and replaced.updated_at >= source.updated_at
    assert [c.id for c in database.sources.get_chunks(source.id)] == [
        "v2-0",
        "v2-1",
        "v2-2",
        "v2-3",
    ]
    assert database.sources.get_source_text(source.id) == edited
    assert database.sources.count_chunks(workspace.id) == 4
    assert database.sources.get_chunks_by_ids(["v1-0"]) == []


def test_replace_that_fails_leaves_the_old_chunks(database: Database) -> None:
    workspace = database.workspaces.get_or_create()
    other, _ = add_source(database, workspace.id, "other.txt", "Other text entirely.", "other")
    source, _ = add_source(database, workspace.id, "notes.txt", DOCUMENT, "v1")
    before = database.sources.get_chunks(source.id)

    # The new version reuses a chunk id that belongs to another source: the database
    # refuses the insert after the old chunks were already deleted in the transaction.
    colliding = [
        *chunks_of("New text.", "v2"),
        NewChunk(id="other-0", ordinal=5, text="x", start_offset=0, end_offset=1),
    ]
    with pytest.raises(StoreError, match="nothing was changed") as caught:
        database.sources.upsert_source_with_chunks(
            workspace.id,
            title="notes.txt",
            origin="notes.txt",
            content_hash="f" * 64,
            mime_type="text/plain",
            size_bytes=9,
            text="New text.",
            chunks=colliding,
        )
    assert "notes.txt" in str(caught.value)

    assert database.sources.get_chunks(source.id) == before
    assert database.sources.get_source(source.id) == source
    assert database.sources.get_source_text(source.id) == DOCUMENT
    assert [c.id for c in database.sources.get_chunks(other.id)] == ["other-0", "other-1"]


def test_chunk_lists_are_checked_before_anything_is_written(database: Database) -> None:
    workspace = database.workspaces.get_or_create()
    duplicate_ids = [
        NewChunk(id="same", ordinal=0, text="Alpha", start_offset=0, end_offset=5),
        NewChunk(id="same", ordinal=1, text="beta", start_offset=6, end_offset=10),
    ]
    outside = [NewChunk(id="far", ordinal=0, text="?", start_offset=0, end_offset=999)]
    for chunks, message in ((duplicate_ids, "unique"), (outside, "past the end")):
        with pytest.raises(ValidationError, match=message):
            database.sources.upsert_source_with_chunks(
                workspace.id,
                title="t",
                origin="o",
                content_hash="a" * 64,
                mime_type="text/plain",
                size_bytes=len(DOCUMENT),
                text=DOCUMENT,
                chunks=chunks,
            )
    assert database.sources.list_sources(workspace.id) == []


def test_deleting_a_source_cascades_to_its_chunks(database: Database) -> None:
    """On SQLite this only works with PRAGMA foreign_keys=ON."""
    workspace = database.workspaces.get_or_create()
    kept, _ = add_source(database, workspace.id, "kept.txt", "Kept text here.", "kept")
    gone, _ = add_source(database, workspace.id, "gone.txt", DOCUMENT, "gone")

    database.sources.delete_source(gone.id)

    with database.engine.connect() as connection:
        orphans = connection.execute(
            text("SELECT count(*) FROM chunks WHERE source_id = :id"), {"id": gone.id}
        ).scalar()
    assert orphans == 0
    assert database.sources.get_source(gone.id) is None
    assert [s.id for s in database.sources.list_sources(workspace.id)] == [kept.id]
    assert database.sources.count_chunks(workspace.id) == 1
    with pytest.raises(NotFoundError):
        database.sources.delete_source(gone.id)


def test_chunks_by_ids_and_iteration(database: Database) -> None:
    workspace = database.workspaces.get_or_create()
    elsewhere = database.workspaces.get_or_create("elsewhere")
    first, _ = add_source(database, workspace.id, "a.txt", DOCUMENT, "a")
    second, _ = add_source(database, workspace.id, "b.txt", DOCUMENT, "b")
    add_source(database, elsewhere.id, "c.txt", DOCUMENT, "c")

    picked = database.sources.get_chunks_by_ids(["b-1", "missing", "a-2", "b-1"])
    assert [c.id for c in picked] == ["b-1", "a-2"]

    streamed = list(database.sources.iter_chunks(workspace.id, batch_size=2))
    expected = database.sources.get_chunks(first.id) + database.sources.get_chunks(second.id)
    assert streamed == expected and len(streamed) == 6
    assert database.sources.count_chunks(elsewhere.id) == 3


def test_deleting_a_workspace_row_cascades_everywhere(database: Database) -> None:
    workspace = database.workspaces.get_or_create()
    add_source(database, workspace.id, "a.txt", DOCUMENT, "a")
    draft, _ = database.drafts.create_draft(
        workspace.id, kind="article", title="T", topic="t", content="x"
    )
    logged = database.generations.log(
        NewGeneration(provider="offline", model="echo", input_hash="h", workspace_id=workspace.id)
    )
    with database.engine.begin() as connection:
        connection.execute(text("DELETE FROM workspaces WHERE id = :id"), {"id": workspace.id})
    assert database.sources.count_chunks(workspace.id) == 0
    assert database.drafts.get_draft(draft.id) is None
    (kept,) = database.generations.list_recent()
    assert kept.id == logged.id and kept.workspace_id is None  # SET NULL keeps the log


# -- drafts ---------------------------------------------------------------------------------


def test_draft_versions_are_numbered_and_listed(database: Database) -> None:
    workspace = database.workspaces.get_or_create()
    draft, first = database.drafts.create_draft(
        workspace.id,
        kind="article",
        title="On gardens",
        topic="gardens",
        content="# Outline",
        stage="outline",
        meta={"words": 2},
    )
    second = database.drafts.add_version(draft.id, content="Draft text", stage="draft")
    third = database.drafts.add_version(draft.id, content="Final text", stage="final")

    assert (first.version, second.version, third.version) == (1, 2, 3)
    assert first.meta == {"words": 2} and second.meta == {}
    assert [v.stage for v in database.drafts.list_versions(draft.id)] == [
        "outline",
        "draft",
        "final",
    ]
    assert database.drafts.get_version(draft.id) == third
    assert database.drafts.get_version(draft.id, 1) == first
    assert database.drafts.get_version(draft.id, 9) is None
    assert database.drafts.get_draft(draft.id).updated_at == third.created_at
    assert database.drafts.list_drafts(workspace.id)[0].id == draft.id

    with pytest.raises(NotFoundError):
        database.drafts.add_version(999, content="x", stage="draft")


def test_draft_versions_cannot_be_updated(database: Database) -> None:
    workspace = database.workspaces.get_or_create()
    draft, _ = database.drafts.create_draft(
        workspace.id, kind="article", title="T", topic="t", content="original"
    )
    with Session(database.engine) as session:
        version = session.scalars(select(DraftVersion)).one()
        version.content = "rewritten history"
        with pytest.raises(StoreError, match="append-only"):
            session.commit()
        session.rollback()
    assert database.drafts.get_version(draft.id).content == "original"


def test_a_taken_version_number_is_retried(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Simulates a concurrent writer taking the next number between our read and insert."""
    workspace = database.workspaces.get_or_create()
    draft, _ = database.drafts.create_draft(
        workspace.id, kind="article", title="T", topic="t", content="v1"
    )
    real_append = drafts_module._append
    raced = []

    def racing_append(session, draft, number, **kwargs):
        if not raced:
            raced.append(number)
            database.drafts.add_version(draft.id, content="theirs", stage="draft")
        return real_append(session, draft, number, **kwargs)

    monkeypatch.setattr(drafts_module, "_append", racing_append)
    ours = database.drafts.add_version(draft.id, content="ours", stage="draft")
    assert raced == [2] and ours.version == 3
    contents = [v.content for v in database.drafts.list_versions(draft.id)]
    assert contents == ["v1", "theirs", "ours"]


def test_deleting_a_draft_removes_versions_and_unlinks_the_log(database: Database) -> None:
    workspace = database.workspaces.get_or_create()
    draft, _ = database.drafts.create_draft(
        workspace.id, kind="article", title="T", topic="t", content="x"
    )
    database.generations.log(
        NewGeneration(provider="offline", model="echo", input_hash="h", draft_id=draft.id)
    )
    database.drafts.delete_draft(draft.id)
    assert database.drafts.get_draft(draft.id) is None
    assert database.drafts.get_version(draft.id) is None
    assert database.generations.list_recent()[0].draft_id is None
    with pytest.raises(NotFoundError):
        database.drafts.delete_draft(draft.id)


# -- generations ----------------------------------------------------------------------------


def generation(**overrides: object) -> NewGeneration:
    values: dict[str, object] = {
        "provider": "openai",
        "model": "gpt-test",
        "input_hash": "a" * 64,
        "output": "an answer",
        "finish_reason": "stop",
        "prompt_tokens": 10,
        "completion_tokens": 5,
        "latency_ms": 120.5,
        "cost_usd": 0.25,
    }
    return NewGeneration.model_validate(values | overrides)


def test_cache_lookup_returns_the_latest_successful_answer(database: Database) -> None:
    database.generations.log(generation(output="older answer"))
    latest = database.generations.log(generation(output="newer answer"))
    database.generations.log(generation(output=None, error="rate limited"))
    database.generations.log(generation(output="partial", error="timeout"))

    assert database.generations.find_cached("openai", "gpt-test", "a" * 64) == latest
    assert database.generations.find_cached("openai", "other-model", "a" * 64) is None
    assert database.generations.find_cached("gemini", "gpt-test", "a" * 64) is None
    assert database.generations.find_cached("openai", "gpt-test", "b" * 64) is None


def test_list_recent_is_newest_first(database: Database) -> None:
    logged = [database.generations.log(generation(output=str(i))) for i in range(5)]
    recent = database.generations.list_recent(3)
    assert [g.id for g in recent] == [g.id for g in reversed(logged)][:3]
    assert recent[0].latency_ms == 120.5 and recent[0].created_at.tzinfo is not None


def test_usage_is_summed_per_provider_and_utc_day(database: Database) -> None:
    def log_at(when: datetime, **overrides: object) -> None:
        logged = database.generations.log(generation(**overrides))
        with Session(database.engine) as session, session.begin():
            session.get(Generation, logged.id).created_at = when

    day_one = datetime(2030, 1, 1, 23, 30, tzinfo=UTC)
    # 01:00 on Jan 2 in New York is 06:00 UTC: still Jan 2 in UTC.
    day_two = datetime(2030, 1, 2, 1, 0, tzinfo=ZoneInfo("America/New_York"))
    log_at(day_one)
    log_at(day_one, prompt_tokens=30, completion_tokens=None, cost_usd=None, cache_hit=True)
    log_at(day_one, provider="gemini", output=None, error="refused", cost_usd=0.0)
    log_at(day_two, prompt_tokens=1, completion_tokens=2, cost_usd=0.5)

    usage = [row.model_dump() for row in database.generations.usage_by_provider_and_day()]
    assert usage == [
        {
            "provider": "gemini",
            "day": "2030-01-01",
            "calls": 1,
            "prompt_tokens": 10,
            "completion_tokens": 5,
            "cost_usd": 0.0,
            "cache_hits": 0,
            "errors": 1,
        },
        {
            "provider": "openai",
            "day": "2030-01-01",
            "calls": 2,
            "prompt_tokens": 40,
            "completion_tokens": 5,
            "cost_usd": 0.25,
            "cache_hits": 1,
            "errors": 0,
        },
        {
            "provider": "openai",
            "day": "2030-01-02",
            "calls": 1,
            "prompt_tokens": 1,
            "completion_tokens": 2,
            "cost_usd": 0.5,
            "cache_hits": 0,
            "errors": 0,
        },
    ]
    since = database.generations.usage_by_provider_and_day(since=datetime(2030, 1, 2, tzinfo=UTC))
    assert [(row.provider, row.day) for row in since] == [("openai", "2030-01-02")]


# -- batches --------------------------------------------------------------------------------


def test_batch_rows_move_through_their_statuses(database: Database) -> None:
    workspace = database.workspaces.get_or_create()
    run = database.batches.create_run(
        "weekly",
        input_path="topics.csv",
        template="article",
        params={"words": 800},
        workspace_id=workspace.id,
    )
    rows = database.batches.add_rows(
        run.id,
        [NewBatchRow(row_key="r1", topic="Bees"), NewBatchRow(row_key="r2", topic="Wasps")],
    )
    assert [r.status for r in rows] == ["pending", "pending"]
    assert database.batches.get_run(run.id).total_rows == 2

    first, second = rows
    running = database.batches.set_row_status(first.id, "running")
    assert running.started_at is not None and running.finished_at is None
    draft, _ = database.drafts.create_draft(
        workspace.id, kind="article", title="Bees", topic="Bees", content="..."
    )
    done = database.batches.set_row_status(
        first.id, "done", output_path="out/bees.md", draft_id=draft.id
    )
    assert done.finished_at is not None and done.draft_id == draft.id
    assert done.output_path == "out/bees.md"

    database.batches.set_row_status(second.id, "running")
    failed = database.batches.set_row_status(second.id, "failed", error="provider down")
    assert failed.error == "provider down"
    retried = database.batches.set_row_status(second.id, "pending")
    assert retried.error is None and retried.started_at is None

    assert [r.row_key for r in database.batches.list_rows(run.id, "done")] == ["r1"]
    assert [r.row_key for r in database.batches.list_rows(run.id, "pending")] == ["r2"]
    assert [r.row_key for r in database.batches.list_rows(run.id)] == ["r1", "r2"]

    with pytest.raises(ValidationError, match="cannot become"):
        database.batches.set_row_status(first.id, "running")  # done is final
    with pytest.raises(ValidationError, match="cannot become"):
        database.batches.set_row_status(second.id, "done")  # never ran
    with pytest.raises(ValidationError, match="unknown"):
        database.batches.set_row_status(second.id, "exploded")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="why"):
        database.batches.set_row_status(second.id, "failed")

    finished = database.batches.finish_run(run.id, "done")
    assert finished.status == "done" and finished.finished_at is not None
    assert database.batches.find_run_by_name("weekly", workspace.id) == finished
    assert database.batches.find_run_by_name("weekly") is None  # names are per workspace
    assert finished.params == {"words": 800}


def test_row_keys_are_unique_within_a_run(database: Database) -> None:
    run = database.batches.create_run("r", input_path="in.csv", template="article")
    other = database.batches.create_run("r", input_path="in.csv", template="article")
    database.batches.add_rows(run.id, [NewBatchRow(row_key="k", topic="t")])

    with pytest.raises(ValidationError, match="nothing was added"):
        database.batches.add_rows(
            run.id, [NewBatchRow(row_key="new", topic="t"), NewBatchRow(row_key="k", topic="t")]
        )
    with pytest.raises(ValidationError, match="unique"):
        database.batches.add_rows(
            run.id, [NewBatchRow(row_key="x", topic="t"), NewBatchRow(row_key="x", topic="t")]
        )
    assert [r.row_key for r in database.batches.list_rows(run.id)] == ["k"]
    assert database.batches.get_run(run.id).total_rows == 1
    database.batches.add_rows(other.id, [NewBatchRow(row_key="k", topic="t")])  # other run: fine
    assert database.batches.find_run_by_name("r").id == other.id


def test_batch_runs_are_listed_newest_first_and_can_be_reopened(database: Database) -> None:
    first = database.batches.create_run("first", input_path="a.csv", template="t.ipynb")
    second = database.batches.create_run("second", input_path="b.csv", template="t.ipynb")
    assert [run.id for run in database.batches.list_runs()] == [second.id, first.id]
    finished = database.batches.finish_run(first.id, "done")
    assert finished.status == "done" and finished.finished_at is not None
    reopened = database.batches.reopen_run(first.id)
    assert reopened.status == "running" and reopened.finished_at is None
    with pytest.raises(NotFoundError):
        database.batches.reopen_run(999_999)


def test_batch_runs_are_listed_per_owner(database: Database) -> None:
    alice = database.accounts.create_user("alice")
    bob = database.accounts.create_user("bob")
    spaces = {
        user.id: database.workspaces.get_or_create("default", user.id) for user in (alice, bob)
    }
    unfiled = database.batches.create_run("ops", input_path="a.csv", template="t")
    mine = database.batches.create_run(
        "mine", input_path="b.csv", template="t", workspace_id=spaces[alice.id].id
    )
    theirs = database.batches.create_run(
        "theirs", input_path="c.csv", template="t", workspace_id=spaces[bob.id].id
    )
    assert [run.id for run in database.batches.list_runs(alice.id)] == [mine.id]
    assert [run.id for run in database.batches.list_runs(bob.id)] == [theirs.id]
    assert [run.id for run in database.batches.list_runs()] == [theirs.id, mine.id, unfiled.id]
