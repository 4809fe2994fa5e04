"""``aiwriter ingest``, ``aiwriter search`` and ``aiwriter kb reindex``: the knowledge base."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from aiwriter_kernel.cli.options import JsonOption
from aiwriter_kernel.cli.options import WorkspaceNameOption as WorkspaceOption
from aiwriter_kernel.cli.output import emit, stderr

if TYPE_CHECKING:
    from tqdm import tqdm

    from aiwriter_kernel.research.models import IngestProgress
from aiwriter_kernel.cli.workbench_loader import open_workbench
from aiwriter_kernel.text.counts import counted

if TYPE_CHECKING:
    from aiwriter_kernel.workbench import Workbench

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
        tqdm(desc="ingest", unit="chunk", file=stderr.file, disable=None) as bar,
    ):
        report = workbench.ingest(
            targets, workspace=workspace, tags=tag or (), progress=lambda step: show(bar, step)
        )

    def render(console: Console) -> None:
        table = Table("status", "source", "chunks", "detail", title="ingest report")
        for item in report.items:
            status = STATUS_WORDS.get(item.status, item.status)
            detail = item.error or item.origin
            table.add_row(status, item.title or item.origin, str(item.chunks), detail)
        console.print(table)

    emit(report, as_json=json_output, render=render)
    if not report.ok:
        raise typer.Exit(1)


STATUS_WORDS = {"unchanged": "unchanged (already ingested)"}
"""An unchanged source's chunks were stored before: say so, or its count reads as new."""


def show(bar: tqdm, step: IngestProgress) -> None:
    """Move the bar over chunks, the unit of work; its total grows as files are read."""
    bar.total = step.chunks_total
    bar.update(step.chunks_done - bar.n)
    bar.set_postfix_str(f"sources {step.sources_done}/{step.sources_total}")


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
def reindex(
    workspace: Annotated[
        str | None, typer.Option("--workspace", "-w", help="Workspace name (default: default).")
    ] = None,
    user: Annotated[
        str | None,
        typer.Option("--user", "-u", help="A user's name or id: their workspaces, not yours."),
    ] = None,
    every: Annotated[
        bool,
        typer.Option("--all", help="Every workspace: the user's with --user, else the home's."),
    ] = False,
    json_output: JsonOption = False,
) -> None:
    """Rebuild the vector index from the stored chunks (a lost or broken vector store, a
    changed embedding model); a workspace that does not exist is an error, never created."""
    from aiwriter_kernel.errors import ValidationError

    if every and workspace is not None:
        raise ValidationError("--all rebuilds every workspace: leave out --workspace")
    with open_workbench() as workbench:
        scoped = workbench if user is None else workbench.for_user(_user_id(workbench, user))
        rebuilt = scoped.reindex(workspace=None if every else (workspace or "default"))

    def render(console: Console) -> None:
        for item in rebuilt:
            whose = "" if item.owner is None else f" (user {item.owner})"
            line = f"re-embedded {counted(item.chunks, 'chunk')} of {item.workspace}{whose}"
            console.print(escape(line), highlight=False)
        if not rebuilt:
            console.print("no workspaces to reindex")

    total = sum(item.chunks for item in rebuilt)
    emit({"chunks": total, "workspaces": rebuilt}, as_json=json_output, render=render)


def _user_id(workbench: Workbench, user: str) -> int:
    """The user named ``user`` or, failing that, with that id (``aiwriter users list`` shows
    both); ``NotFoundError`` otherwise."""
    if user.isdigit() and workbench.users.get(user) is None:
        ids = {known.id for known in workbench.users.list()}
        if int(user) in ids:
            return int(user)
    return workbench.user_id(user)
