"""Working days on the mainland China calendar (with 调休 make-up days) and China Standard Time dates.

The calendar comes from the maintained ``chinesecalendar`` package. A date outside the years it knows
falls back to weekends-only, with one warning per year, and never raises.
"""
from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar

CST = ZoneInfo("Asia/Shanghai")
_log = logging.getLogger(__name__)
_warned_years: set[int] = set()


def utcnow() -> datetime:
    return datetime.now(UTC)


def iso(at: datetime) -> str:
    """An ISO-8601 instant in UTC with offset, as stored."""
    return at.astimezone(UTC).isoformat(timespec="seconds")


def parse_instant(value: str) -> datetime:
    at = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if at.tzinfo is None:
        raise ValueError("instant without a UTC offset")
    return at.astimezone(UTC)


def cst_date(at: datetime) -> date:
    """The China Standard Time date of an instant: the date rules count in."""
    return at.astimezone(CST).date()


def is_working_day(day: date) -> bool:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        if day.year not in _warned_years:
            _warned_years.add(day.year)
            _log.warning("working-day calendar has no data for %s; counting weekends only", day.year)
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


def end_of_cst_day(day: date) -> datetime:
    """The instant a deadline on ``day`` (a CST date) passes: midnight CST at the start of the next day."""
    return datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=CST).astimezone(UTC)
