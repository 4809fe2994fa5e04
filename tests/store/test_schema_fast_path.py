"""A database at the head is recognised without Alembic, which costs every open 0.3 s.

The fast answer must be the one Alembic gives: the head read from the migration files is
Alembic's head, and anything but one row at the head goes the full way (the migration tests
cover those states through ``Database``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import text

from aiwriter_kernel.store import Database, schema

HEAD = schema.head_revision()
OPEN_AND_REPORT = """
import json, sys
from aiwriter_kernel.store import Database
with Database.open({url!r}) as database:
    state = database.state().value
print(json.dumps({{"state": state, "alembic": "alembic" in sys.modules}}))
"""


def test_the_head_read_from_the_files_is_alembics() -> None:
    assert schema.head_from_files() == schema.head_revision()


def test_a_current_database_opens_without_importing_alembic(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    Database.open(url).close()  # created and migrated (this one needs Alembic)
    result = subprocess.run(
        [sys.executable, "-c", OPEN_AND_REPORT.format(url=url)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        env=dict(os.environ),
    )
    assert json.loads(result.stdout) == {"state": "current", "alembic": False}


def test_only_one_row_at_the_head_is_current(database_url: str) -> None:
    """An older revision, or two rows (a branched history), is left to Alembic to judge."""
    with Database.open(database_url) as database, database.engine.begin() as connection:
        assert schema.current_fast(connection)
        connection.execute(text("INSERT INTO alembic_version VALUES ('0001_initial')"))
        assert not schema.current_fast(connection)
        connection.execute(text(f"DELETE FROM alembic_version WHERE version_num = '{HEAD}'"))
        assert not schema.current_fast(connection)
        connection.rollback()
