"""The content calendar's request and schedule: bad input fails before any work, and the
publishing dates follow the range, the weekdays and the weekly cadence."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from pathlib import Path

import pytest

from aiwriter_kernel import Workbench
from aiwriter_kernel.errors import ValidationError
from aiwriter_kernel.pipelines.calendar import CalendarRequest, slot_dates

DEC_1, DEC_31 = dt.date(2026, 12, 1), dt.date(2026, 12, 31)  # a Tuesday and a Thursday


@pytest.fixture
def workbench(tmp_path: Path):
    with Workbench.open(home=tmp_path / "home") as opened:
        yield opened


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"end": dt.date(2026, 11, 30)}, "ends (2026-11-30) before it starts (2026-12-01)"),
        ({"end": dt.date(2027, 12, 2)}, "absurdly long: plan at most 366 days"),
        ({"channels": ["linkedin", "tiktok"]}, "unknown channel 'tiktok'"),
        ({"channels": []}, "at least one channel"),
        ({"per_week": 0}, "per_week"),
        ({"per_week": 22}, "per_week"),
        ({"weekdays": ["funday"]}, "unknown weekday 'funday'"),
        ({"theme": "   "}, "the theme is empty"),
    ],
)
def test_bad_requests_fail_with_one_clear_line(workbench, fields, message) -> None:
    request = {"theme": "newsletters", "start": DEC_1, "end": DEC_31, **fields}
    with pytest.raises(ValidationError, match=re.escape(message)) as raised:
        workbench.calendar(**request)
    assert "\n" not in str(raised.value)


def test_an_unknown_persona_fails_before_any_work(workbench) -> None:
    with pytest.raises(ValidationError, match="unknown persona 'ghost'"):
        workbench.calendar(theme="newsletters", start=DEC_1, end=DEC_31, persona="ghost")
    assert workbench.drafts(kind="calendar") == []


def test_a_full_year_and_a_past_start_are_allowed() -> None:
    leap = CalendarRequest(theme="x", start=dt.date(2024, 1, 1), end=dt.date(2024, 12, 31))
    assert (leap.end - leap.start).days + 1 == 366


def test_channels_and_weekdays_are_normalised() -> None:
    request = CalendarRequest(
        theme="  many   spaces ",
        start=DEC_1,
        end=DEC_31,
        channels=["Email", "article", "email"],
        weekdays=["Sunday", "sat", 5, "0"],
    )
    assert request.theme == "many spaces"
    assert request.channels == ("email", "article")
    assert request.weekdays == (0, 5, 6)
    default = CalendarRequest(theme="x", start=DEC_1, end=DEC_31)
    assert default.channels == ("article", "linkedin", "x-thread", "email")
    assert default.weekdays == (0, 1, 2, 3, 4)


def test_slots_spread_a_weekly_cadence_over_the_allowed_days() -> None:
    dates = slot_dates(DEC_1, DEC_31, (0, 1, 2, 3, 4), 3)
    assert dates == sorted(dates)
    assert all(DEC_1 <= day <= DEC_31 and day.weekday() < 5 for day in dates)
    by_week = Counter(day.isocalendar()[1] for day in dates)
    # full weeks get Monday, Wednesday and Friday; the partial first and last weeks
    # (Tue-Fri, Mon-Thu: four of five days) get their share, two each
    full_weeks = [d for d in dates if dt.date(2026, 12, 7) <= d <= dt.date(2026, 12, 27)]
    assert {d.strftime("%a") for d in full_weeks} == {"Mon", "Wed", "Fri"}
    assert sorted(by_week.values()) == [2, 2, 3, 3, 3]
    assert dates[:2] == [dt.date(2026, 12, 2), dt.date(2026, 12, 4)]


def test_more_posts_than_days_share_the_days_evenly() -> None:
    dates = slot_dates(dt.date(2026, 12, 7), dt.date(2026, 12, 13), (0, 1, 2, 3, 4), 7)
    per_day = Counter(dates)
    assert len(dates) == 7 and set(per_day) == {
        dt.date(2026, 12, 7) + dt.timedelta(days=n) for n in range(5)
    }
    assert max(per_day.values()) == 2


def test_only_the_chosen_weekdays_are_used() -> None:
    dates = slot_dates(DEC_1, DEC_31, (5, 6), 1)
    assert dates == [dt.date(2026, 12, day) for day in (6, 13, 20, 27)]  # a Sunday a week
    assert slot_dates(DEC_1, DEC_1, (5, 6), 3) == []  # a lone Tuesday has no weekend day
