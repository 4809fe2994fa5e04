"""``aiwriter summarize``: a cited summary of chosen sources."""

from __future__ import annotations

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
from aiwriter_kernel.cli.output import emit, print_warnings_and_footer
from aiwriter_kernel.cli.workbench_loader import open_workbench
from aiwriter_kernel.text.counts import counted


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
        print_warnings_and_footer(
            console,
            result.warnings,
            f"{counted(result.word_count, 'word')}, stored as draft {result.draft_id}",
        )

    emit(result, as_json=json_output, render=render)
