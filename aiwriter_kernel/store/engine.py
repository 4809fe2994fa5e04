"""Turn a database URL into a configured SQLAlchemy engine, or a one-line ``ConfigError``.

Only SQLite (the default, a file in the home) and PostgreSQL (shared deployments) are
supported. SQLite needs per-connection PRAGMAs to behave like a real database: foreign keys
are off by default, and without WAL and a busy timeout concurrent writers fail at once.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from sqlalchemy.pool import StaticPool

from aiwriter_kernel.errors import ConfigError
from aiwriter_kernel.redaction import redact_url

EXAMPLE_URLS = "sqlite:////path/to/aiwriter.db or postgresql+psycopg://user:password@host/aiwriter"
SQLITE_BUSY_TIMEOUT_MS = 30_000
POSTGRES_CONNECT_TIMEOUT_S = 10
PRIVATE_FILE_MODE = 0o600


def create_engine_for(url: str) -> Engine:
    """An engine for ``url``, with the settings aiwriter relies on for its backend."""
    parsed = parse_database_url(url)
    try:
        if parsed.get_backend_name() == "sqlite":
            return _sqlite_engine(parsed)
        return _postgres_engine(parsed)
    except (ImportError, NoSuchModuleError, ArgumentError) as error:
        raise ConfigError(
            f"AIWRITER_DATABASE_URL={redact_url(url)} cannot be used ({error}); "
            f"use e.g. {EXAMPLE_URLS}"
        ) from None


def parse_database_url(url: str) -> URL:
    """Validate ``url`` and normalise PostgreSQL URLs to the installed psycopg 3 driver."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        raise ConfigError(
            f"AIWRITER_DATABASE_URL={redact_url(url)!r} is not a database URL; "
            f"use e.g. {EXAMPLE_URLS}"
        ) from None
    backend, _, driver = parsed.drivername.partition("+")
    if backend == "postgres":  # Heroku-style alias SQLAlchemy no longer accepts
        backend = "postgresql"
    if backend == "postgresql":
        return parsed.set(drivername=f"postgresql+{driver or 'psycopg'}")
    if backend != "sqlite":
        raise ConfigError(
            f"AIWRITER_DATABASE_URL uses {backend!r}, which aiwriter does not support "
            f"(only sqlite and postgresql); use e.g. {EXAMPLE_URLS}"
        )
    return parsed


def sqlite_file(url: URL) -> Path | None:
    """The file behind an SQLite URL; None when it is not a plain path (in-memory, file: URI)."""
    database = url.database or ""
    if _is_in_memory(url) or database.startswith("file:"):
        return None
    return Path(database).expanduser()


def _is_in_memory(url: URL) -> bool:
    return (url.database or "") in ("", ":memory:")


def display_url(url: URL) -> str:
    """The URL for messages: password hidden, SQLite paths unescaped so they can be copied."""
    if url.get_backend_name() == "sqlite":
        return f"sqlite:///{url.database or ':memory:'}"
    return url.render_as_string(hide_password=True)


def _sqlite_engine(url: URL) -> Engine:
    if _is_in_memory(url):
        # One shared connection, or every new connection would see a new empty database.
        engine = create_engine(url, poolclass=StaticPool, connect_args={"check_same_thread": False})
    else:
        path = sqlite_file(url)
        if path is not None:
            _make_parent(path)
            _create_private(path)
            url = url.set(database=str(path))
        engine = create_engine(url)
    event.listen(engine, "connect", _set_sqlite_pragmas)
    return engine


def _make_parent(path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ConfigError(
            f"AIWRITER_DATABASE_URL points at {path}, whose directory cannot be created "
            f"({error.strerror})"
        ) from None


def _create_private(path: Path) -> None:
    """Create a missing database file readable and writable by its owner only (0600).

    It holds users, API key hashes, drafts and the call log; SQLite would create it with
    the umask's mode, often 0644, readable by every local user. SQLite gives its WAL and
    shared-memory files the database file's mode. An existing file is left as it is, and
    a file that cannot be created is left for SQLite to report when it connects.
    """
    with contextlib.suppress(OSError):  # it exists, or SQLite will say why it cannot open
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE_MODE))


def _set_sqlite_pragmas(dbapi_connection: Any, _connection_record: Any) -> None:
    """Run on every new SQLite connection: these settings are per connection, not per file."""
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")
    finally:
        cursor.close()


def _postgres_engine(url: URL) -> Engine:
    connect_args: dict[str, Any] = {}
    if "connect_timeout" not in url.query:
        # Without it an unreachable host can hang `aiwriter doctor` for minutes.
        connect_args["connect_timeout"] = POSTGRES_CONNECT_TIMEOUT_S
    return create_engine(url, pool_pre_ping=True, connect_args=connect_args)
