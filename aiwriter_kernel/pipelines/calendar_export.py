"""A content calendar in the formats other tools read: CSV for spreadsheets, iCalendar (.ics)
for calendar apps, so everyone sees the plan where they already look."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from typing import TYPE_CHECKING

from aiwriter_kernel.text.csv_safe import safe_row

if TYPE_CHECKING:
    from aiwriter_kernel.pipelines.calendar import CalendarEntry, ContentCalendar

CSV_HEADER = ("date", "channel", "title", "focus_keyword", "brief", "cluster")
PRODID = "-//AI-Writer//Content calendar//EN"


def to_csv(calendar: ContentCalendar) -> str:
    """One row per entry under a header row; the csv module does the quoting, ``safe_row``
    keeps titles and briefs from running as spreadsheet formulas. Rows end in CRLF as RFC
    4180 says: with a bare LF the writer leaves a field holding a CR unquoted, which
    splits the row for every reader."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    for entry in calendar.entries:
        writer.writerow(
            safe_row(
                [
                    entry.date.isoformat(),
                    entry.channel,
                    entry.title,
                    entry.focus_keyword,
                    entry.brief,
                    entry.cluster,
                ]
            )
        )
    return buffer.getvalue()


def entry_uid(calendar: ContentCalendar, entry: CalendarEntry) -> str:
    """The same entry of the same stored calendar always has the same UID, so importing an
    export again updates the events instead of duplicating them."""
    key = f"{calendar.draft_id}|{entry.date.isoformat()}|{entry.channel}|{entry.title}"
    return f"{hashlib.sha256(key.encode()).hexdigest()[:24]}@aiwriter"


def to_ics(calendar: ContentCalendar, *, stamp: dt.datetime | None = None) -> bytes:
    """A VCALENDAR with one all-day VEVENT per entry: "[channel] title" as its summary, the
    keyword and brief as its description, the channel as its category."""
    from icalendar import Calendar, Event

    stamp = stamp or dt.datetime.now(dt.UTC)
    ics = Calendar()
    ics.add("prodid", PRODID)
    ics.add("version", "2.0")
    ics.add("x-wr-calname", f"Content calendar: {calendar.theme}")
    for entry in calendar.entries:
        event = Event()
        event.add("uid", entry_uid(calendar, entry))
        event.add("dtstamp", stamp)
        event.add("dtstart", entry.date)
        event.add("dtend", entry.date + dt.timedelta(days=1))  # all-day: ends the next day
        event.add("summary", f"[{entry.channel}] {entry.title}")
        event.add("description", f"Focus keyword: {entry.focus_keyword}\n\n{entry.brief}")
        event.add("categories", [entry.channel])
        ics.add_component(event)
    return ics.to_ical()
