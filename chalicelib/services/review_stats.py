"""Review statistics (GB/T 39735 indicators) per office, city or province and period, summed from the
per-office counters (month totals for the months the period covers whole, day counters for the partial
months at its ends), read by key for every office in scope at once, never a scan.

Every answer carries each office's figures for the period, so the office level is the coarsest that answers
it: the offices' months give the scope's trend and totals as well, at no further read. The city and
province month roll-ups (domain/rollups.py) hold the same totals, but reading them here would add their
items to the offices', not replace them (docs/PERFORMANCE.md, issue 11): an answer without per-office
figures would read them instead. They are checked equal to the offices' sums (tests/service/test_rollups.py).

The dashboard's year of every office is a read of 12 months × every office × every shard. A schedule
(``refresh_snapshot``, every 5 minutes) reads that once and stores it as one snapshot (domain/summaries.py);
a trend (``group=month``, the dashboard's request) over whole months within the snapshot's year, asked while
the snapshot is fresh, is answered from it in one read. The contract's figures (no ``group``) are always read
live, so a change counts in them at once. Every answer says as of when it counts (``as_of``): the snapshot's
instant, or now when read live."""
from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from typing import Any

from ..adapters.reference_store import catalogue
from ..bootstrap import unit_of_work
from ..config import settings
from ..domain.actor import Actor
from ..domain.errors import Duplicate, InvalidInput
from ..domain.formats import DAY, matches
from ..domain.statistics import COUNTERS, figures
from ..domain.summaries import StatsSummary, months_between, window
from ..domain.workdays import iso, utcnow
from .review_scope import resolve_scope

logger = logging.getLogger(__name__)

# Periods the statistics can mean: the service's own era. Dates at the calendar's edges (0001-01-01,
# 9999-12-31) would overflow when turned into instants, and no review lies outside these years anyway.
FIRST_YEAR, LAST_YEAR = 2000, 2099


def parse_day(name: str, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        if not matches(DAY, value):  # ASCII digits only: fromisoformat would take other scripts' digits
            raise ValueError(value)
        day = date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(name, "must be a date YYYY-MM-DD (China Standard Time)") from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise InvalidInput(name, f"must be a date from {FIRST_YEAR} to {LAST_YEAR}")
    return day


def review_stats(actor: Actor, city: str | None, office_id: str | None, first: str | None,
                 last: str | None, group: str | None = None) -> dict[str, Any]:
    """The figures of the scope and period, per office, and with ``group=month`` per CST month too (the
    dashboard's 12-month trend in the same one query per office)."""
    scope = resolve_scope(actor, city, office_id)
    start, end = parse_day("from", first), parse_day("to", last)
    if start and end and start > end:
        raise InvalidInput("from", "must not be after to")
    if group not in (None, "month"):
        raise InvalidInput("group", "must be month")
    cat = catalogue()
    total = dict.fromkeys(COUNTERS, 0)
    months: dict[str, dict[str, int]] = {}
    offices = []
    uow, now = unit_of_work(), utcnow()
    snapshot = uow.reviews.summary() if group == "month" and start and end else None
    if snapshot is not None and start and end and snapshot.answers(
            start, end, now, timedelta(seconds=settings().stats_snapshot_max_age)):
        as_of, per_office = snapshot.as_of, snapshot.monthly_counts_of(scope.office_ids, start, end)
    else:
        as_of, per_office = now, uow.reviews.monthly_counts_of(list(scope.office_ids), start, end)
    for oid in scope.office_ids:
        counts = dict.fromkeys(COUNTERS, 0)
        for month_key, month_counts in per_office[oid].items():
            month = months.setdefault(month_key, dict.fromkeys(COUNTERS, 0))
            for k in COUNTERS:
                counts[k] += month_counts[k]
                month[k] += month_counts[k]
        for k in COUNTERS:
            total[k] += counts[k]
        offices.append({"office_id": oid, "name": cat.offices[oid].name, "city": cat.offices[oid].city,
                        **figures(counts)})
    out: dict[str, Any] = {
        "city": scope.city, "office_id": scope.office_id,
        "from": start.isoformat() if start else None, "to": end.isoformat() if end else None, "as_of": iso(as_of),
        **figures(total), "offices": offices,
    }
    if group == "month":
        out["months"] = [{"month": m, **figures(months.get(m, {}))} for m in _month_range(start, end, months)]
    return out


def _month_range(start: date | None, end: date | None, seen: dict[str, Any]) -> list[str]:
    """Every month of the period, those without a review too (a trend has no gaps), else the months seen."""
    if not (start and end):
        return sorted(seen)
    return list(months_between(start, end)[:240])


def refresh_snapshot(now: datetime | None = None) -> dict[str, Any]:
    """The schedule's run: every office's counters per month of the trailing year, read once and stored as
    the snapshot. A run that finds a later snapshot stored (a slower run overtaken) keeps it."""
    now = now or utcnow()
    first, last = window(now)
    offices = sorted(catalogue().offices)
    with unit_of_work() as uow:
        counts = uow.reviews.monthly_counts_of(offices, first, last)
        uow.reviews.save_summary(StatsSummary(as_of=now, months=months_between(first, last), offices=counts))
        try:
            uow.commit()
        except Duplicate:
            logger.info("statistics snapshot: a later one is stored, kept")
            return {"offices": len(offices), "stored": 0}
    return {"offices": len(offices), "stored": 1}
