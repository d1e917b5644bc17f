"""Consolidated daily parcels (合包) and their handover lists (交接单).

The courier (EMS 政务专递) collects from an office once a day, at its mail cut-off (reference data, e.g.
16:00 China Standard Time), and only on the office's collection days (working days of the mainland
calendar, 调休 make-up days included). Every case forwarded from one office to another before a cut-off
travels in that collection's one parcel for the pair; a case forwarded after it joins the next
collection's parcel. So a parcel is named by what it carries, its pair and its collection day
(``M-SZ-GOV-DG-GOV-20261201``), and two forwards that race for it meet on the same record.

A parcel is OPEN until its cut-off; sealing fixes its handover list and books one waybill (a parcel
with no case is closed EMPTY and never booked; sealing twice seals nothing twice). A sealed parcel
takes no case: a late joiner goes to the next collection's parcel. The courier's events are tracked on
the parcel's leg (domain/shipping.py); DELIVERED makes the parcel ARRIVED. The receiving side checks
the contents against the handover list: it signs for each case (one by one or all at once), or marks
a case missing from the parcel, which is an exception for that case alone.

Urgent cases (加急) and results mailed to an applicant's address are not consolidated: they travel
alone, as single legs.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from .actor import Actor
from .errors import InvalidInput, InvalidTransition, NotFound, OutOfScope
from .reference import Office, Route
from .shipping import LegKind, Shipment, plan_leg
from .workdays import CST, add_working_days, is_working_day, iso

DEFAULT_CUTOFF = time(16, 0)
MAX_CASES_PER_PARCEL = 400  # beyond this a pair's day spills into a second parcel (see ``parcel_id_for``)
# How many days ahead a collection day is looked for (a Spring Festival holiday is at most ~10 days).
SEARCH_DAYS = 31


class ParcelStatus(StrEnum):
    OPEN = "OPEN"  # taking cases until the cut-off
    SEALED = "SEALED"  # handover list fixed, waybill booked, with the courier
    ARRIVED = "ARRIVED"  # delivered to the receiving office (or opened there by staff)
    EMPTY = "EMPTY"  # sealed with no case in it: closed, never booked


class ItemState(StrEnum):
    PACKED = "PACKED"  # on the handover list, not checked yet
    SIGNED = "SIGNED"  # checked against the list and signed for (签收)
    MISSING = "MISSING"  # on the list but not in the parcel (缺件): an exception for that case alone


LABELS = {
    ParcelStatus.OPEN: "待封包", ParcelStatus.SEALED: "已封包", ParcelStatus.ARRIVED: "已到达",
    ParcelStatus.EMPTY: "空包（未寄出）",
    ItemState.PACKED: "待核对", ItemState.SIGNED: "已签收", ItemState.MISSING: "缺件",
}


class ParcelSealed(InvalidTransition):
    """A case tried to join a parcel that is no longer open: it goes to the next collection's parcel."""


# ---------------------------------------------------------------- collection days and cut-off


def cutoff_time(office: Office) -> time:
    try:
        hours, minutes = office.mail_cutoff.split(":", 1)
        return time(int(hours), int(minutes))
    except ValueError:  # bad reference data must not stop parcels; the usual cut-off applies
        return DEFAULT_CUTOFF


def collects_on(office: Office, day: date) -> bool:
    """Whether the courier collects from the office that day: its working days (调休 included) by default,
    every day where the reference data says ``collection_days: all_days``."""
    if office.collection_days == "all_days":
        return True
    return is_working_day(day)


def cutoff_at(office: Office, day: date) -> datetime:
    """The instant of the office's cut-off on a CST day."""
    return datetime.combine(day, cutoff_time(office), tzinfo=CST)


def next_collection_day(office: Office, after: date) -> date:
    """The first collection day strictly after ``after``."""
    day = after
    for _ in range(SEARCH_DAYS):
        day += timedelta(days=1)
        if collects_on(office, day):
            return day
    return after + timedelta(days=1)  # a calendar with no collection for a month: collect tomorrow anyway


def collection_day(office: Office, at: datetime) -> date:
    """The collection a case handed over at ``at`` leaves with: today's, if today is a collection day and
    the cut-off has not passed; else the next collection day."""
    local = at.astimezone(CST)
    today = local.date()
    if collects_on(office, today) and local.time() < cutoff_time(office):
        return today
    return next_collection_day(office, today)


def parcel_id_for(kind: LegKind, from_office_id: str, to_office_id: str, day: date, part: int = 1) -> str:
    """``M-SZ-GOV-DG-GOV-20261201`` (materials) or ``R-…`` (results); a second part of a full day gets
    ``-2``."""
    base = f"{kind.value[0]}-{from_office_id}-{to_office_id}-{day:%Y%m%d}"
    return base if part == 1 else f"{base}-{part}"


