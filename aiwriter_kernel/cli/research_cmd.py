"""``aiwriter seo-meta``, ``aiwriter summarize`` and ``aiwriter ask``: metadata for a page,
cited summaries of sources, and cited answers (or an explained refusal) from them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from aiwriter_kernel.cli.output import emit, read_text_file
from aiwriter_kernel.cli.workbench_loader import open_workbench
from aiwriter_kernel.errors import ValidationError

PersonaOption = Annotated[str | None, typer.Option("--persona", help="Persona (voice).")]
ProviderOption = Annotated[str | None, typer.Option("--provider", "-p", help="Provider.")]
ModelOption = Annotated[str | None, typer.Option("--model", "-m", help="Model.")]
WorkspaceOption = Annotated[str, typer.Option("--workspace", "-w", help="Workspace.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def seo_meta(
    draft: Annotated[int | None, typer.Option("--draft", "-d", help="A stored draft's id.")] = None,
    file: Annotated[Path | None, typer.Option("--file", "-f", help="A Markdown file.")] = None,
    keyword: Annotated[str | None, typer.Option("--keyword", "-k", help="Focus keyword.")] = None,
    url: Annotated[str | None, typer.Option(help="The page's canonical URL.")] = None,
    base_url: Annotated[
        str | None, typer.Option("--base-url", help="The URL is this plus the slug.")
    ] = None,
    author: Annotated[str | None, typer.Option(help="Author's name.")] = None,
    site_name: Annotated[str | None, typer.Option("--site-name", help="Site name.")] = None,
    image: Annotated[str | None, typer.Option(help="Image URL for social cards.")] = None,
    count: Annotated[int, typer.Option(min=1, max=10, help="Title options.")] = 5,
    persona: PersonaOption = None,
    provider: ProviderOption = None,
    model: ModelOption = None,
    workspace: WorkspaceOption = "default",
    json_output: JsonOption = False,
) -> None:
    """Title options, meta descriptions, slug, Open Graph tags and JSON-LD for a page."""
    if (draft is None) == (file is None):
        raise ValidationError("give exactly one of --draft or --file")
    markdown = read_text_file(file) if file is not None else None
    with open_workbench() as workbench:
        result = workbench.seo_metadata(
            draft_id=draft,
            markdown=markdown,
            keyword=keyword,
            url=url,
            base_url=base_url,
            author=author,
            site_name=site_name,
            image=image,
            count=count,
            persona=persona,
            provider=provider,
            model=model,
            workspace=workspace,
        )

    def render(console: Console) -> None:
        console.print("[bold]Title options[/bold]")
        for number, title in enumerate(result.titles, 1):
            console.print(f"{number}. {escape(title)} [dim]({len(title)})[/dim]")
        console.print("[bold]Meta descriptions[/bold]")
        for description in result.meta_descriptions:
            console.print(f"- {escape(description)} [dim]({len(description)})[/dim]")
        console.print(f"[bold]Slug[/bold] {result.slug}")
        console.print(escape(result.head_html()))
        _warn(console, result.warnings, f"stored as draft {result.draft_id}")

    emit(result, as_json=json_output, render=render)


def summarize(
    source: Annotated[
        list[int] | None, typer.Option("--source", "-s", help="A source id (repeatable).")
    ] = None,
    query: Annotated[str | None, typer.Option("--query", "-q", help="Select by a query.")] = None,
    words: Annotated[int, typer.Option("--words", help="At most this many words.")] = 150,
    persona: PersonaOption = None,
    provider: ProviderOption = None,
    model: ModelOption = None,
    workspace: WorkspaceOption = "default",
    json_output: JsonOption = False,
) -> None:
    """A cited summary of sources chosen by id, by a query, or both."""
    with open_workbench() as workbench:
        result = workbench.summarize(
            source_ids=source or [],
            query=query,
            max_words=words,
            persona=persona,
            provider=provider,
            model=model,
            workspace=workspace,
        )

    def render(console: Console) -> None:
        console.print(escape(result.markdown or result.reason or ""))
        _warn(console, result.warnings, f"{result.word_count} words, draft {result.draft_id}")

    emit(result, as_json=json_output, render=render)


def ask(
    question: Annotated[str, typer.Argument(help="The question.")],
    k: Annotated[int, typer.Option("-k", min=1, max=50, help="Passages to retrieve.")] = 6,
    per_source: Annotated[
        int, typer.Option("--per-source", min=0, help="At most N passages per source (0: any).")
    ] = 1,
    source: Annotated[
        list[int] | None, typer.Option("--source", "-s", help="Only this source (repeatable).")
    ] = None,
    persona: PersonaOption = None,
    provider: ProviderOption = None,
    model: ModelOption = None,
    workspace: WorkspaceOption = "default",
    json_output: JsonOption = False,
) -> None:
    """A cited answer from the knowledge base, or the reason there is none (exit code 0)."""
    with open_workbench() as workbench:
        result = workbench.ask(
            question=question,
            k=k,
            per_source=per_source,
            source_ids=source or None,
            persona=persona,
            provider=provider,
            model=model,
            workspace=workspace,
        )

    def render(console: Console) -> None:
        if result.answered:
            console.print(escape(result.answer))
        else:
            console.print(f"[yellow]Not answered:[/yellow] {escape(result.reason or '')}")
        _warn(console, result.warnings, f"draft {result.draft_id}")

    emit(result, as_json=json_output, render=render)


def _warn(console: Console, warnings: list[str], footer: str) -> None:
    for warning in warnings:
        console.print(f"[yellow]warning:[/yellow] {escape(warning)}")
    console.print(f"[dim]{escape(footer)}[/dim]")
