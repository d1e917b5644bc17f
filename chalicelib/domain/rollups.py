"""Roll-ups of the review counters (统计汇总): the levels above an office that each counted change is also added
to, and which whole months of a period those levels can answer. Pure rules, no storage.

A change to an office's counters is added, in the same write, to its office, its city and the province, so
a city's or the province's month is one total (per shard) instead of one per office. Roll-ups are kept per
CST month only: the partial months at a period's ends are read from the offices' days.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from .access import PROVINCIAL


@dataclass(frozen=True)
class Level:
    """A roll-up level: ``city`` (one city's offices) or ``province`` (every office)."""

    kind: str
    code: str  # the city's division code, or PROVINCIAL

    @property
    def name(self) -> str:
        """The level's name in storage keys: never an office id (office ids have no colon)."""
        return f"{self.kind}:{self.code}"


def province() -> Level:
    return Level("province", PROVINCIAL)


def city(code: str) -> Level:
    return Level("city", code)


def levels_of(city_code: str) -> tuple[Level, ...]:
    """The roll-ups a change to an office of ``city_code`` is added to, besides the office's own counters."""
    return city(city_code), province()


def level_for(scope_city: str | None, scope_office: str | None) -> Level | None:
    """The coarsest level that answers a scope: none for one office (its own counters do), the city's
    roll-up for a city, the province's for the whole province (``scope_city`` None)."""
    if scope_office is not None:
        return None
    return province() if scope_city is None else city(scope_city)


def month_of(day: date) -> str:
    return day.isoformat()[:7]


def month_end(day: date) -> date:
    """The last day of ``day``'s month."""
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def whole_months(first: date, last: date, complete_from: str = "") -> list[str]:
    """The CST months (``YYYY-MM``) that lie wholly within ``first``..``last``, from ``complete_from`` on
    (the first month whose roll-ups hold every change; "" = all): those a roll-up can answer."""
    out: list[str] = []
    at = first if first.day == 1 else (first.replace(day=1) + timedelta(days=32)).replace(day=1)
    while True:
        last_day = month_end(at)
        if last_day > last:
            return out
        if month_of(at) >= complete_from:
            out.append(month_of(at))
        at = last_day + timedelta(days=1)
