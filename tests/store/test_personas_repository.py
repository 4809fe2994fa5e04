"""The personas repository on a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from aiwriter_kernel.errors import NotFoundError, StoreError
from aiwriter_kernel.store import Database

PLAIN = {"audience": "beginners", "tone": "friendly", "banned_words": ["synergy"]}


def test_save_then_get_returns_the_fields(database: Database) -> None:
    space = database.workspaces.get_or_create()
    saved = database.personas.save(space.id, "Plain", PLAIN)
    found = database.personas.get(space.id, "Plain")
    assert found is not None
    assert (found.id, found.name, found.spec) == (saved.id, "Plain", PLAIN)
    assert found.workspace_id == space.id
    assert database.personas.get(space.id, "Other") is None


def test_saving_the_same_name_replaces_the_fields(database: Database) -> None:
    space = database.workspaces.get_or_create()
    first = database.personas.save(space.id, "Plain", PLAIN)
    second = database.personas.save(space.id, "Plain", {"tone": "formal"})
    assert second.id == first.id
    assert second.updated_at >= first.updated_at
    assert database.personas.get(space.id, "Plain").spec == {"tone": "formal"}
    assert [p.name for p in database.personas.list(space.id)] == ["Plain"]


def test_list_is_by_name_and_per_workspace(database: Database) -> None:
    space = database.workspaces.get_or_create()
    other = database.workspaces.get_or_create("agency")
    for name in ("Zed", "Ada", "Mia"):
        database.personas.save(space.id, name, {})
    database.personas.save(other.id, "Bob", {})
    assert [p.name for p in database.personas.list(space.id)] == ["Ada", "Mia", "Zed"]
    assert [p.name for p in database.personas.list(other.id)] == ["Bob"]


def test_delete_removes_only_that_persona(database: Database) -> None:
    space = database.workspaces.get_or_create()
    database.personas.save(space.id, "Plain", PLAIN)
    database.personas.save(space.id, "Formal", {})
    database.personas.delete(space.id, "Plain")
    assert database.personas.get(space.id, "Plain") is None
    assert [p.name for p in database.personas.list(space.id)] == ["Formal"]


def test_deleting_an_unknown_persona_is_not_found(database: Database) -> None:
    space = database.workspaces.get_or_create()
    with pytest.raises(NotFoundError, match="Ghost"):
        database.personas.delete(space.id, "Ghost")
    database.personas.save(space.id, "Plain", PLAIN)
    database.personas.delete(space.id, "Plain")
    with pytest.raises(NotFoundError):
        database.personas.delete(space.id, "Plain")  # a second delete finds nothing


def test_the_same_name_in_two_workspaces_is_two_personas(database: Database) -> None:
    home = database.workspaces.get_or_create()
    agency = database.workspaces.get_or_create("agency")
    mine = database.personas.save(home.id, "Plain", PLAIN)
    theirs = database.personas.save(agency.id, "Plain", {"tone": "formal"})
    assert mine.id != theirs.id
    database.personas.delete(agency.id, "Plain")
    assert database.personas.get(home.id, "Plain").spec == PLAIN
    assert database.personas.get(agency.id, "Plain") is None


def test_saving_into_a_missing_workspace_is_refused(database: Database) -> None:
    with pytest.raises(StoreError, match="workspace 999"):
        database.personas.save(999, "Plain", PLAIN)


def test_deleting_the_workspace_deletes_its_personas(database: Database) -> None:
    gone = database.workspaces.get_or_create("gone")
    kept = database.workspaces.get_or_create("kept")
    database.personas.save(gone.id, "Plain", PLAIN)
    database.personas.save(kept.id, "Plain", PLAIN)
    with database.engine.begin() as connection:
        connection.execute(text("DELETE FROM workspaces WHERE id = :id"), {"id": gone.id})
        left = connection.execute(text("SELECT workspace_id FROM personas")).scalars().all()
    assert left == [kept.id]
    assert database.personas.list(gone.id) == []
