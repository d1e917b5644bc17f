"""Working days on the mainland China calendar (with 调休 make-up days) and China Standard Time dates.

The calendar comes from the maintained ``chinesecalendar`` package. A year the package does not know yet
(the State Council publishes the next year's schedule each November) can be added as data in
``chalicelib/reference/calendar.json``, which takes precedence for the years it lists. A date outside both
falls back to weekends-only, with one warning per year, and never raises.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import chinese_calendar

CST = ZoneInfo("Asia/Shanghai")
_log = logging.getLogger(__name__)
_warned_years: set[int] = set()
CALENDAR_FILE = Path(__file__).resolve().parent.parent / "reference" / "calendar.json"


@dataclass(frozen=True)
class YearSchedule:
    """One year's published schedule: public holidays and 调休 make-up working days."""

    holidays: frozenset[date]
    workdays: frozenset[date]

    def is_working_day(self, day: date) -> bool:
        if day in self.workdays:
            return True
        return day not in self.holidays and day.weekday() < 5


def parse_schedules(data: dict[str, object]) -> dict[int, YearSchedule]:
    """The ``years`` of a calendar file: {"2027": {"holidays": ["2027-01-01", ...], "workdays": [...]}}."""
    years = data.get("years") or {}
    if not isinstance(years, dict):
        raise ValueError("calendar file: 'years' must be an object")
    schedules: dict[int, YearSchedule] = {}
    for year, entry in years.items():
        dates = {kind: frozenset(date.fromisoformat(d) for d in entry.get(kind, []))
                 for kind in ("holidays", "workdays")}
        stray = [d for d in dates["holidays"] | dates["workdays"] if d.year != int(year)]
        if stray:
            raise ValueError(f"calendar file: {sorted(stray)[0]} listed under {year}")
        schedules[int(year)] = YearSchedule(dates["holidays"], dates["workdays"])
    return schedules


@cache
def published_schedules() -> dict[int, YearSchedule]:
    return parse_schedules(json.loads(CALENDAR_FILE.read_text("utf-8")))


def utcnow() -> datetime:
    return datetime.now(UTC)


def iso(at: datetime) -> str:
    """An ISO-8601 instant in UTC with offset, as stored."""
    return at.astimezone(UTC).isoformat(timespec="seconds")


def parse_instant(value: str, local: ZoneInfo | None = None) -> datetime:
    """An ISO-8601 date and time as a UTC instant. Without an offset it is refused, or read in ``local``."""
    at = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if at.tzinfo is None:
        if local is None:
            raise ValueError("instant without a UTC offset")
        at = at.replace(tzinfo=local)
    try:
        return at.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00+01:00 and 9999-12-31T23:59-01:00 fall outside datetime's range
        raise ValueError("instant outside the representable range") from None


def cst_date(at: datetime) -> date:
    """The China Standard Time date of an instant: the date rules count in."""
    return at.astimezone(CST).date()


def is_working_day(day: date) -> bool:
    schedule = published_schedules().get(day.year)
    if schedule is not None:
        return schedule.is_working_day(day)
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        if day.year not in _warned_years:
            _warned_years.add(day.year)
            _log.warning("working-day calendar has no data for %s; counting weekends only: add the year's "
                         "published schedule to chalicelib/reference/calendar.json", day.year)
        return day.weekday() < 5


def next_working_day_on_or_after(day: date) -> date:
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def add_working_days(start: date, days: int) -> date:
    """The date ``days`` working days after ``start``; a non-working start counts from the next working day.

    add_working_days(Friday, 1) is the next Monday (if a working day).
    """
    day = next_working_day_on_or_after(start)
    remaining = days
    while remaining > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_left(today: date, due: date) -> int:
    """Working days from ``today`` to the deadline ``due``: 0 when it is due today (or on the next working
    day after a non-working today), negative when it has passed (how many working days late)."""
    if due >= today:
        day, left = today, 0
        while day < due:
            day += timedelta(days=1)
            left += is_working_day(day)
        return left
    day, late = due, 0
    while day < today:
        day += timedelta(days=1)
        late += is_working_day(day)
    return -max(late, 1)


def end_of_cst_day(day: date) -> datetime:
    """The instant a deadline on ``day`` (a CST date) passes: midnight CST at the start of the next day."""
    return datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=CST).astimezone(UTC)


def working_days_between(start: date, end: date) -> int:
    """How many working days come after ``start`` up to and including ``end`` (0 when ``end`` <= ``start``):
    a case returned on Monday and corrected on Wednesday waited 2 working days."""
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count


def start_of_cst_day(day: date) -> datetime:
    """Midnight CST at the start of ``day``: when a reminder for a deadline on ``day`` goes out."""
    return datetime.combine(day, datetime.min.time(), tzinfo=CST).astimezone(UTC)
