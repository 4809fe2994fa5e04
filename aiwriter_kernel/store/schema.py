"""Migration control: where a database's schema stands, and moving it to another revision.

The Alembic configuration is built in code, so users never need an ``alembic.ini``;
the CLI (``aiwriter db``), ``doctor`` and ``Database`` all go through these functions.

Every ``Workbench.open`` asks where the schema stands, and importing Alembic's script and
migration machinery for that cost 0.3 s of each ``aiwriter search``. So the common case,
a database already at the head, is answered without Alembic (``current_fast``): the head is
read from the migration files' ``revision``/``down_revision`` lines and compared with the
database's ``alembic_version`` row. Anything else (no version table, several heads, another
revision) goes the full Alembic way.
"""

from __future__ import annotations

import enum
import functools
import re
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect, text

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
VERSION_TABLE = "alembic_version"
_REVISION_LINE = re.compile(r"^(down_revision|revision)\b[^=]*=\s*(.+)$", re.MULTILINE)
_QUOTED = re.compile(r"[\"']([^\"']+)[\"']")


class SchemaState(enum.Enum):
    """Where a database stands relative to this code's migrations."""

    EMPTY = "empty"  # no tables at all: safe to create the schema
    CURRENT = "current"  # at this code's head revision
    OUTDATED = "outdated"  # at an older revision this code knows: `aiwriter db upgrade`
    TOO_NEW = "too_new"  # at a revision this code does not know: a newer aiwriter migrated it
    UNVERSIONED = "unversioned"  # has tables but no revision: not ours, never touch it


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config pointing at the packaged migrations, optionally bound to a connection."""
    from alembic.config import Config

    config = Config()
    # Config values go through configparser interpolation, where "%" is special.
    config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def _scripts() -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config())


def head_from_files() -> str | None:
    """The single head revision, read from the migration files' text; None when that is not
    clear-cut (several heads, an unexpected layout), and callers then ask Alembic."""
    return _head_in(MIGRATIONS_DIR)


@functools.cache
def _head_in(migrations: Path) -> str | None:
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (migrations / "versions").glob("*.py"):
        for name, value in _REVISION_LINE.findall(path.read_text(encoding="utf-8")):
            found = set(_QUOTED.findall(value))
            if name == "revision":
                revisions |= found
            else:
                parents |= found
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def current_fast(connection: Connection) -> bool:
    """Whether the database is at the head, decided without importing Alembic: its version
    table holds exactly one row, equal to the head of the migration files."""
    head = head_from_files()
    if head is None or not inspect(connection).has_table(VERSION_TABLE):
        return False
    rows = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).all()
    return len(rows) == 1 and rows[0][0] == head


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
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def schema_state(engine: Engine) -> SchemaState:
    """Classify the database without changing anything in it."""
    with engine.connect() as connection:
        if current_fast(connection):
            return SchemaState.CURRENT
        from alembic.runtime.migration import MigrationContext

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
    from alembic import command

    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Migrate back to ``revision`` ("base" removes every aiwriter table)."""
    from alembic import command

    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), revision)
