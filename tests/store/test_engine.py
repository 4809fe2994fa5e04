"""Engine creation and the safety checks done before a database is used."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from aiwriter_kernel import Workbench
from aiwriter_kernel.errors import ConfigError, StoreError
from aiwriter_kernel.store import Database
from aiwriter_kernel.store.engine import create_engine_for


@pytest.mark.parametrize("url", ["not a url at all", "://nothing", ""])
def test_malformed_url_is_a_config_error_naming_the_setting(url: str) -> None:
    with pytest.raises(ConfigError, match="AIWRITER_DATABASE_URL") as caught:
        create_engine_for(url)
    assert "postgresql+psycopg://" in str(caught.value)  # shows an example
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("url", ["mysql://u:p@localhost/db", "oracle://localhost/db"])
def test_unsupported_backend_is_a_config_error(url: str) -> None:
    with pytest.raises(ConfigError, match="AIWRITER_DATABASE_URL") as caught:
        create_engine_for(url)
    assert "sqlite" in str(caught.value) and "postgresql" in str(caught.value)


def test_missing_driver_is_a_config_error_without_the_password() -> None:
    with pytest.raises(ConfigError, match="AIWRITER_DATABASE_URL") as caught:
        create_engine_for("postgresql+nosuchdriver://user:hunter2@localhost/db")
    assert "hunter2" not in str(caught.value)


@pytest.mark.parametrize(
    "url",
    [
        "postgres://user:pw@db.example:5432/aiwriter",
        "postgresql://user:pw@db.example:5432/aiwriter",
        "postgresql+psycopg://user:pw@db.example:5432/aiwriter",
    ],
)
def test_postgres_urls_use_psycopg_3(url: str) -> None:
    engine = create_engine_for(url)  # creating an engine does not connect
    assert engine.url.drivername == "postgresql+psycopg"
    assert engine.url.host == "db.example" and engine.url.database == "aiwriter"
    assert engine.pool._pre_ping  # type: ignore[attr-defined]
    engine.dispose()


def test_sqlite_connections_get_wal_foreign_keys_and_busy_timeout(tmp_path: Path) -> None:
    engine = create_engine_for(f"sqlite:///{tmp_path / 'nested' / 'dir' / 'a.db'}")
    assert (tmp_path / "nested" / "dir").is_dir()  # the parent directory is created
    with engine.connect() as connection:
        pragmas = {
            name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "foreign_keys", "busy_timeout")
        }
    engine.dispose()
    assert pragmas == {"journal_mode": "wal", "foreign_keys": 1, "busy_timeout": 30000}


def test_in_memory_sqlite_keeps_its_data_across_sessions() -> None:
    with Database.open("sqlite://") as database:
        database.workspaces.get_or_create("kept")
        assert [w.name for w in database.workspaces.list()] == ["kept"]
        with database.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


@pytest.mark.parametrize("size", [5, 4096])
def test_file_that_is_not_a_database_is_refused_and_left_unchanged(
    tmp_path: Path, size: int
) -> None:
    path = tmp_path / "aiwriter.db"
    garbage = os.urandom(size)
    path.write_bytes(garbage)
    for open_it in (Database.open, Database.connect):
        with pytest.raises(StoreError) as caught:
            open_it(f"sqlite:///{path}")
        message = str(caught.value)
        assert str(path) in message and "move it aside or restore a backup" in message
        assert "SQLite header" in message  # refused before SQLite opened it
    assert path.read_bytes() == garbage
    assert sorted(p.name for p in tmp_path.iterdir()) == ["aiwriter.db"]  # no -wal / -journal


def test_damaged_file_with_an_sqlite_header_is_refused_and_left_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "aiwriter.db"
    damaged = b"SQLite format 3\x00" + os.urandom(8192)
    path.write_bytes(damaged)
    with pytest.raises(StoreError, match="restore a backup") as caught:
        Database.open(f"sqlite:///{path}")
    assert str(path) in str(caught.value)
    assert path.read_bytes() == damaged


def test_empty_file_is_a_new_database(tmp_path: Path) -> None:
    path = tmp_path / "aiwriter.db"
    path.touch()  # SQLite treats a zero-byte file as an empty database
    with Database.open(f"sqlite:///{path}") as database:
        assert database.workspaces.get_or_create().name == "default"


def test_unreachable_server_is_a_store_error_without_the_password() -> None:
    url = "postgresql://writer:hunter2@127.0.0.1:9/aiwriter"  # port 9: nothing listens
    with pytest.raises(StoreError) as caught:
        Database.open(url)
    message = str(caught.value)
    assert "127.0.0.1:9" in message and "writer" in message
    assert "hunter2" not in message
    assert "\n" not in message


def test_a_new_sqlite_database_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    """It holds API key hashes and drafts: 0600, even under the common umask 022."""
    previous = os.umask(0o022)
    try:
        with Workbench.open(home=tmp_path / "home") as wb:
            wb.db.accounts.create_user("ann")  # a write: the WAL files exist now
            files = sorted(wb.settings.home.glob("aiwriter.db*"))
            modes = {path.name: path.stat().st_mode & 0o777 for path in files}
    finally:
        os.umask(previous)
    assert modes == {name: 0o600 for name in ("aiwriter.db", "aiwriter.db-shm", "aiwriter.db-wal")}
