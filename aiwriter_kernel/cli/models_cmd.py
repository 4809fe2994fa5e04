"""``aiwriter models``: providers and models, and whether each is configured and reachable."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from aiwriter_kernel.cli.output import emit
from aiwriter_kernel.cli.workbench_loader import open_workbench


def models(
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    no_probe: Annotated[bool, typer.Option("--no-probe", help="Skip network checks.")] = False,
) -> None:
    """List providers with their models, configuration and reachability."""
    with open_workbench() as workbench:
        statuses = workbench.model_statuses(probe=not no_probe)

    def render(console: Console) -> None:
        table = Table("provider", "selected", "configured", "reachable", "models", "detail")
        for status in statuses:
            reachable = "-" if status.reachable is None else ("yes" if status.reachable else "no")
            table.add_row(
                status.name,
                "*" if status.selected else "",
                "yes" if status.configured else "no",
                reachable,
                ", ".join(status.models),
                status.detail,
            )
        console.print(table)

    emit(statuses, as_json=json_output, render=render)
