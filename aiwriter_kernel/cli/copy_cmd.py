"""``aiwriter copy``: short copy (ad, landing page, email) in a copywriting framework."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from aiwriter_kernel.cli.output import emit, print_warnings, read_text_file
from aiwriter_kernel.cli.workbench_loader import open_workbench
from aiwriter_kernel.copywriting import frameworks
from aiwriter_kernel.errors import ValidationError


def framework_choices() -> str:
    """'AIDA, PAS, ... or PSP (or a full name, e.g. problem-solution-proof).', from the
    registry (plugins' frameworks are registered when it is imported)."""
    *first, last = frameworks()
    listed = f"{', '.join(f.name for f in first)} or {last.name}" if first else last.name
    example = next((f.aliases[0] for f in reversed(frameworks()) if f.aliases), "")
    return f"{listed} (or a full name, e.g. {example})." if example else f"{listed}."


def copy(
    framework: Annotated[str, typer.Argument(help=framework_choices())],
    text_file: Annotated[
        Path | None, typer.Option("--text-file", "-f", help="Write from this text file.")
    ] = None,
    draft: Annotated[
        int | None, typer.Option("--draft", "-d", help="Write from a stored draft.")
    ] = None,
    topic: Annotated[
        str | None, typer.Option("--topic", "-t", help="Write from the knowledge base's sources.")
    ] = None,
    copy_format: Annotated[
        str, typer.Option("--format", help="ad, landing or email (sets the length limits).")
    ] = "ad",
    offer: Annotated[str | None, typer.Option(help="The product or offer's name.")] = None,
    audience: Annotated[str | None, typer.Option(help="Who the copy is for.")] = None,
    cta: Annotated[str | None, typer.Option(help="The call to action to use.")] = None,
    keyword: Annotated[str | None, typer.Option("--keyword", "-k", help="Phrase to use.")] = None,
    persona: Annotated[str | None, typer.Option("--persona", help="Persona (voice).")] = None,
    provider: Annotated[str | None, typer.Option("--provider", "-p", help="Provider.")] = None,
    model: Annotated[str | None, typer.Option("--model", "-m", help="Model.")] = None,
    workspace: Annotated[str, typer.Option("--workspace", "-w", help="Workspace.")] = "default",
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Write labelled copy sections from a text, a draft or a knowledge-base topic."""
    materials = (("--text-file", text_file), ("--draft", draft), ("--topic", topic))
    if sum(value is not None for _, value in materials) != 1:
        raise ValidationError("give exactly one of --text-file, --draft or --topic")
    text = read_text_file(text_file) if text_file is not None else None
    with open_workbench() as workbench:
        result = workbench.copy(
            framework=framework,
            format=copy_format,
            text=text,
            draft_id=draft,
            topic=topic,
            offer=offer,
            audience=audience,
            cta=cta,
            keyword=keyword,
            persona=persona,
            provider=provider,
            model=model,
            workspace=workspace,
        )

    def render(console: Console) -> None:
        console.print(
            f"[bold]{result.framework} {result.format} copy[/bold] "
            f"(draft {result.draft_id}, v{result.version}, {result.total_chars} chars)\n"
        )
        for section in result.sections:
            console.print(f"[bold]{section.label}:[/bold] {escape(section.text)}\n")
        for check in result.checks:
            mark = "[green]ok[/green]" if check.ok else "[red]fails[/red]"
            console.print(f"{mark} {check.name}: {escape(check.detail)}")
        if result.reason:
            console.print(f"[yellow]note:[/yellow] {escape(result.reason)}")
        print_warnings(console, result.warnings)

    emit(result, as_json=json_output, render=render)
