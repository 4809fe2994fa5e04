"""``aiwriter ask``: a cited answer from the knowledge base, or why there is none."""

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
        print_warnings_and_footer(console, result.warnings, f"stored as draft {result.draft_id}")

    emit(result, as_json=json_output, render=render)
