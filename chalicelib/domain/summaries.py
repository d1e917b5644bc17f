"""The statistics snapshot (统计快照): every office's review counters per CST month over the trailing year, taken
by a schedule and kept as one record, so the dashboard's year of every office is one read. Pure rules, no
storage.

A snapshot answers a period only when the answer would be the live one as of the snapshot's instant:

- it is fresh (taken at most ``max_age`` ago; the schedule takes one every few minutes);
- the period starts on the first day of a month the snapshot holds;
- the period ends on the last day of a month it holds, or on or after the day the snapshot was taken (a
  month's counters to date are its counters: nothing is counted ahead of its day).

Any other period (a partial month at either end, a year before the window, an open end) is read live.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from .rollups import month_end, month_of
from .workdays import cst_date

WINDOW_MONTHS = 12  # the dashboard's trend: the last 12 months, this one included


def window(now: datetime) -> tuple[date, date]:
    """The days a snapshot taken at ``now`` covers: the first of the month WINDOW_MONTHS − 1 months before
    the CST month of ``now``, to the end of that month."""
    today = cst_date(now)
    first = today.replace(day=1)
    for _ in range(WINDOW_MONTHS - 1):
        first = (first - timedelta(days=1)).replace(day=1)
    return first, month_end(today)


def months_between(first: date, last: date) -> tuple[str, ...]:
    out: list[str] = []
    at = first.replace(day=1)
    while at <= last:
        out.append(month_of(at))
        at = month_end(at) + timedelta(days=1)
    return tuple(out)


@dataclass(frozen=True)
class StatsSummary:
    """Counters per office and CST month (``YYYY-MM``) of ``months``, as of ``as_of``. A month or office
    without a review may be absent: it counted nothing."""

    as_of: datetime
    months: tuple[str, ...]
    offices: Mapping[str, Mapping[str, Mapping[str, int]]] = field(default_factory=dict)

    def answers(self, first: date | None, last: date | None, now: datetime, max_age: timedelta) -> bool:
        if first is None or last is None or not timedelta(0) <= now - self.as_of <= max_age:
            return False
        starts = first.day == 1 and month_of(first) in self.months
        ends = last >= cst_date(self.as_of) or (last == month_end(last) and month_of(last) in self.months)
        return starts and ends

    def monthly_counts_of(self, office_ids: Iterable[str], first: date,
                          last: date) -> dict[str, dict[str, dict[str, int]]]:
        """Per office, its months within ``first``..``last`` (those with counters), as the live read gives."""
        wanted = set(months_between(first, last))
        return {oid: {m: dict(counts) for m, counts in sorted(self.offices.get(oid, {}).items()) if m in wanted}
                for oid in office_ids}
