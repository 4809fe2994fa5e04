"""``aiwriter fact-check``: each claim of a text or draft, with its verdict and evidence."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from aiwriter_kernel.cli.output import emit, print_warnings, read_text_file
from aiwriter_kernel.cli.workbench_loader import open_workbench
from aiwriter_kernel.errors import ValidationError

VERDICT_STYLE = {"supported": "green", "contradicted": "red", "no_evidence": "yellow"}


def fact_check(
    file: Annotated[Path | None, typer.Option("--file", "-f", help="A text file to check.")] = None,
    draft: Annotated[int | None, typer.Option("--draft", "-d", help="A stored draft's id.")] = None,
    text: Annotated[str | None, typer.Option("--text", "-t", help="The text itself.")] = None,
    web: Annotated[
        bool, typer.Option("--web", help="Also search the web (if configured).")
    ] = False,
    k: Annotated[int, typer.Option("-k", min=1, max=50, help="Passages per claim.")] = 5,
    persona: Annotated[str | None, typer.Option("--persona", help="Persona (voice).")] = None,
    provider: Annotated[str | None, typer.Option("--provider", "-p", help="Provider.")] = None,
    model: Annotated[str | None, typer.Option("--model", "-m", help="Model.")] = None,
    workspace: Annotated[str, typer.Option("--workspace", "-w", help="Workspace.")] = "default",
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Mark each checkable claim supported, contradicted or without evidence in the sources."""
    sources = (("--file", file), ("--draft", draft), ("--text", text))
    given = [name for name, value in sources if value is not None]
    if len(given) != 1:
        raise ValidationError("give exactly one of --file, --draft or --text")
    if file is not None:
        text = read_text_file(file)
    with open_workbench() as workbench:
        result = workbench.fact_check(
            text=text,
            draft_id=draft,
            use_web=web,
            k=k,
            persona=persona,
            provider=provider,
            model=model,
            workspace=workspace,
        )

    def render(console: Console) -> None:
        table = Table("#", "verdict", "claim", "evidence", "reason", title="fact check")
        for number, check in enumerate(result.claims, 1):
            style = VERDICT_STYLE[check.verdict]
            evidence = (
                f"{' '.join(check.evidence.quote.split())} [{check.evidence.label}]"
                if check.evidence
                else "—"
            )
            verdict = f"[{style}]{check.verdict}[/{style}]"
            table.add_row(
                str(number), verdict, escape(check.claim), escape(evidence), escape(check.reason)
            )
        console.print(table if result.claims else escape(result.reason or ""))
        counts = ", ".join(f"{count} {verdict}" for verdict, count in result.counts.items())
        console.print(f"{counts} (stored as draft {result.draft_id})")
        print_warnings(console, result.warnings)

    emit(result, as_json=json_output, render=render)
