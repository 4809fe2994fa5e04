"""Migrations: they build exactly the models' schema, and opening refuses what it must not touch."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

from aiwriter_kernel.errors import SchemaOutdatedError, SchemaTooNewError, StoreError
from aiwriter_kernel.store import Database, schema
from aiwriter_kernel.store.engine import create_engine_for
from aiwriter_kernel.store.schema import SchemaState
from aiwriter_kernel.store.tables import Base

APP_TABLES = set(Base.metadata.tables)
HEAD = "0004_source_vectors_pending"

# A second revision for tests only, so "older" and "newer" schemas can be real ones.
PROBE_REVISION = """
import sqlalchemy as sa
from alembic import op

revision = "0099_probe"
down_revision = "{down}"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("probe", sa.Column("id", sa.Integer(), primary_key=True))


def downgrade():
    op.drop_table("probe")
"""


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    created = create_engine_for(database_url)
    yield created
    created.dispose()


@pytest.fixture
def newer_migrations(tmp_path: Path) -> Path:
    """A copy of the packaged migrations with one extra revision on top."""
    copy = tmp_path / "migrations"
    shutil.copytree(schema.MIGRATIONS_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    down = schema.head_revision()
    (copy / "versions" / "0099_probe.py").write_text(PROBE_REVISION.format(down=down))
    return copy


def tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def test_upgrade_creates_every_table_and_downgrade_removes_them(engine: Engine) -> None:
    assert schema.schema_state(engine) is SchemaState.EMPTY
    schema.upgrade(engine)
    assert tables(engine) == APP_TABLES | {"alembic_version"}
    assert schema.current_revision(engine) == schema.head_revision() == HEAD
    assert schema.schema_state(engine) is SchemaState.CURRENT

    schema.downgrade(engine, "base")
    assert tables(engine) <= {"alembic_version"}
    assert schema.current_revision(engine) is None
    assert schema.schema_state(engine) is SchemaState.EMPTY

    schema.upgrade(engine)
    assert tables(engine) == APP_TABLES | {"alembic_version"}
    assert schema.schema_state(engine) is SchemaState.CURRENT


def test_upgrading_from_0001_adds_personas_and_keeps_existing_rows(engine: Engine) -> None:
    schema.upgrade(engine, "0001_initial")
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO users (name, created_at, disabled) VALUES ('ada', :now, false)"),
            {"now": "2026-01-01 00:00:00+00:00"},
        )
    assert "personas" not in tables(engine)
    schema.upgrade(engine)
    assert "personas" in tables(engine)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT name FROM users")).scalars().all() == ["ada"]


def test_upgrading_from_0002_adds_jobs_and_keeps_existing_rows(engine: Engine) -> None:
    schema.upgrade(engine, "0002_personas")
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO users (name, created_at, disabled) VALUES ('ada', :now, false)"),
            {"now": "2026-01-01 00:00:00+00:00"},
        )
    assert not {"jobs", "job_events"} & tables(engine)
    schema.upgrade(engine)
    assert {"jobs", "job_events"} <= tables(engine)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT name FROM users")).scalars().all() == ["ada"]
    with Database.open(str(engine.url.render_as_string(hide_password=False))) as database:
        ada = database.accounts.get_user_by_name("ada")
        assert ada is not None
        job = database.jobs.create("article", {"topic": "t"}, ada.id)
        assert database.jobs.get(job.id) == job


def test_upgrading_from_0003_keeps_sources_and_takes_them_as_complete(engine: Engine) -> None:
    schema.upgrade(engine, "0003_jobs")
    now = "2026-01-01 00:00:00+00:00"
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO workspaces (id, name, created_at) VALUES (1, 'default', :now)"),
            {"now": now},
        )
        connection.execute(
            text(
                "INSERT INTO sources (workspace_id, title, origin, content_hash, mime_type, "
                "size_bytes, text, tags, added_at, updated_at) VALUES (1, 'T', 'o', 'h', "
                "'text/plain', 4, 'text', '[]', :now, :now)"
            ),
            {"now": now},
        )
    schema.upgrade(engine)
    with Database.open(str(engine.url.render_as_string(hide_password=False))) as database:
        assert database.sources.pending_sources() == []
        (source,) = database.sources.list_sources(1)
        assert source.title == "T" and source.vectors_pending is False
    schema.downgrade(engine, "0003_jobs")
    with engine.connect() as connection:
        assert connection.execute(text("SELECT title FROM sources")).scalars().all() == ["T"]


def test_migrations_match_the_models(engine: Engine) -> None:
    """Autogenerate finds nothing to do: models and migrations describe the same schema."""
    schema.upgrade(engine)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_the_comparison_would_notice_a_missing_column(engine: Engine) -> None:
    """Guards the guard: drop a column the models have, and the comparison reports it."""
    schema.upgrade(engine)
    with engine.begin() as connection:
        connection.execute(text("DROP INDEX ix_generations_input_hash"))
        connection.execute(text("ALTER TABLE generations DROP COLUMN input_hash"))
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    added = [
        (diff[2], diff[3].name)
        for diff in differences
        if isinstance(diff, tuple) and diff[0] == "add_column"
    ]
    assert added == [("generations", "input_hash")]


def test_open_migrates_an_empty_database(database_url: str) -> None:
    with Database.open(database_url) as database:
        assert database.state() is SchemaState.CURRENT
        assert tables(database.engine) == APP_TABLES | {"alembic_version"}


def test_open_without_migrate_refuses_an_empty_database(database_url: str) -> None:
    with pytest.raises(SchemaOutdatedError, match="aiwriter db upgrade"):
        Database.open(database_url, migrate=False)
    with Database.connect(database_url) as database:
        assert tables(database.engine) == set()


def test_outdated_schema_is_refused_until_upgraded(
    database_url: str, newer_migrations: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Database.open(database_url) as database:
        user = database.accounts.create_user("ada")
    monkeypatch.setattr(schema, "MIGRATIONS_DIR", newer_migrations)  # this code's head: 0099

    with Database.connect(database_url) as database:
        assert database.state() is SchemaState.OUTDATED
    with pytest.raises(SchemaOutdatedError, match="aiwriter db upgrade") as caught:
        Database.open(database_url)
    assert HEAD in str(caught.value) and "0099_probe" in str(caught.value)

    with Database.connect(database_url) as database:
        assert database.accounts.get_user_by_name("ada") == user  # nothing was touched
        database.upgrade()
        assert database.state() is SchemaState.CURRENT
        assert "probe" in tables(database.engine)
    with Database.open(database_url) as database:
        assert database.accounts.get_user_by_name("ada") == user


def test_schema_from_a_newer_aiwriter_is_refused_and_kept(
    database_url: str, newer_migrations: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as newer_code:
        newer_code.setattr(schema, "MIGRATIONS_DIR", newer_migrations)
        with Database.open(database_url) as database:  # migrated by the "newer" aiwriter
            database.accounts.create_user("ada")

    with Database.connect(database_url) as database:
        assert database.state() is SchemaState.TOO_NEW
        with pytest.raises(SchemaTooNewError):
            database.upgrade()
    with pytest.raises(SchemaTooNewError) as caught:
        Database.open(database_url)
    message = str(caught.value)
    assert "0099_probe" in message and HEAD in message
    assert "AIWRITER_DATABASE_URL" in message

    with Database.connect(database_url) as database:
        assert schema.current_revision(database.engine) == "0099_probe"
        assert {"probe", "users"} <= tables(database.engine)
        assert [u.name for u in database.accounts.list_users()] == ["ada"]


def test_unknown_revision_is_too_new(engine: Engine, database_url: str) -> None:
    schema.upgrade(engine)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    assert schema.schema_state(engine) is SchemaState.TOO_NEW
    with pytest.raises(SchemaTooNewError, match="9999_future"):
        Database.open(database_url)
    assert schema.current_revision(engine) == "9999_future"


def test_foreign_tables_are_never_touched(engine: Engine, database_url: str) -> None:
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE users (login VARCHAR(20) PRIMARY KEY)"))
        connection.execute(text("INSERT INTO users (login) VALUES ('someone-else')"))
    assert schema.schema_state(engine) is SchemaState.UNVERSIONED

    with pytest.raises(StoreError, match="not aiwriter's"):
        Database.open(database_url)
    with Database.connect(database_url) as database, pytest.raises(StoreError):
        database.upgrade()

    assert tables(engine) == {"users"}  # no alembic_version, none of our tables
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT login FROM users")).all()
    assert rows == [("someone-else",)]


@pytest.mark.parametrize(
    "database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
def test_postgres_tables_land_in_the_test_schema(database_url: str) -> None:
    with Database.open(database_url) as database, database.engine.connect() as connection:
        current = connection.execute(text("SELECT current_schema()")).scalar()
        in_schema = connection.execute(
            text("SELECT table_name FROM information_schema.tables WHERE table_schema = :schema"),
            {"schema": current},
        ).scalars()
        assert current is not None and current.startswith("t_")
        assert set(in_schema) == APP_TABLES | {"alembic_version"}
