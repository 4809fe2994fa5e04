"""Migration control: where a database's schema stands, and moving it to another revision.

The Alembic configuration is built in code, so users never need an ``alembic.ini``;
the CLI (``aiwriter db``), ``doctor`` and ``Database`` all go through these functions.
"""

from __future__ import annotations

import enum
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
VERSION_TABLE = "alembic_version"


class SchemaState(enum.Enum):
    """Where a database stands relative to this code's migrations."""

    EMPTY = "empty"  # no tables at all: safe to create the schema
    CURRENT = "current"  # at this code's head revision
    OUTDATED = "outdated"  # at an older revision this code knows: `aiwriter db upgrade`
    TOO_NEW = "too_new"  # at a revision this code does not know: a newer aiwriter migrated it
    UNVERSIONED = "unversioned"  # has tables but no revision: not ours, never touch it


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config pointing at the packaged migrations, optionally bound to a connection."""
    config = Config()
    # Config values go through configparser interpolation, where "%" is special.
    config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    """The revision this version of aiwriter migrates databases to."""
    head = _scripts().get_current_head()
    assert head is not None, "the packaged migrations have no revision"
    return head


def known_revisions() -> set[str]:
    """Every revision this version of aiwriter has a migration for."""
    return {script.revision for script in _scripts().walk_revisions()}


def current_revision(engine: Engine) -> str | None:
    """The revision stamped in the database, or None when it has none."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def schema_state(engine: Engine) -> SchemaState:
    """Classify the database without changing anything in it."""
    with engine.connect() as connection:
        tables = set(inspect(connection).get_table_names())
        revision = None
        if VERSION_TABLE in tables:
            revision = MigrationContext.configure(connection).get_current_revision()
    if revision is None:
        # A downgrade to base leaves an empty version table behind: that is still empty.
        return SchemaState.EMPTY if tables <= {VERSION_TABLE} else SchemaState.UNVERSIONED
    if revision == head_revision():
        return SchemaState.CURRENT
    if revision in known_revisions():
        return SchemaState.OUTDATED
    return SchemaState.TOO_NEW


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate forward to ``revision``, in one transaction where the backend allows it."""
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Migrate back to ``revision`` ("base" removes every aiwriter table)."""
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), revision)
