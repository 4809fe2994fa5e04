"""``aiwriter usage``: calls, tokens, cost and cache hits by provider and day."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from aiwriter_kernel.cli.output import emit
from aiwriter_kernel.cli.workbench_loader import open_workbench


def usage(
    days: Annotated[int | None, typer.Option(min=1, help="Only the last N days.")] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Summarise the call log by provider and UTC day."""
    with open_workbench() as workbench:
        rows = workbench.usage(days)

    def render(console: Console) -> None:
        table = Table(
            "day",
            "provider",
            "calls",
            "prompt tok",
            "completion tok",
            "cost $",
            "cache hits",
            "errors",
            title="model usage",
        )
        for row in rows:
            table.add_row(
                row.day,
                row.provider,
                str(row.calls),
                str(row.prompt_tokens),
                str(row.completion_tokens),
                f"{row.cost_usd:.4f}",
                str(row.cache_hits),
                str(row.errors),
            )
        console.print(table if rows else "no model calls yet")

    emit(rows, as_json=json_output, render=render)
