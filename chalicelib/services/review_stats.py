"""Review statistics (GB/T 39735 indicators) per office, city or province and period, summed from the
per-office, per-day counters: one query per office in scope, never a scan."""
from __future__ import annotations

from datetime import date
from typing import Any

from ..adapters.reference_store import catalogue
from ..bootstrap import unit_of_work
from ..domain.actor import Actor
from ..domain.errors import InvalidInput
from ..domain.reviews import COUNTERS, figures
from .review_scope import resolve_scope


def parse_day(name: str, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        if len(value) != 10:
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(name, "must be a date YYYY-MM-DD (China Standard Time)") from None


def review_stats(actor: Actor, city: str | None, office_id: str | None, first: str | None,
                 last: str | None) -> dict[str, Any]:
    scope = resolve_scope(actor, city, office_id)
    start, end = parse_day("from", first), parse_day("to", last)
    if start and end and start > end:
        raise InvalidInput("from", "must not be after to")
    cat = catalogue()
    total = dict.fromkeys(COUNTERS, 0)
    offices = []
    uow = unit_of_work()
    for oid in scope.office_ids:
        counts = uow.reviews.counts(oid, start, end)
        for k in COUNTERS:
            total[k] += counts[k]
        offices.append({"office_id": oid, "name": cat.offices[oid].name, "city": cat.offices[oid].city,
                        **figures(counts)})
    return {
        "city": scope.city, "office_id": scope.office_id,
        "from": start.isoformat() if start else None, "to": end.isoformat() if end else None,
        **figures(total), "offices": offices,
    }
