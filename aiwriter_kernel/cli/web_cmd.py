"""``aiwriter web``: search the web, and optionally add the pages to the knowledge base."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from aiwriter_kernel.cli.options import JsonOption
from aiwriter_kernel.cli.options import WorkspaceNameOption as WorkspaceOption
from aiwriter_kernel.cli.output import emit
from aiwriter_kernel.cli.workbench_loader import open_workbench
from aiwriter_kernel.text.counts import counted


def web(
    query: Annotated[str, typer.Argument(help="What to search the web for.")],
    max_results: Annotated[int, typer.Option("-n", min=1, max=20, help="How many.")] = 5,
    ingest_results: Annotated[bool, typer.Option("--ingest", help="Ingest the pages.")] = False,
    workspace: WorkspaceOption = "default",
    json_output: JsonOption = False,
) -> None:
    """Search the web (needs a configured provider and a network); optionally ingest pages."""
    with open_workbench() as workbench:
        results = workbench.web_search(query, max_results=max_results)
        report = (
            workbench.ingest([r.url for r in results], workspace=workspace)
            if (ingest_results and results)
            else None
        )

    def render(console: Console) -> None:
        for result in results:
            console.print(f"[bold]{result.title}[/bold]\n  {result.url}\n  {result.snippet}")
        if report is not None:
            pages = counted(report.count("added"), "page")
            console.print(f"ingested {pages}, {report.count('failed')} failed")

    emit({"results": results, "ingest": report}, as_json=json_output, render=render)
