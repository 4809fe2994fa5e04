"""Migrate and inspect a home's database before any Workbench is open (``aiwriter db``).

Why not Workbench methods: ``Workbench.open`` migrates a fresh database itself and refuses a
schema it cannot use, so the two things an operator needs exactly then — "which revision is
it at?" and "upgrade it, or tell me why not" — have to work on a database no Workbench
could open. These functions take only the settings, connect, do the one thing and close.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel

from aiwriter_kernel.config import Settings
from aiwriter_kernel.errors import SchemaTooNewError, StoreError
from aiwriter_kernel.home import ensure_home
from aiwriter_kernel.redaction import redact_url

if TYPE_CHECKING:
    from aiwriter_kernel.store import Database


class SchemaUpgrade(BaseModel):
    """What an upgrade did; ``database`` is the URL with its secrets masked."""

    database: str
    before: str | None
    after: str | None

    @property
    def changed(self) -> bool:
        return self.before != self.after


class SchemaRevision(BaseModel):
    """Where the database's schema stands against the one this version of aiwriter needs."""

    database: str
    revision: str | None
    head: str
    state: str


def upgrade_database(settings: Settings) -> SchemaUpgrade:
    """Migrate to the schema this version needs; refuse a newer schema or foreign tables."""
    from aiwriter_kernel.store.schema import SchemaState, current_revision, head_revision

    database, shown_url = _connect(settings)
    try:
        state = database.state()
        if state is SchemaState.TOO_NEW:
            raise SchemaTooNewError(
                f"{shown_url} is at revision {current_revision(database.engine)}, newer than this "
                f"aiwriter (head {head_revision()}): upgrade aiwriter instead"
            )
        if state is SchemaState.UNVERSIONED:
            raise StoreError(
                f"{shown_url} holds tables that are not aiwriter's; refusing to touch it"
            )
        before = current_revision(database.engine)
        database.upgrade()
        after = current_revision(database.engine)
    finally:
        database.close()
    return SchemaUpgrade(database=shown_url, before=before, after=after)


def database_revision(settings: Settings) -> SchemaRevision:
    """The database's schema revision and whether it is current, changing nothing."""
    from aiwriter_kernel.store.schema import current_revision, head_revision

    database, shown_url = _connect(settings)
    try:
        state = database.state()
        revision = current_revision(database.engine)
    finally:
        database.close()
    return SchemaRevision(
        database=shown_url, revision=revision, head=head_revision(), state=state.value
    )


def _connect(settings: Settings) -> tuple[Database, str]:
    from aiwriter_kernel.store import Database

    if settings.database_url is None:
        ensure_home(settings.home)
    url = settings.effective_database_url()
    return Database.connect(url), redact_url(url)
