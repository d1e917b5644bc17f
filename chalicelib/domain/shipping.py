"""Parcel legs (寄递单) and the rules of their tracking: status ranks, courier events, expected arrival.

A leg is one parcel: the case's materials from the receiving office to the handling office, or the result
from the handling office to the applicant's address or to the receiving office for pickup. Courier events
are applied so that duplicates and out-of-order arrivals leave the same state as one in-order delivery:
the tracking history is a set of (event, instant) sorted by instant, and the status only moves forward
by rank (a DELIVERED never goes back to IN_TRANSIT).

A leg ends when it is DELIVERED or RETURNED_TO_SENDER (back with its sender: only a re-ship moves the case
on); the first end reported stands. An event dated after the end (a late IN_TRANSIT, a second DELIVERED, a
RETURNED_TO_SENDER after DELIVERED, a DELIVERED of the returned parcel to its sender, a date in 2099) is kept
for operators in ``late_events``: it changes nothing and the public tracking does not show it. An event dated
before the end that arrives after it is history, and the end stands.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from .events import ShipmentOverdue
from .reference import Office, Route
from .workdays import CST, add_working_days, end_of_cst_day, iso

MAX_TRACKING_EVENTS = 50  # a misbehaving courier cannot grow a leg without bound

# What the case's timeline says of a courier's report (the applicant reads it; the console shows notes as
# written): the same words as the console's parcel event labels.
LEG_STATUS_WORDS = {"CREATED": "已下单", "PICKED_UP": "已揽收", "IN_TRANSIT": "运输中", "EXCEPTION": "异常",
                    "RETURNED_TO_SENDER": "已退回寄件方", "DELIVERED": "已投递"}


def courier_note(courier: str, status: str, waybill: str, parcel_id: str | None = None) -> str:
    """A case's timeline note for a courier's report on its leg, e.g. ``EMS 异常（运单 EMS1…）``, or of the
    consolidated parcel (合包) the case travels in."""
    where = f"合包 {parcel_id}" if parcel_id else f"运单 {waybill}"
    return f"{courier} {LEG_STATUS_WORDS.get(status, status)}（{where}）"


class LegKind(StrEnum):
    MATERIALS = "MATERIALS"  # receiving office → handling office
    RESULT = "RESULT"  # handling office → applicant's address, or → receiving office for pickup


class LegStatus(StrEnum):
    CREATED = "CREATED"
    PICKED_UP = "PICKED_UP"
    IN_TRANSIT = "IN_TRANSIT"
    EXCEPTION = "EXCEPTION"
    RETURNED_TO_SENDER = "RETURNED_TO_SENDER"
    DELIVERED = "DELIVERED"


COURIER_EVENTS: tuple[str, ...] = (
    "CREATED", "PICKED_UP", "IN_TRANSIT", "DELIVERED", "EXCEPTION", "RETURNED_TO_SENDER",
)

# A leg's status never moves to a lower rank.
RANK: dict[LegStatus, int] = {
    LegStatus.CREATED: 0,
    LegStatus.PICKED_UP: 1,
    LegStatus.IN_TRANSIT: 2,
    LegStatus.EXCEPTION: 3,
    LegStatus.RETURNED_TO_SENDER: 4,
    LegStatus.DELIVERED: 5,
}

TROUBLE: frozenset[LegStatus] = frozenset({LegStatus.EXCEPTION, LegStatus.RETURNED_TO_SENDER})
# After these the parcel is no longer on its way: later events are recorded for operators only.
ENDED: frozenset[LegStatus] = frozenset({LegStatus.DELIVERED, LegStatus.RETURNED_TO_SENDER})

# What the simulated courier (and a well-behaved real one) reports next.
NEXT_EVENT: dict[LegStatus, LegStatus] = {
    LegStatus.CREATED: LegStatus.PICKED_UP,
    LegStatus.PICKED_UP: LegStatus.IN_TRANSIT,
    LegStatus.IN_TRANSIT: LegStatus.DELIVERED,
}


def leg_id_for(case_no: str, case_version: int) -> str:
    """The leg planned for one case event: the same event delivered twice plans the same leg."""
    return f"{case_no}-{case_version}"


def expected_arrival(handed_over_at: datetime, origin: Office, transit_working_days: int) -> date:
    """The CST date a leg should arrive: handed over after the origin office's daily mail cut-off
    (e.g. 16:00), the parcel leaves with the next day's mail; transit counts in working days."""
    local = handed_over_at.astimezone(CST)
    start = local.date()
    if local.time() >= _cutoff(origin.mail_cutoff):
        start += timedelta(days=1)
    return add_working_days(start, transit_working_days)


def _cutoff(value: str) -> time:
    try:
        hours, minutes = value.split(":", 1)
        return time(int(hours), int(minutes))
    except ValueError:  # bad reference data must not stop parcels; the usual cut-off applies
        return time(16, 0)


@dataclass(frozen=True)
class TrackingEvent:
    event: LegStatus
    at: datetime

    def as_dict(self) -> dict[str, str]:
        return {"event": self.event.value, "at": iso(self.at)}


@dataclass(frozen=True)
class Applied:
    """What one courier event did to a leg."""

    recorded: bool  # False: a duplicate (or over the cap); nothing changed
    previous: LegStatus
    status: LegStatus

    @property
    def moved(self) -> bool:
        return self.status is not self.previous

    @property
    def delivered_now(self) -> bool:
        return self.moved and self.status is LegStatus.DELIVERED

    @property
    def trouble_now(self) -> bool:
        return self.moved and self.status in TROUBLE