def consolidates(kind: LegKind, to_office_id: str | None, urgent: bool = False) -> bool:
    """Whether a leg travels in the pair's daily parcel: office to office and not urgent (加急 travels alone;
    a result mailed to the applicant's address is one parcel each)."""
    return bool(to_office_id) and not urgent


# ---------------------------------------------------------------- the parcel


@dataclass
class ParcelItem:
    """One line of the handover list: a case, and what the receiving side found."""

    case_no: str
    joined_at: datetime
    state: ItemState = ItemState.PACKED
    checked_at: datetime | None = None
    checked_by: str | None = None  # the signing staff member's sub
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"case_no": self.case_no, "joined_at": iso(self.joined_at), "state": self.state.value,
                "label": LABELS[self.state], "checked_at": iso(self.checked_at) if self.checked_at else None,
                "checked_by": self.checked_by, "note": self.note}


@dataclass
class Parcel:
    """One consolidated parcel (合包) of one pair and collection day, with its handover list."""

    parcel_id: str
    kind: LegKind
    from_office_id: str
    to_office_id: str
    collection_day: date
    cutoff_at: datetime
    opened_at: datetime
    status: ParcelStatus = ParcelStatus.OPEN
    items: list[ParcelItem] = field(default_factory=list)
    waybill: str | None = None
    sealed_at: datetime | None = None
    arrived_at: datetime | None = None
    courier: str = ""
    service: str = ""
    cost_cny: float = 0.0
    version: int = 0
    # How many cases ``items`` may hold: the whole list's MAX_CASES_PER_PARCEL, or, when only part of the
    # handover list was loaded to add one case (a sheet of it: adapters/parcel_repository.py), that part's
    # share of it.
    capacity: int = MAX_CASES_PER_PARCEL

    @property
    def case_nos(self) -> list[str]:
        """The handover list (交接单), in the order the cases joined."""
        return [i.case_no for i in self.items]

    @property
    def is_open(self) -> bool:
        return self.status is ParcelStatus.OPEN

    @property
    def full(self) -> bool:
        return len(self.items) >= self.capacity

    def item(self, case_no: str) -> ParcelItem:
        for i in self.items:
            if i.case_no == case_no:
                return i
        raise NotFound(f"case {case_no} is not on the handover list of parcel {self.parcel_id}")

    def holds(self, case_no: str) -> bool:
        return any(i.case_no == case_no for i in self.items)

    def awaits(self, case_no: str) -> bool:
        """The case is on the list and was neither signed for nor found missing."""
        return any(i.case_no == case_no and i.state is ItemState.PACKED for i in self.items)

    def offices(self) -> set[str]:
        return {self.from_office_id, self.to_office_id}

    # ---------------------------------------------------------------- steps

    def join(self, case_no: str, at: datetime) -> bool:
        """Put a case on the handover list. False if it is on it already (a redelivered message);
        ParcelSealed once the parcel is no longer open (or is full)."""
        if self.holds(case_no):
            return False
        if not self.is_open or self.full:
            raise ParcelSealed(f"parcel {self.parcel_id} is {self.status.value}; it takes no case",
                               current_status=self.status.value)
        self.items.append(ParcelItem(case_no, at))
        return True

    def due_for_sealing(self, now: datetime) -> bool:
        return self.is_open and now >= self.cutoff_at

    def seal(self, at: datetime, waybill: str | None = None, route: Route | None = None) -> bool:
        """封包: fix the handover list and take the waybill booked for it. A parcel with no case closes EMPTY
        and is never booked. False if it was sealed already (a second run seals nothing twice)."""
        if not self.is_open:
            return False
        self.sealed_at = at
        if not self.items:
            self.status = ParcelStatus.EMPTY
            return True
        if not waybill or route is None:
            raise ValueError("a parcel with cases is sealed with its booked waybill and route")
        self.status, self.waybill = ParcelStatus.SEALED, waybill
        self.courier, self.service, self.cost_cny = route.courier, route.service, route.cost_cny
        return True

    def leg(self, origin: Office, route: Route) -> Shipment:
        """The parcel's one leg with the courier (tracked like any leg; ``parcel_id`` ties it back here)."""
        if not self.waybill or self.sealed_at is None:
            raise ValueError("only a sealed parcel has a leg")
        leg = plan_leg(case_no=self.parcel_id, case_version=0, kind=self.kind, waybill=self.waybill,
                       origin=origin, route=route, handed_over_at=self.sealed_at, to_office_id=self.to_office_id)
        # It leaves with its collection day's pickup, whenever the sealing job ran.
        leg.expected_arrival = add_working_days(self.collection_day, route.transit_working_days)
        leg.parcel_id = self.parcel_id
        return leg

    def arrive(self, at: datetime) -> bool:
        """The courier delivered it (or staff opened it first). False if it had arrived already."""
        if self.status is ParcelStatus.ARRIVED:
            return False
        if self.status is not ParcelStatus.SEALED:
            raise InvalidTransition(f"parcel {self.parcel_id} is {self.status.value}; only a sealed parcel arrives",
                                    current_status=self.status.value)
        self.status, self.arrived_at = ParcelStatus.ARRIVED, at
        return True

    def _require_receiver(self, actor: Actor) -> None:
        if actor.office_id != self.to_office_id:
            raise OutOfScope(f"only staff of {self.to_office_id} sign for parcel {self.parcel_id}")
        if self.status not in (ParcelStatus.SEALED, ParcelStatus.ARRIVED):
            raise InvalidTransition(f"parcel {self.parcel_id} is {self.status.value}; nothing to sign for yet",
                                    current_status=self.status.value)

    def sign(self, actor: Actor, at: datetime, case_nos: Iterable[str] | None = None, note: str = "") -> list[str]:
        """签收 against the handover list: the cases named (all still unchecked when None). Returns the cases
        signed now; a case signed already is left as it is (signing twice signs once). A sealed parcel
        signed for has arrived."""
        self._require_receiver(actor)
        wanted = list(dict.fromkeys(case_nos)) if case_nos is not None else None
        if wanted is not None:
            for case_no in wanted:
                item = self.item(case_no)
                if item.state is ItemState.MISSING:
                    raise InvalidTransition(f"case {case_no} was marked missing from this parcel",
                                            current_status=item.state.value)
        signed = []
        for item in self.items:
            if item.state is ItemState.PACKED and (wanted is None or item.case_no in wanted):
                item.state, item.checked_at, item.checked_by, item.note = ItemState.SIGNED, at, actor.sub, note
                signed.append(item.case_no)
        if signed and self.status is ParcelStatus.SEALED:
            self.arrive(at)
        return signed

    def mark_missing(self, actor: Actor, at: datetime, case_no: str, note: str = "") -> ParcelItem:
        """缺件: the case is on the list but its materials are not in the parcel. Only an unchecked case."""
        self._require_receiver(actor)
        item = self.item(case_no)
        if item.state is not ItemState.PACKED:
            raise InvalidTransition(f"case {case_no} was {item.state.value} already", current_status=item.state.value)
        item.state, item.checked_at, item.checked_by, item.note = ItemState.MISSING, at, actor.sub, note
        if self.status is ParcelStatus.SEALED:
            self.arrive(at)
        return item

    def summary(self) -> dict[str, Any]:
        counts = {s.value: 0 for s in ItemState}
        for i in self.items:
            counts[i.state.value] += 1
        return {
            "parcel_id": self.parcel_id, "kind": self.kind.value, "from_office_id": self.from_office_id,
            "to_office_id": self.to_office_id, "collection_day": self.collection_day.isoformat(),
            "cutoff_at": iso(self.cutoff_at), "status": self.status.value, "label": LABELS[self.status],
            "waybill": self.waybill, "sealed_at": iso(self.sealed_at) if self.sealed_at else None,
            "arrived_at": iso(self.arrived_at) if self.arrived_at else None, "courier": self.courier,
            "service": self.service, "cost_cny": self.cost_cny, "case_count": len(self.items), "items_by_state": counts,
        }


def open_parcel(kind: LegKind, origin: Office, to_office_id: str, at: datetime, day: date | None = None,
                part: int = 1) -> Parcel:
    """A new, empty parcel of the pair for the collection a hand-over at ``at`` leaves with (or ``day``)."""
    day = day or collection_day(origin, at)
    return Parcel(parcel_id=parcel_id_for(kind, origin.office_id, to_office_id, day, part), kind=kind,
                  from_office_id=origin.office_id, to_office_id=to_office_id, collection_day=day,
                  cutoff_at=cutoff_at(origin, day), opened_at=at)


def parse_parcel_id(value: str) -> str:
    """A parcel id from a path: letters, digits and '-', at most 80 characters (400 naming the field)."""
    if not isinstance(value, str) or not re.fullmatch(r"[MR]-[A-Z0-9-]{4,76}", value):
        raise InvalidInput("parcel_id", "is not a parcel id (e.g. M-SZ-GOV-DG-GOV-20261201)")
    return value
