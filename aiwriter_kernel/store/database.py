"""``Database``: one relational store, opened safely, with its repositories.

Opening never damages what is there: a file that is not an SQLite database is refused
before SQLite touches it, a schema from a newer aiwriter or a foreign one is refused,
and only an empty database is migrated without being asked.
"""

from __future__ import annotations

from pathlib import Path
from typing import Self

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import sessionmaker

from aiwriter_kernel.errors import SchemaOutdatedError, SchemaTooNewError, StoreError
from aiwriter_kernel.store import schema
from aiwriter_kernel.store.accounts import AccountsRepository
from aiwriter_kernel.store.batches import BatchesRepository
from aiwriter_kernel.store.drafts import DraftsRepository
from aiwriter_kernel.store.engine import create_engine_for, display_url, sqlite_file
from aiwriter_kernel.store.generations import GenerationsRepository
from aiwriter_kernel.store.jobs import JobsRepository
from aiwriter_kernel.store.personas import PersonasRepository
from aiwriter_kernel.store.schema import SchemaState
from aiwriter_kernel.store.sources import SourcesRepository
from aiwriter_kernel.store.workspaces import WorkspacesRepository

SQLITE_HEADER = b"SQLite format 3\x00"


class Database:
    """An open store: the engine, a sessionmaker, and one repository per kind of record."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.url = display_url(engine.url)
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self.accounts = AccountsRepository(self._sessions)
        self.workspaces = WorkspacesRepository(self._sessions)
        self.sources = SourcesRepository(self._sessions)
        self.drafts = DraftsRepository(self._sessions)
        self.generations = GenerationsRepository(self._sessions)
        self.batches = BatchesRepository(self._sessions)
        self.personas = PersonasRepository(self._sessions)
        self.jobs = JobsRepository(self._sessions)

    @classmethod
    def connect(cls, url: str) -> Self:
        """Check the database can be reached and read, without looking at its schema.

        For ``aiwriter db`` and ``doctor``, which decide themselves what to do about it.
        """
        engine = create_engine_for(url)
        try:
            _probe(engine)
        except BaseException:
            engine.dispose()
            raise
        return cls(engine)

    @classmethod
    def open(cls, url: str, *, migrate: bool = True) -> Self:
        """Connect and make sure the schema is this aiwriter's; an empty database is migrated."""
        database = cls.connect(url)
        try:
            database._require_current_schema(migrate)
        except BaseException:
            database.close()
            raise
        return database

    def state(self) -> SchemaState:
        """Where the schema stands; changes nothing."""
        try:
            return schema.schema_state(self.engine)
        except SQLAlchemyError as error:
            raise StoreError(f"cannot read the schema of {self.url}: {_reason(error)}") from error

    def upgrade(self) -> None:
        """Migrate to this aiwriter's schema; refuses newer and foreign schemas untouched."""
        state = self.state()
        if state is SchemaState.CURRENT:
            return
        if state is SchemaState.TOO_NEW:
            raise self._too_new()
        if state is SchemaState.UNVERSIONED:
            raise self._unversioned()
        try:
            schema.upgrade(self.engine)
        except SQLAlchemyError as error:
            if self.state() is SchemaState.CURRENT:  # another process migrated it meanwhile
                return
            raise StoreError(f"migrating {self.url} failed: {_reason(error)}") from error

    def close(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Database({self.url!r})"

    def _require_current_schema(self, migrate: bool) -> None:
        state = self.state()
        if state is SchemaState.CURRENT:
            return
        if state is SchemaState.EMPTY and migrate:
            self.upgrade()
        elif state is SchemaState.EMPTY:
            raise SchemaOutdatedError(
                f"database {self.url} has no tables yet: run `aiwriter db upgrade`"
            )
        elif state is SchemaState.OUTDATED:
            raise SchemaOutdatedError(
                f"database {self.url} is at schema revision {self._revision()}, older than "
                f"this aiwriter (head {schema.head_revision()}): run `aiwriter db upgrade`"
            )
        elif state is SchemaState.TOO_NEW:
            raise self._too_new()
        else:
            raise self._unversioned()

    def _revision(self) -> str | None:
        return schema.current_revision(self.engine)

    def _too_new(self) -> SchemaTooNewError:
        return SchemaTooNewError(
            f"database schema revision {self._revision()} is newer than this aiwriter "
            f"(head {schema.head_revision()}): upgrade aiwriter, or point "
            f"AIWRITER_DATABASE_URL at another database (it is {self.url})"
        )

    def _unversioned(self) -> StoreError:
        return StoreError(
            f"database {self.url} holds tables that are not aiwriter's (no alembic_version); "
            "refusing to touch it: point AIWRITER_DATABASE_URL at another database"
        )


def _probe(engine: Engine) -> None:
    """Open one connection and read the catalogue, turning every failure into a ``StoreError``."""
    path = sqlite_file(engine.url) if engine.url.get_backend_name() == "sqlite" else None
    if path is not None:
        _check_sqlite_header(path)
    try:
        with engine.connect() as connection:
            if path is not None:
                connection.exec_driver_sql("SELECT count(*) FROM sqlite_master").scalar()
            else:
                connection.exec_driver_sql("SELECT 1").scalar()
    except DBAPIError as error:
        if path is not None and not isinstance(error, OperationalError):
            raise StoreError(_not_a_database(path, _reason(error))) from error
        raise StoreError(
            f"cannot connect to the database {display_url(engine.url)}: {_reason(error)} "
            "(check AIWRITER_DATABASE_URL and that the server is running)"
        ) from error


def _check_sqlite_header(path: Path) -> None:
    """Refuse a non-empty file that does not start like an SQLite database.

    Done before SQLite opens the file: SQLite would create journal or WAL files next to
    it and might write to it, while the user may still be able to recover it.
    """
    try:
        with path.open("rb") as file:
            header = file.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        return  # SQLite creates it
    except OSError as error:
        raise StoreError(f"cannot read the database file {path}: {error.strerror}") from error
    if header and header != SQLITE_HEADER:
        raise StoreError(_not_a_database(path, "it does not start with the SQLite header"))


def _not_a_database(path: Path, reason: str) -> str:
    return (
        f"{path.absolute()} is not a usable SQLite database ({reason}); it was left unchanged: "
        "move it aside or restore a backup"
    )


def _reason(error: SQLAlchemyError) -> str:
    """The driver's own message, first line only (psycopg adds hints on further lines)."""
    original = getattr(error, "orig", None)
    text = str(original if original is not None else error).strip()
    return text.splitlines()[0] if text else type(error).__name__
