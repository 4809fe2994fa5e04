"""``aiwriter prompt``: one completion through the provider layer, streamed as it comes."""

from __future__ import annotations

from typing import Annotated

import typer

from aiwriter_kernel.cli.output import emit, stdout
from aiwriter_kernel.cli.workbench_loader import open_workbench


def prompt(
    text: Annotated[str, typer.Argument(help="The prompt; '-' reads it from standard input.")],
    provider: Annotated[str | None, typer.Option("--provider", "-p", help="Provider name.")] = None,
    model: Annotated[str | None, typer.Option("--model", "-m", help="Model name.")] = None,
    system: Annotated[str | None, typer.Option("--system", "-s", help="System prompt.")] = None,
    temperature: Annotated[
        float, typer.Option(min=0.0, max=2.0, help="Sampling temperature.")
    ] = 0.0,
    max_tokens: Annotated[int | None, typer.Option(min=1, help="Longest answer.")] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Always call the provider.")] = False,
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON, no streaming.")] = False,
) -> None:
    """Send TEXT to a model and stream the answer (the quickest way to try a provider)."""
    import sys

    if text == "-":
        text = sys.stdin.read()
    options = {"provider": provider, "model": model, "system": system}
    options |= {"temperature": temperature, "max_tokens": max_tokens, "cache": not no_cache}
    with open_workbench() as workbench:
        if json_output:
            completion = workbench.prompt(text, **options)
            emit(completion, as_json=True, render=lambda console: None)
            return
        stream = workbench.stream_prompt(text, **options)
        for piece in stream:
            stdout.print(piece, end="", markup=False, highlight=False)
        stdout.print()
