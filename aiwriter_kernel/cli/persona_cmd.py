"""``aiwriter persona add|list|show|delete``: the brand voices pipelines write in."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from aiwriter_kernel.cli.options import JsonOption
from aiwriter_kernel.cli.options import WorkspaceNameOption as WorkspaceOption
from aiwriter_kernel.cli.output import emit
from aiwriter_kernel.cli.workbench_loader import open_workbench

if TYPE_CHECKING:
    from aiwriter_kernel.personas import Persona

NameArgument = Annotated[str, typer.Argument(help="The persona's name.")]
app = typer.Typer(help="Personas (brand voices): add, list, show, delete.", no_args_is_help=True)


@app.command("add")
def add(
    name: NameArgument,
    audience: Annotated[str | None, typer.Option(help="Who it writes for.")] = None,
    tone: Annotated[str | None, typer.Option(help="e.g. friendly, formal.")] = None,
    tone_word: Annotated[
        list[str] | None, typer.Option("--tone-word", help="A word that fits the voice.")
    ] = None,
    banned: Annotated[
        list[str] | None, typer.Option("--banned", help="A word or phrase it never uses.")
    ] = None,
    reading_level: Annotated[
        float | None, typer.Option("--reading-level", help="Target US school grade (1-20).")
    ] = None,
    max_sentence_words: Annotated[
        int | None, typer.Option("--max-sentence-words", help="Longest sentence (5-80 words).")
    ] = None,
    example: Annotated[
        list[Path] | None, typer.Option("--example", help="A text file written in the voice.")
    ] = None,
    description: Annotated[str | None, typer.Option(help="What the voice is.")] = None,
    workspace: WorkspaceOption = "default",
    json_output: JsonOption = False,
) -> None:
    """Create a persona, or replace the one with the same name."""
    fields = {
        "name": name,
        "description": description,
        "audience": audience,
        "tone": tone,
        "tone_words": tuple(tone_word or ()),
        "banned_words": tuple(banned or ()),
        "reading_level": reading_level,
        "max_sentence_words": max_sentence_words,
        "example_texts": tuple(_read_example(path) for path in example or ()),
    }
    with open_workbench() as workbench:
        saved = workbench.save_persona(workspace=workspace, **fields)
    emit(
        saved,
        as_json=json_output,
        render=lambda console: console.print(f"saved persona {saved.name!r} in {workspace}"),
    )


@app.command("list")
def list_personas(workspace: WorkspaceOption = "default", json_output: JsonOption = False) -> None:
    """The workspace's personas, by name."""
    with open_workbench() as workbench:
        found = workbench.personas(workspace=workspace)

    def render(console: Console) -> None:
        if not found:
            console.print(f"no personas in {workspace} (aiwriter persona add NAME)")
            return
        table = Table("name", "audience", "tone", "banned", "grade", title=f"personas: {workspace}")
        for persona in found:
            grade = "" if persona.reading_level is None else f"{persona.reading_level:g}"
            banned = ", ".join(persona.banned_words)
            table.add_row(persona.name, persona.audience or "", persona.tone or "", banned, grade)
        console.print(table)

    emit(found, as_json=json_output, render=render)


@app.command("show")
def show(
    name: NameArgument, workspace: WorkspaceOption = "default", json_output: JsonOption = False
) -> None:
    """One persona with every setting."""
    with open_workbench() as workbench:
        persona = workbench.persona(name, workspace=workspace)
    emit(persona, as_json=json_output, render=lambda console: _render(console, persona))


@app.command("delete")
def delete(
    name: NameArgument, workspace: WorkspaceOption = "default", json_output: JsonOption = False
) -> None:
    """Delete a persona; drafts written in it keep their text."""
    with open_workbench() as workbench:
        workbench.delete_persona(name, workspace=workspace)
    emit(
        {"deleted": name, "workspace": workspace},
        as_json=json_output,
        render=lambda console: console.print(f"deleted persona {name!r} from {workspace}"),
    )


def _read_example(path: Path) -> str:
    """An example file's text; a missing or unreadable file is a one-line error."""
    from aiwriter_kernel.errors import ValidationError

    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ValidationError(f"cannot read the example {str(path)!r}: {error}") from None


def _render(console: Console, persona: Persona) -> None:
    console.print(f"[bold]{persona.name}[/bold]")
    rows = {
        "description": persona.description,
        "audience": persona.audience,
        "tone": persona.tone,
        "tone words": ", ".join(persona.tone_words),
        "banned words": ", ".join(persona.banned_words),
        "reading level": None if persona.reading_level is None else f"{persona.reading_level:g}",
        "max sentence words": persona.max_sentence_words,
        "examples": len(persona.example_texts) or None,
    }
    for label, value in rows.items():
        if value:
            console.print(f"  {label}: {value}", highlight=False)
