"""``aiwriter db``: migrate and inspect the relational store."""

from __future__ import annotations

import typer
from rich.console import Console

from aiwriter_kernel.cli.options import JsonOption
from aiwriter_kernel.cli.output import emit
from aiwriter_kernel.cli.settings_loader import load_settings

app = typer.Typer(help="Database migrations.", no_args_is_help=True)


@app.command("upgrade")
def upgrade(json_output: JsonOption = False) -> None:
    """Migrate the database to the schema this version of aiwriter needs."""
    from aiwriter_kernel.database_admin import upgrade_database

    done = upgrade_database(load_settings())
    shown_url, before, after = done.database, done.before, done.after
    result = {"database": shown_url, "from": before, "to": after, "changed": done.changed}
    emit(
        result,
        as_json=json_output,
        render=lambda console: console.print(
            f"{shown_url}: {before or 'empty'} -> {after}"
            if done.changed
            else f"{shown_url}: already at {after}"
        ),
    )


@app.command("current")
def current(json_output: JsonOption = False) -> None:
    """Show the database's schema revision and whether it is up to date."""
    from aiwriter_kernel.database_admin import database_revision

    found = database_revision(load_settings())

    def render(console: Console) -> None:
        console.print(
            f"{found.database}: revision {found.revision or '-'} (head {found.head}, {found.state})"
        )

    emit(found.model_dump(), as_json=json_output, render=render)
