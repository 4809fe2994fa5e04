"""``aiwriter rewrite``: a draft, a text file or a topic rewritten for one channel, printed
as it would be pasted, with the channel's limits checked."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from aiwriter_kernel.cli.channel_help import ChannelsHelp
from aiwriter_kernel.cli.output import emit, print_warnings, read_text_file
from aiwriter_kernel.cli.workbench_loader import open_workbench
from aiwriter_kernel.errors import ValidationError


def rewrite(
    channel: Annotated[
        str,
        ChannelsHelp(typer.Option("--channel", "-c"), "{channels}."),
    ],
    draft: Annotated[int | None, typer.Option("--draft", "-d", help="A stored draft's id.")] = None,
    text_file: Annotated[
        Path | None, typer.Option("--text-file", "-f", help="A text or Markdown file.")
    ] = None,
    topic: Annotated[
        str | None, typer.Option("--topic", "-t", help="Research this topic and rewrite it.")
    ] = None,
    keyword: Annotated[str | None, typer.Option("--keyword", "-k", help="Focus keyword.")] = None,
    max_chars: Annotated[
        int | None, typer.Option("--max-chars", help="A tighter length limit.")
    ] = None,
    persona: Annotated[str | None, typer.Option("--persona", help="Persona (voice).")] = None,
    provider: Annotated[str | None, typer.Option("--provider", "-p", help="Provider.")] = None,
    model: Annotated[str | None, typer.Option("--model", "-m", help="Model.")] = None,
    workspace: Annotated[str, typer.Option("--workspace", "-w", help="Workspace.")] = "default",
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Rewrite for a channel within its limits (post length, thread posts, hashtags...)."""
    if sum(value is not None for value in (draft, text_file, topic)) != 1:
        raise ValidationError("give exactly one of --draft, --text-file or --topic")
    text = read_text_file(text_file) if text_file is not None else None
    with open_workbench() as workbench:
        result = workbench.rewrite(
            channel=channel,
            draft_id=draft,
            text=text,
            topic=topic,
            keyword=keyword,
            max_chars=max_chars,
            persona=persona,
            provider=provider,
            model=model,
            workspace=workspace,
        )

    def render(console: Console) -> None:
        console.print(escape(result.text), highlight=False)
        console.print()
        for limit in result.checks:
            mark = "[green]ok[/green]" if limit.passed else "[red]over[/red]"
            console.print(f"{mark} {escape(limit.name)}: {limit.actual} / {limit.limit}")
        print_warnings(console, result.warnings)
        console.print(f"[dim]stored as draft {result.draft_id} ({result.provider})[/dim]")

    emit(result, as_json=json_output, render=render)
