"""How commands speak: one JSON document on stdout with ``--json``, rich text otherwise.

Progress and logs go to stderr so ``--json`` output can always be piped into a parser.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from rich.console import Console

stdout = Console(soft_wrap=True)
stderr = Console(stderr=True, soft_wrap=True)


def to_jsonable(data: Any) -> Any:
    """Turn pydantic models (or lists of them) into plain JSON values."""
    if isinstance(data, BaseModel):
        return data.model_dump(mode="json")
    if isinstance(data, list | tuple):
        return [to_jsonable(item) for item in data]
    if isinstance(data, dict):
        return {key: to_jsonable(value) for key, value in data.items()}
    return data


def emit(data: Any, *, as_json: bool, render: Callable[[Console], None]) -> None:
    """Print ``data`` as JSON, or let ``render`` draw it for a person."""
    if as_json:
        print(json.dumps(to_jsonable(data), indent=2, default=str))
    else:
        render(stdout)


def print_warnings(console: Console, warnings: list[str]) -> None:
    """Each warning on its own line, escaped: warnings may quote model or source text."""
    from rich.markup import escape

    for warning in warnings:
        console.print(f"[yellow]warning:[/yellow] {escape(warning)}")


def print_warnings_and_footer(console: Console, warnings: list[str], footer: str) -> None:
    """The warnings, then a dim footer line (where the result was stored, its size...)."""
    from rich.markup import escape

    print_warnings(console, warnings)
    console.print(f"[dim]{escape(footer)}[/dim]")


def read_text_file(path: Path) -> str:
    """The file's text, or a one-line error a person can act on."""
    from aiwriter_kernel.errors import ValidationError

    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ValidationError(f"cannot read {path}: {error}") from None
