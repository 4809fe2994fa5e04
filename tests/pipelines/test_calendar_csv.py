"""The calendar's CSV keeps titles and briefs as text in a spreadsheet (issue 14)."""

from __future__ import annotations

import csv
import datetime as dt
import io

from support import FORMULA_CELLS

from aiwriter_kernel.pipelines.calendar import CalendarEntry, ContentCalendar
from aiwriter_kernel.pipelines.calendar_export import CSV_HEADER, to_csv


def _calendar(titles: list[str]) -> ContentCalendar:
    day = dt.date(2026, 12, 1)
    entries = [
        CalendarEntry(
            date=day + dt.timedelta(days=number),
            channel="article",
            title=title,
            focus_keyword=title,
            brief=f"{title} brief",
            cluster="@cluster" if number else "bread",
        )
        for number, title in enumerate(titles)
    ]
    return ContentCalendar(
        theme="Bread", start=day, end=day + dt.timedelta(days=30), entries=entries,
        clusters=[], warnings=[], draft_id=1, version=1, provider="offline",
    )  # fmt: skip


def test_formulas_in_the_calendar_csv_are_text() -> None:
    text = to_csv(_calendar(["Bread at home", *FORMULA_CELLS]))
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert tuple(rows[0]) == CSV_HEADER
    assert rows[1] == ["2026-12-01", "article", "Bread at home", "Bread at home",
                       "Bread at home brief", "bread"]  # fmt: skip
    for row, title in zip(rows[2:], FORMULA_CELLS, strict=True):
        quoted = "'" + title
        assert row[2:] == [quoted, quoted, quoted + " brief", "'@cluster"]
