"""``aiwriter seo-meta``: title options, meta descriptions, slug and social tags for a page."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from aiwriter_kernel.cli.options import (
    JsonOption,
    ModelOption,
    PersonaOption,
    ProviderOption,
    WorkspaceOption,
)
from aiwriter_kernel.cli.output import emit, print_warnings_and_footer, read_text_file
from aiwriter_kernel.cli.workbench_loader import open_workbench
from aiwriter_kernel.errors import ValidationError


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
        console.print(f"[bold]Slug:[/bold] {escape(result.slug)}")
        console.print(escape(result.head_html()))
        print_warnings_and_footer(console, result.warnings, f"stored as draft {result.draft_id}")

    emit(result, as_json=json_output, render=render)
