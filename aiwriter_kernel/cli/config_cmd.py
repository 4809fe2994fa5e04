"""``aiwriter config show``: the effective settings, secrets masked."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from aiwriter_kernel.cli.output import emit
from aiwriter_kernel.cli.settings_loader import load_settings

app = typer.Typer(help="Inspect settings.", no_args_is_help=True)


@app.command("show")
def show(json_output: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """Print the effective settings (environment, .env, defaults) with secrets masked."""
    shown = load_settings().masked()

    def render(console: Console) -> None:
        table = Table("setting", "value", title="aiwriter settings")
        for name, value in shown.items():
            table.add_row(name, "-" if value is None else str(value))
        console.print(table)

    emit(shown, as_json=json_output, render=render)
