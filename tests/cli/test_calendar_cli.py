"""`aiwriter calendar` as a user runs it: a real process, a real home and knowledge base,
CSV and iCalendar files a spreadsheet and a calendar app can read."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from icalendar import Calendar

pytestmark = pytest.mark.slow
CORPUS = Path(__file__).resolve().parents[2] / "data" / "demo_corpus"


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "240"}
    return subprocess.run(
        [sys.executable, "-m", "aiwriter_kernel", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )


def test_plan_a_calendar_and_export_it(home: Path, tmp_path: Path) -> None:
    assert run_cli("ingest", str(CORPUS)).returncode == 0

    reversed_range = run_cli("calendar", "SEO", "--start", "2026-12-10", "--end", "2026-12-01")
    assert reversed_range.returncode == 1
    assert reversed_range.stderr.strip().splitlines() == [
        "error: CalendarRequest: the range ends (2026-12-01) before it starts (2026-12-10)"
    ]

    csv_path, ics_path = tmp_path / "plan.csv", tmp_path / "plan.ics"
    planned = run_cli(
        "calendar",
        "Email newsletters",
        "--start",
        "2026-12-07",
        "--end",
        "2026-12-20",
        "--channel",
        "email",
        "--channel",
        "linkedin",
        "--per-week",
        "2",
        "--weekday",
        "tue",
        "--weekday",
        "thu",
        "--csv",
        str(csv_path),
        "--ics",
        str(ics_path),
        "--json",
    )
    assert planned.returncode == 0, planned.stderr
    report = json.loads(planned.stdout)
    entries = report["entries"]
    assert [(e["date"], e["channel"]) for e in entries] == [
        ("2026-12-08", "email"),
        ("2026-12-10", "linkedin"),
        ("2026-12-15", "email"),
        ("2026-12-17", "linkedin"),
    ]
    assert report["files"] == {"csv": str(csv_path), "ics": str(ics_path)}

    with csv_path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["title"] for row in rows] == [e["title"] for e in entries]
    events = Calendar.from_ical(ics_path.read_bytes()).walk("VEVENT")
    assert [event["dtstart"].dt for event in events] == [
        dt.date.fromisoformat(e["date"]) for e in entries
    ]

    table = run_cli("calendar", "Email newsletters", "--start", "2026-12-07", "--end", "2026-12-11")
    assert table.returncode == 0, table.stderr
    assert "3 entries (stored as draft" in table.stdout
    exported = sorted(path.suffix for path in (home / "exports").glob("calendar-*"))
    assert exported == [".csv", ".ics"]
