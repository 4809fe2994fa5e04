"""``aiwriter ingest``, ``aiwriter search`` and ``aiwriter kb reindex``."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from aiwriter_kernel.cli.output import emit, stderr
from aiwriter_kernel.cli.workbench_loader import open_workbench

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]
WorkspaceOption = Annotated[str, typer.Option("--workspace", "-w", help="Workspace name.")]
app = typer.Typer(help="Knowledge-base maintenance.", no_args_is_help=True)


def ingest(
    targets: Annotated[list[str], typer.Argument(help="Files, folders or http(s) URLs.")],
    workspace: WorkspaceOption = "default",
    tag: Annotated[list[str] | None, typer.Option("--tag", "-t", help="Tag the sources.")] = None,
    json_output: JsonOption = False,
) -> None:
    """Add sources to the knowledge base; exit 1 if any source failed."""
    from tqdm import tqdm

    with (
        open_workbench() as workbench,
        tqdm(desc="ingest", unit="source", file=stderr.file, disable=None) as bar,
    ):
        report = workbench.ingest(
            targets, workspace=workspace, tags=tag or (), progress=lambda item: bar.update(1)
        )

    def render(console: Console) -> None:
        table = Table("status", "source", "chunks", "detail", title="ingest report")
        for item in report.items:
            table.add_row(
                item.status, item.title or item.origin, str(item.chunks), item.error or item.origin
            )
        console.print(table)

    emit(report, as_json=json_output, render=render)
    if not report.ok:
        raise typer.Exit(1)


def search(
    query: Annotated[str, typer.Argument(help="What to look for.")],
    k: Annotated[int, typer.Option("-k", min=1, max=100, help="How many hits.")] = 10,
    workspace: WorkspaceOption = "default",
    mode: Annotated[str, typer.Option(help="hybrid, dense or lexical.")] = "hybrid",
    diversify: Annotated[bool, typer.Option(help="Spread hits across sources (MMR).")] = False,
    per_source: Annotated[
        int, typer.Option("--per-source", min=0, help="At most N hits per source (0: no limit).")
    ] = 0,
    json_output: JsonOption = False,
) -> None:
    """Search the knowledge base; hits come with citation labels."""
    with open_workbench() as workbench:
        options = {"mode": mode, "diversify": diversify, "per_source": per_source}
        hits = workbench.search(query, k=k, workspace=workspace, **options)

    def render(console: Console) -> None:
        table = Table("#", "source", "excerpt", "citation", title=f"search: {query}")
        for rank, hit in enumerate(hits, 1):
            excerpt = " ".join(hit.text.split())[:160]
            table.add_row(str(rank), hit.source_title, excerpt, hit.citation)
        console.print(table if hits else "no hits")

    emit(hits, as_json=json_output, render=render)


@app.command("reindex")
def reindex(workspace: WorkspaceOption = "default", json_output: JsonOption = False) -> None:
    """Rebuild the vector index from the stored chunks (after changing the embedding model)."""
    with open_workbench() as workbench:
        count = workbench.kb.reindex(workspace=workspace)
    emit(
        {"workspace": workspace, "chunks": count},
        as_json=json_output,
        render=lambda console: console.print(f"re-embedded {count} chunks of {workspace}"),
    )


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
            console.print(
                f"ingested {report.count('added')} pages, {report.count('failed')} failed"
            )

    emit({"results": results, "ingest": report}, as_json=json_output, render=render)
