"""``aiwriter doctor``: checks home, database, embedding model and providers."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from aiwriter_kernel.cli.output import emit
from aiwriter_kernel.cli.settings_loader import load_settings

MARKS = {"ok": "[green]ok  [/green]", "warn": "[yellow]warn[/yellow]", "fail": "[red]FAIL[/red]"}


def doctor(
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Check that the workbench can run as configured; exit 1 on a hard failure."""
    from aiwriter_kernel.doctor import run_checks

    checks = run_checks(load_settings())
    failed = any(check.status == "fail" for check in checks)

    def render(console: Console) -> None:
        for check in checks:
            console.print(f"{MARKS[check.status]} {check.name}: {check.detail}", highlight=False)

    emit({"ok": not failed, "checks": checks}, as_json=json_output, render=render)
    if failed:
        raise typer.Exit(1)
