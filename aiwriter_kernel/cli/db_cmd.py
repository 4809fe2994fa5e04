"""``aiwriter db``: migrate and inspect the relational store."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from aiwriter_kernel.cli.output import emit
from aiwriter_kernel.cli.settings_loader import load_settings
from aiwriter_kernel.errors import SchemaTooNewError, StoreError
from aiwriter_kernel.home import ensure_home
from aiwriter_kernel.redaction import redact_url

app = typer.Typer(help="Database migrations.", no_args_is_help=True)
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _connect():
    from aiwriter_kernel.store import Database

    settings = load_settings()
    if settings.database_url is None:
        ensure_home(settings.home)
    url = settings.effective_database_url()
    return Database.connect(url), redact_url(url)


@app.command("upgrade")
def upgrade(json_output: JsonOption = False) -> None:
    """Migrate the database to the schema this version of aiwriter needs."""
    from aiwriter_kernel.store.schema import SchemaState, current_revision, head_revision

    database, shown_url = _connect()
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
    result = {"database": shown_url, "from": before, "to": after, "changed": before != after}
    emit(
        result,
        as_json=json_output,
        render=lambda console: console.print(
            f"{shown_url}: {before or 'empty'} -> {after}"
            if before != after
            else f"{shown_url}: already at {after}"
        ),
    )


@app.command("current")
def current(json_output: JsonOption = False) -> None:
    """Show the database's schema revision and whether it is up to date."""
    from aiwriter_kernel.store.schema import current_revision, head_revision

    database, shown_url = _connect()
    try:
        state = database.state()
        revision = current_revision(database.engine)
    finally:
        database.close()
    result = {
        "database": shown_url,
        "revision": revision,
        "head": head_revision(),
        "state": state.value,
    }

    def render(console: Console) -> None:
        console.print(
            f"{shown_url}: revision {revision or '-'} (head {head_revision()}, {state.value})"
        )

    emit(result, as_json=json_output, render=render)