@dataclass
class Shipment:
    """One parcel leg (寄递单) of a case."""

    waybill: str
    case_no: str
    case_version: int  # the version of the case event that planned this leg: orders a case's legs
    kind: LegKind
    from_office_id: str
    courier: str
    service: str
    cost_cny: float
    transit_working_days: int
    expected_arrival: date
    created_at: datetime
    to_office_id: str | None = None
    to_address: dict[str, Any] | None = None  # the applicant's address (MAIL): personal data
    status: LegStatus = LegStatus.CREATED
    events: list[TrackingEvent] = field(default_factory=list)
    overdue: bool = False
    superseded_by: str | None = None
    replaces: str | None = None
    version: int = 0
    late_events: list[TrackingEvent] = field(default_factory=list)  # after the leg ended: operators only
    # The consolidated parcel (合包, domain/parcels.py) this leg carries: its ``case_no`` is then the parcel id.
    parcel_id: str | None = None
    urgent: bool = False  # 加急: a case sent alone instead of in the day's parcel

    @property
    def leg_id(self) -> str:
        return leg_id_for(self.case_no, self.case_version)

    @property
    def to_city(self) -> str | None:
        return str(self.to_address.get("city")) if self.to_address else None

    @property
    def is_open(self) -> bool:
        """Still on its way: the courier simulator advances it and the sweeper watches its deadline."""
        return self.status is not LegStatus.DELIVERED and self.superseded_by is None

    @property
    def due_at(self) -> datetime:
        return end_of_cst_day(self.expected_arrival)

    @property
    def reshippable(self) -> bool:
        return self.superseded_by is None and (self.status in TROUBLE or (self.overdue and self.is_open))

    def apply(self, event: LegStatus, at: datetime) -> Applied:
        """Record one courier event; the status becomes the highest rank seen (never lower). Once the leg
        ended (delivered, or returned to its sender), an event is kept for operators and changes nothing."""
        previous = self.status
        entry = TrackingEvent(event, at)
        if entry in self.events or entry in self.late_events:
            return Applied(False, previous, previous)
        if len(self.events) + len(self.late_events) >= MAX_TRACKING_EVENTS:
            return Applied(False, previous, previous)
        if self.status in ENDED:
            ended_at = max((e.at for e in self.events if e.event is self.status), default=at)
            if at > ended_at:  # after the end: for operators, never the public history
                self.late_events = sorted([*self.late_events, entry], key=lambda e: (e.at, RANK[e.event]))
            else:  # an earlier step that arrived late: history, and the end stands
                self.events = sorted([*self.events, entry], key=lambda e: (e.at, RANK[e.event]))
            return Applied(True, previous, previous)
        self.events = sorted([*self.events, entry], key=lambda e: (e.at, RANK[e.event]))
        if RANK[event] > RANK[self.status]:
            self.status = event
        return Applied(True, previous, self.status)

    def mark_overdue(self, now: datetime) -> bool:
        """超期: still open after the end of its expected-arrival day. False if not (or already) overdue."""
        if self.overdue or not self.is_open or now < self.due_at:
            return False
        self.overdue = True
        return True

    def overdue_event(self, at: datetime) -> ShipmentOverdue:
        """The escalation of a leg found overdue (``shipment.overdue`` → alerts), once per leg."""
        return ShipmentOverdue(
            event_id=f"{self.waybill}#shipment.overdue", type="shipment.overdue", case_no=self.case_no,
            waybill=self.waybill, leg_version=self.version, kind=self.kind.value,
            from_office_id=self.from_office_id, to_office_id=self.to_office_id, to_city=self.to_city,
            status=self.status.value, expected_arrival=self.expected_arrival.isoformat(), at=at,
            details={"expected_arrival": self.expected_arrival.isoformat()},
        )

    def supersede(self, by_waybill: str) -> None:
        self.superseded_by = by_waybill

    def public(self) -> dict[str, Any]:
        """For public tracking (查询码): no recipient, phone or street address."""
        return {
            "waybill": self.waybill,
            "kind": self.kind.value,
            "from_office_id": self.from_office_id,
            "to_office_id": self.to_office_id,
            "to_city": self.to_city,
            "courier": self.courier,
            "service": self.service,
            "status": self.status.value,
            "expected_arrival": self.expected_arrival.isoformat(),
            "overdue": self.overdue,
            "superseded_by": self.superseded_by,
            "parcel_id": self.parcel_id,
            "urgent": self.urgent,
            "events": [e.as_dict() for e in self.events],
        }


def plan_leg(*, case_no: str, case_version: int, kind: LegKind, waybill: str, origin: Office, route: Route,
             handed_over_at: datetime, to_office_id: str | None = None,
             to_address: dict[str, Any] | None = None, replaces: str | None = None) -> Shipment:
    """A new leg on a route of the route table, with its expected arrival and its CREATED event."""
    return Shipment(
        waybill=waybill,
        case_no=case_no,
        case_version=case_version,
        kind=kind,
        from_office_id=origin.office_id,
        to_office_id=to_office_id,
        to_address=dict(to_address) if to_address else None,
        courier=route.courier,
        service=route.service,
        cost_cny=route.cost_cny,
        transit_working_days=route.transit_working_days,
        expected_arrival=expected_arrival(handed_over_at, origin, route.transit_working_days),
        created_at=handed_over_at,
        events=[TrackingEvent(LegStatus.CREATED, handed_over_at)],
        replaces=replaces,
    )
