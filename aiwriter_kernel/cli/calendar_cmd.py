"""``aiwriter calendar``: a content calendar from the knowledge base, as CSV and iCalendar."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from aiwriter_kernel.cli.output import emit, print_warnings
from aiwriter_kernel.cli.workbench_loader import open_workbench
from aiwriter_kernel.errors import ValidationError
from aiwriter_kernel.text.counts import counted


def calendar(
    theme: Annotated[str, typer.Argument(help="What the calendar is about.")],
    start: Annotated[str, typer.Option("--start", help="First day, YYYY-MM-DD.")],
    end: Annotated[str, typer.Option("--end", help="Last day, YYYY-MM-DD.")],
    channel: Annotated[
        list[str] | None,
        typer.Option("--channel", "-c", help="A channel (repeatable): article, linkedin..."),
    ] = None,
    per_week: Annotated[int, typer.Option("--per-week", help="Pieces per week (1-21).")] = 3,
    weekday: Annotated[
        list[str] | None, typer.Option("--weekday", help="Publishing day (repeatable): mon..sun.")
    ] = None,
    audience: Annotated[str | None, typer.Option(help="Who it is for.")] = None,
    persona: Annotated[str | None, typer.Option("--persona", help="Persona (voice).")] = None,
    csv_file: Annotated[Path | None, typer.Option("--csv", help="Where to write the CSV.")] = None,
    ics_file: Annotated[Path | None, typer.Option("--ics", help="Where to write the .ics.")] = None,
    provider: Annotated[str | None, typer.Option("--provider", "-p", help="Provider.")] = None,
    model: Annotated[str | None, typer.Option("--model", "-m", help="Model.")] = None,
    workspace: Annotated[str, typer.Option("--workspace", "-w", help="Workspace.")] = "default",
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Plan dated pieces (channel, title, focus keyword, brief) spread over the knowledge
    base's topics; writes CSV and iCalendar files (by default into the exports folder)."""
    from aiwriter_kernel.pipelines.calendar_export import to_csv, to_ics

    fields = {
        "theme": theme,
        "start": start,
        "end": end,
        "per_week": per_week,
        "audience": audience,
        "persona": persona,
        "provider": provider,
        "model": model,
        "workspace": workspace,
    }
    if channel:
        fields["channels"] = channel
    if weekday:
        fields["weekdays"] = weekday
    with open_workbench() as workbench:
        result = workbench.calendar(**fields)
        exports = workbench.settings.exports_path
    csv_path = csv_file or exports / f"calendar-{result.draft_id}.csv"
    ics_path = ics_file or exports / f"calendar-{result.draft_id}.ics"
    _write(csv_path, to_csv(result).encode("utf-8"))
    _write(ics_path, to_ics(result))
    summary = {
        **result.model_dump(mode="json"),
        "files": {"csv": str(csv_path), "ics": str(ics_path)},
    }

    def render(console: Console) -> None:
        table = Table("date", "channel", "title", "focus keyword", "cluster", title=theme)
        for entry in result.entries:
            table.add_row(
                entry.date.isoformat(),
                entry.channel,
                escape(entry.title),
                escape(entry.focus_keyword),
                escape(entry.cluster),
            )
        console.print(table)
        entries = counted(len(result.entries), "entry", "entries")
        console.print(f"{entries} (stored as draft {result.draft_id})")
        console.print(f"CSV:       {csv_path}\niCalendar: {ics_path}")
        print_warnings(console, result.warnings)

    emit(summary, as_json=json_output, render=render)


def _write(path: Path, data: bytes) -> None:
    """Write an export, or fail with one line a person can act on."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    except OSError as error:
        raise ValidationError(f"cannot write {path}: {error}") from None
