"""The unit of work and the messaging port in memory: the same repositories and the same conditions as the
DynamoDB one (version guards, uniqueness, conditional puts), the same queues, topics and redrive as SQS and
SNS, proven equivalent by tests/contract. Service tests, and the API tests not marked ``emulator``
(tests/api/conftest.py), run on them in milliseconds (``FakePump`` delivers the outbox and the queues to the
handlers as tools/pump.py does on the emulator); moto stays for the adapters, the contract suite, the API
tests marked ``emulator``, e2e and reliability tests.

``Database`` is what a DynamoDB account would hold; each ``FakeUnitOfWork`` stages writes against it and
``commit`` checks every condition first, then applies them all (or none), in the order DynamoDB reports a
cancelled transaction's reasons: condition checks, deletes, puts, updates.
"""
from __future__ import annotations

import copy
import itertools
import json
import threading
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from chalicelib.domain.case import Case, Change, case_event, timeline_entry
from chalicelib.domain.errors import ConcurrentUpdate, Conflict, Duplicate, InvalidInput, NotFound
from chalicelib.domain.events import DomainEvent, encode
from chalicelib.domain.parcels import Parcel
from chalicelib.domain.reviews import Review, ReviewSlot, Stage
from chalicelib.domain.shipping import Shipment
from chalicelib.domain.statistics import COUNTERS
from chalicelib.domain.summaries import StatsSummary
from chalicelib.domain.tickets import Ticket, TicketChange, ticket_event, ticket_history_entry
from chalicelib.domain.workdays import cst_date, iso
from chalicelib.services.bus import Bus, check_batch
from chalicelib.services.unit_of_work import (
    AccessLog,
    CaseRepository,
    Counters,
    LegRepository,
    Notifications,
    Outbox,
    ParcelRepository,
    ReviewRepository,
    TicketRepository,
    UnitOfWork,
)

_ORDER = {"check": 0, "delete": 1, "put": 2, "update": 3}


@dataclass
class Database:
    """Everything stored, by table."""

    cases: dict[str, Case] = field(default_factory=dict)
    timelines: dict[str, dict[int, dict[str, Any]]] = field(default_factory=lambda: defaultdict(dict))
    claims: dict[str, tuple[str, str]] = field(default_factory=dict)
    legs: dict[str, Shipment] = field(default_factory=dict)
    parcels: dict[str, Parcel] = field(default_factory=dict)
    reviews: dict[tuple[str, Stage], Review] = field(default_factory=dict)
    slots: dict[tuple[str, Stage], ReviewSlot] = field(default_factory=dict)
    closed_slots: set[tuple[str, Stage]] = field(default_factory=set)  # stages reviewed: slot closed
    tickets: dict[str, Ticket] = field(default_factory=dict)
    histories: dict[str, dict[int, dict[str, Any]]] = field(default_factory=lambda: defaultdict(dict))
    outbox: dict[str, dict[str, Any]] = field(default_factory=dict)
    counters: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    blocks: dict[str, tuple[int, int]] = field(default_factory=dict)
    stats: dict[tuple[str, str], dict[str, int]] = field(default_factory=dict)
    notifications: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    access_log: list[dict[str, Any]] = field(default_factory=list)
    summary: StatsSummary | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    bus: FakeBus = field(default_factory=lambda: FakeBus())

    def uow(self) -> FakeUnitOfWork:
        return FakeUnitOfWork(self)


@dataclass
class _Write:
    op: str
    failed: Callable[[], Exception | None]  # the error if the condition does not hold now, else None
    apply: Callable[[], None]
    undo: Callable[[], None] | None = None


class _Staging:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.writes: list[_Write] = []

    def stage(self, op: str, failed: Callable[[], Exception | None] | None, apply: Callable[[], None],
              undo: Callable[[], None] | None = None) -> None:
        self.writes.append(_Write(op, failed or (lambda: None), apply, undo))

    def discard(self) -> None:
        for w in reversed(self.writes):
            if w.undo:
                w.undo()
        self.writes = []

    def commit(self) -> None:
        writes = sorted(self.writes, key=lambda w: _ORDER[w.op])
        with self.db.lock:
            for w in writes:
                error = w.failed()
                if error is not None:
                    self.discard()
                    raise error
            for w in writes:
                w.apply()
        self.writes = []


def _copy(value: Any) -> Any:
    return copy.deepcopy(value)


class FakeCases(CaseRepository):
    def __init__(self, tx: _Staging) -> None:
        self.tx, self.db = tx, tx.db

    def get(self, case_no: str, consistent: bool = True) -> Case:
        from chalicelib.domain.formats import CASE_NUMBER, matches

        if not matches(CASE_NUMBER, case_no) or case_no not in self.db.cases:
            raise NotFound(f"case {case_no} not found")
        return _copy(self.db.cases[case_no])

    def add(self, case: Case, change: Change, claim: tuple[str, str] | None = None) -> None:
        case.version = 1
        stored, entry, event = _copy(case), timeline_entry(change, 1), encode(case_event(case, change))
        taken = Conflict("the case number or idempotency key is already taken")
        self.tx.stage("put", lambda: taken if case.case_no in self.db.cases else None,
                      lambda: self.db.cases.__setitem__(case.case_no, stored),
                      undo=lambda: setattr(case, "version", 0))
        self._events(case.case_no, 1, entry, event, taken)
        if claim:
            key, digest = claim
            self.tx.stage("put", lambda: taken if key in self.db.claims else None,
                          lambda: self.db.claims.__setitem__(key, (case.case_no, digest)))

    def update(self, case: Case, change: Change) -> None:
        expected = case.version
        case.version = expected + 1
        stored = _copy(case)
        entry, event = timeline_entry(change, case.version), encode(case_event(case, change))

        def lost() -> Exception | None:
            current = self.db.cases.get(case.case_no)
            if current is not None and current.version == expected:
                return None
            status = current.status.value if current else "UNKNOWN"
            return ConcurrentUpdate(f"case {case.case_no} was changed by someone else; it is now {status}",
                                    current_status=status)

        self.tx.stage("put", lost, lambda: self.db.cases.__setitem__(case.case_no, stored),
                      undo=lambda: setattr(case, "version", expected))
        self._events(case.case_no, stored.version, entry, event, lost)

    def _events(self, case_no: str, seq: int, entry: dict[str, Any], event: dict[str, Any], conflict: Any) -> None:
        def taken() -> Exception | None:
            if seq not in self.db.timelines[case_no]:
                return None
            error = conflict() if callable(conflict) else conflict
            return error if error is not None else ConcurrentUpdate(f"case {case_no} changed", current_status="")

        self.tx.stage("put", taken, lambda: self.db.timelines[case_no].__setitem__(seq, entry))
        self.tx.stage("put", None, lambda: self.db.outbox.__setitem__(event["event_id"], event))

    def timeline(self, case_no: str) -> list[dict[str, Any]]:
        return [_copy(e) for _, e in sorted(self.db.timelines.get(case_no, {}).items())]

    def claimed(self, idempotency_key: str) -> tuple[str | None, str | None]:
        return self.db.claims.get(idempotency_key, (None, None))

    def office_queue(self, office_id: str, status: str | None, limit: int,
                     cursor: dict[str, Any] | None) -> tuple[list[Case], dict[str, Any] | None]:
        """Receiving office's cases, then handling office's (oldest first in each), ``limit`` at a time."""
        def key(c: Case) -> str:
            return f"{iso(c.created_at)}#{c.case_no}"

        queue = sorted((c for c in self.db.cases.values() if c.receiving_office_id == office_id
                        and (status is None or c.status.value == status)), key=key)
        queue += sorted((c for c in self.db.cases.values() if c.handling_office_id == office_id
                         and c.receiving_office_id != office_id and (status is None or c.status.value == status)),
                        key=key)
        start = (cursor or {}).get("n", 0)
        if not isinstance(start, int) or start < 0:
            raise InvalidInput("cursor", "is not a cursor this API issued for this listing")
        page = queue[start:start + limit]
        more = start + limit < len(queue)
        return [_copy(c) for c in page], ({"n": start + limit} if more else None)

    def of_office(self, office_id: str) -> Iterator[Case]:
        for role in ("receiving_office_id", "handling_office_id"):
            for case in list(self.db.cases.values()):
                if getattr(case, role) == office_id:
                    yield _copy(case)

    def applicant_cases(self, applicant_sub: str, limit: int,
                        cursor: dict[str, Any] | None) -> tuple[list[Case], dict[str, Any] | None]:
        mine = sorted((c for c in self.db.cases.values() if c.applicant.sub == applicant_sub),
                      key=lambda c: (c.created_at, c.case_no), reverse=True)
        start = (cursor or {}).get("n", 0)
        page = mine[start:start + limit]
        return [_copy(c) for c in page], ({"n": start + limit} if start + limit < len(mine) else None)

    def due(self, now: datetime) -> Iterator[str]:
        for case in list(self.db.cases.values()):
            due = case.next_due_at()
            if due is not None and due <= now:
                yield case.case_no


class FakeLegs(LegRepository):
    def __init__(self, tx: _Staging) -> None:
        self.tx, self.db = tx, tx.db

    def find(self, waybill: str) -> Shipment | None:
        leg = self.db.legs.get(waybill)
        return _copy(leg) if leg else None

    def for_case(self, case_no: str) -> list[Shipment]:
        legs = [leg for leg in self.db.legs.values() if leg.case_no == case_no]
        # DynamoDB's by_case index: by the case version that planned each leg (not by when it was created)
        return [_copy(leg) for leg in sorted(legs, key=lambda leg: (leg.case_version, leg.waybill))]

    def add(self, leg: Shipment) -> None:
        leg.version = 1
        stored = _copy(leg)
        self.tx.stage("put", lambda: Duplicate(f"shipment {leg.waybill} exists already")
                      if leg.waybill in self.db.legs else None,
                      lambda: self.db.legs.__setitem__(leg.waybill, stored), undo=lambda: setattr(leg, "version", 0))

    def update(self, leg: Shipment) -> None:
        expected = leg.version
        leg.version = expected + 1
        stored = _copy(leg)

        def lost() -> Exception | None:
            current = self.db.legs.get(leg.waybill)
            if current is not None and current.version == expected:
                return None
            return ConcurrentUpdate(f"shipment {leg.waybill} was changed by someone else; it is now {leg.status.value}",
                                    current_status=leg.status.value)

        self.tx.stage("put", lost, lambda: self.db.legs.__setitem__(leg.waybill, stored),
                      undo=lambda: setattr(leg, "version", expected))

    def open_waybills(self) -> Iterator[str]:
        for leg in list(self.db.legs.values()):
            if leg.is_open:
                yield leg.waybill

    def due(self, now: datetime) -> Iterator[str]:
        for leg in list(self.db.legs.values()):
            if leg.is_open and not leg.overdue and leg.due_at <= now:
                yield leg.waybill


class FakeParcels(ParcelRepository):
    def __init__(self, tx: _Staging) -> None:
        self.tx, self.db = tx, tx.db

    def find(self, parcel_id: str, case_no: str | None = None, lines: bool = True) -> Parcel | None:
        parcel = self.db.parcels.get(parcel_id)  # always the whole list: the fake keeps one item a parcel
        return _copy(parcel) if parcel else None

    def add(self, parcel: Parcel) -> None:
        parcel.version = 1
        stored = _copy(parcel)
        self.tx.stage("put", lambda: Duplicate(f"parcel {parcel.parcel_id} exists already")
                      if parcel.parcel_id in self.db.parcels else None,
                      lambda: self.db.parcels.__setitem__(parcel.parcel_id, stored),
                      undo=lambda: setattr(parcel, "version", 0))

    def update(self, parcel: Parcel) -> None:
        expected = parcel.version
        parcel.version = expected + 1
        stored = _copy(parcel)

        def lost() -> Exception | None:
            current = self.db.parcels.get(parcel.parcel_id)
            if current is not None and current.version == expected:
                return None
            status = parcel.status.value
            return ConcurrentUpdate(f"parcel {parcel.parcel_id} was changed by someone else; it is now {status}",
                                    current_status=status)

        self.tx.stage("put", lost, lambda: self.db.parcels.__setitem__(parcel.parcel_id, stored),
                      undo=lambda: setattr(parcel, "version", expected))

    def due(self, now: datetime) -> Iterator[str]:
        for parcel in list(self.db.parcels.values()):
            if parcel.is_open and parcel.cutoff_at <= now:
                yield parcel.parcel_id

    def of_office(self, office_id: str, direction: str | None, status: str | None, limit: int,
                  cursor: dict[str, Any] | None) -> tuple[list[Parcel], dict[str, Any] | None]:
        sides = ["from", "to"] if direction is None else [{"outgoing": "from", "incoming": "to"}[direction]]
        rows: list[Parcel] = []
        for side in sides:
            mine = [p for p in self.db.parcels.values() if getattr(p, f"{side}_office_id") == office_id
                    and (status is None or p.status.value == status)]
            rows += sorted(mine, key=lambda p: (p.status.value, p.collection_day, p.parcel_id), reverse=True)
        start = (cursor or {}).get("n", 0)
        if not isinstance(start, int) or start < 0:
            raise InvalidInput("cursor", "is not a cursor this API issued for this listing")
        page = rows[start:start + limit]
        return [_copy(p) for p in page], ({"n": start + limit} if start + limit < len(rows) else None)


def _count(db: Database, office_id: str, day: date, counts: Mapping[str, int]) -> Callable[[], None]:
    def apply() -> None:
        row = db.stats.setdefault((office_id, day.isoformat()), dict.fromkeys(COUNTERS, 0))
        for k, v in counts.items():
            row[k] += v
    return apply


class FakeReviews(ReviewRepository):
    def __init__(self, tx: _Staging) -> None:
        self.tx, self.db = tx, tx.db

    def get(self, case_no: str, stage: Stage) -> Review | None:
        review = self.db.reviews.get((case_no, stage))
        return _copy(review) if review else None

    def of_case(self, case_no: str) -> list[Review]:
        return [_copy(r) for (c, _), r in sorted(self.db.reviews.items(), key=lambda kv: kv[0][1].value)
                if c == case_no]

    def add(self, review: Review, counts: Mapping[str, int]) -> None:
        key, stored = (review.case_no, review.stage), _copy(review)
        self.tx.stage("put", lambda: Duplicate(f"the {review.stage.value} stage of case {review.case_no} has "
                                               "already been reviewed") if key in self.db.reviews else None,
                      lambda: self.db.reviews.__setitem__(key, stored))
        if any(counts.values()):
            self.tx.stage("update", None, _count(self.db, review.office_id, review.day, counts))
        self.tx.stage("put", None, self._close(key))

    def _close(self, key: tuple[str, Stage]) -> Any:
        def close() -> None:
            self.db.slots.pop(key, None)
            self.db.closed_slots.add(key)
        return close

    def add_follow_up(self, review: Review) -> None:
        key = (review.case_no, review.stage)

        def failed() -> Exception | None:
            stored = self.db.reviews.get(key)
            return None if stored is not None and stored.follow_up is None else Conflict(
                "this review already has its follow-up comment")

        def apply() -> None:
            stored = self.db.reviews[key]
            stored.follow_up, stored.follow_up_at = review.follow_up or "", review.follow_up_at

        self.tx.stage("update", failed, apply)

    def listing(self, partition: str, key: str, limit: int, start: dict[str, Any] | None, bad: bool | None,
                ticket_status: str | None,
                period: tuple[str | None, str | None] = (None, None)) -> tuple[list[Review], dict[str, Any] | None]:
        attr = "office_id" if partition == "office_id" else "city"
        first, last = period
        rows = sorted((r for r in self.db.reviews.values() if getattr(r, attr) == key
                       and (first is None or iso(r.created_at) >= first) and (last is None or iso(r.created_at) <= last)
                       and (bad is None or r.bad == bad)
                       and (ticket_status is None or r.ticket_status == ticket_status)),
                      key=lambda r: (r.created_at, r.case_no, r.stage.value), reverse=True)
        offset = int((start or {}).get("n", 0))
        page = rows[offset:offset + limit]
        return [_copy(r) for r in page], ({"n": offset + limit} if offset + limit < len(rows) else None)

    def open_slot(self, slot: ReviewSlot) -> None:
        key = (slot.case_no, slot.stage)
        self.tx.stage("put", lambda: Duplicate(f"the {slot.stage.value} stage has its slot already")
                      if key in self.db.slots or key in self.db.closed_slots else None,
                      lambda: self.db.slots.__setitem__(key, slot))

    def due_slots(self, now: datetime) -> Iterator[ReviewSlot]:
        for slot in list(self.db.slots.values()):
            if slot.due_at <= now:
                yield slot

    def close_slot(self, case_no: str, stage: Stage, at: datetime) -> None:
        self.tx.stage("put", None, self._close((case_no, stage)))

    def daily_counts(self, office_id: str, first: date | None, last: date | None) -> dict[str, dict[str, int]]:
        return {day: dict(row) for (office, day), row in sorted(self.db.stats.items())
                if office == office_id and (first is None or day >= first.isoformat())
                and (last is None or day <= last.isoformat())}

    def summary(self) -> StatsSummary | None:
        return _copy(self.db.summary)

    def save_summary(self, summary: StatsSummary) -> None:
        def newer() -> Exception | None:
            stored = self.db.summary
            if stored is not None and stored.as_of >= summary.as_of:
                return Duplicate("a later statistics snapshot is stored")
            return None

        kept = _copy(summary)
        self.tx.stage("put", newer, lambda: setattr(self.db, "summary", kept))


class FakeTickets(TicketRepository):
    def __init__(self, tx: _Staging) -> None:
        self.tx, self.db = tx, tx.db

    def get(self, ticket_id: str) -> Ticket:
        ticket = self.db.tickets.get(ticket_id)
        if ticket is None:
            raise NotFound(f"ticket {ticket_id} not found")
        return _copy(ticket)

    def add(self, ticket: Ticket, change: TicketChange, counts: Mapping[str, int]) -> None:
        ticket.version = 1
        stored = _copy(ticket)

        def exists() -> Exception | None:
            return Duplicate(f"ticket {ticket.ticket_id} exists already") if ticket.ticket_id in self.db.tickets \
                else None

        self.tx.stage("put", exists, lambda: self.db.tickets.__setitem__(ticket.ticket_id, stored),
                      undo=lambda: setattr(ticket, "version", 0))
        self._change(stored, change, counts, exists, first=True)

    def update(self, ticket: Ticket, change: TicketChange, counts: Mapping[str, int]) -> None:
        expected = ticket.version
        ticket.version = expected + 1
        stored = _copy(ticket)

        def lost() -> Exception | None:
            current = self.db.tickets.get(ticket.ticket_id)
            if current is not None and current.version == expected:
                return None
            status = current.status.value if current else "UNKNOWN"
            return ConcurrentUpdate(f"ticket {ticket.ticket_id} was changed by someone else; it is now {status}",
                                    current_status=status)

        self.tx.stage("put", lost, lambda: self.db.tickets.__setitem__(ticket.ticket_id, stored),
                      undo=lambda: setattr(ticket, "version", expected))
        self._change(stored, change, counts, lost)

    def _change(self, ticket: Ticket, change: TicketChange, counts: Mapping[str, int],
                conflict: Callable[[], Exception | None], first: bool = False) -> None:
        entry, event = ticket_history_entry(change, ticket.version), encode(ticket_event(ticket, change))
        history = self.db.histories[ticket.ticket_id]
        self.tx.stage("put", lambda: conflict() if ticket.version in history else None,
                      lambda: history.__setitem__(ticket.version, entry))
        self.tx.stage("put", None, lambda: self.db.outbox.__setitem__(event["event_id"], event))
        key = (ticket.case_no, ticket.stage)

        def mark_review() -> None:
            review = self.db.reviews[key]
            review.ticket_id, review.ticket_status, review.excluded = (ticket.ticket_id, ticket.status.value,
                                                                      ticket.excluded)
            review.ticket_escalated = ticket.escalated

        def review_conflict() -> Exception | None:
            review = self.db.reviews.get(key)
            if review is None:
                return NotFound(f"no review for {ticket.case_no} {ticket.stage.value}")
            named = review.ticket_id
            if (named is None) if first else (named == ticket.ticket_id):
                return None
            return Duplicate(f"the review has its ticket already ({named})")

        self.tx.stage("update", review_conflict, mark_review)
        if any(counts.values()):
            self.tx.stage("update", None, _count(self.db, ticket.office_id, ticket.review_day, counts))

    def history(self, ticket_id: str) -> list[dict[str, Any]]:
        return [_copy(e) for _, e in sorted(self.db.histories.get(ticket_id, {}).items())]

    def due(self, now: datetime) -> Iterator[str]:
        for ticket in list(self.db.tickets.values()):
            due = ticket.next_due_at()
            if due is not None and due <= now:
                yield ticket.ticket_id

    def escalated(self, city: str, limit: int,
                  start: dict[str, Any] | None) -> tuple[list[Ticket], dict[str, Any] | None]:
        def key(t: Ticket) -> tuple[str, str]:
            return iso(t.escalated_at or t.opened_at), t.ticket_id

        after = (start["escalated_at"]["S"], start["ticket_id"]["S"]) if start else None
        rows = sorted((t for t in self.db.tickets.values() if t.awaits_province and t.city == city), key=key)
        rows = [t for t in rows if after is None or key(t) > after]
        page = [_copy(t) for t in rows[:limit]]
        if len(rows) <= limit:
            return page, None
        last = key(page[-1])
        return page, {"ticket_id": {"S": last[1]}, "escalated_city": {"S": city}, "escalated_at": {"S": last[0]}}


class FakeOutbox(Outbox):
    def __init__(self, tx: _Staging) -> None:
        self.tx, self.db = tx, tx.db

    def add(self, event: DomainEvent, once: bool = False) -> None:
        payload = encode(event)
        self.tx.stage("put", (lambda: Duplicate(f"event {event.event_id} was written already")
                              if event.event_id in self.db.outbox else None) if once else None,
                      lambda: self.db.outbox.__setitem__(event.event_id, payload))


class FakeCounters(Counters):
    def __init__(self, db: Database) -> None:
        self.db = db

    def increment(self, counter_id: str, expires_at: datetime | None = None) -> int:
        # DynamoDB's TTL deletes some time after expiry and reads never rely on it: nothing to emulate here.
        with self.db.lock:
            self.db.counters[counter_id] += 1
            return self.db.counters[counter_id]

    def values(self, counter_ids: list[str]) -> dict[str, int]:
        return {c: self.db.counters[c] for c in counter_ids if c in self.db.counters}

    def take(self, counter_id: str, block: int) -> int:
        # One process's blocks per Database, as the DynamoDB adapter keeps them per connection.
        with self.db.lock:
            nxt, end = self.db.blocks.get(counter_id, (0, 0))
            if nxt >= end:
                self.db.counters[counter_id] += block
                nxt, end = self.db.counters[counter_id] - block + 1, self.db.counters[counter_id] + 1
            self.db.blocks[counter_id] = (nxt + 1, end)
            return nxt


class FakeNotifications(Notifications):
    def __init__(self, tx: _Staging) -> None:
        self.tx, self.db = tx, tx.db

    def was_sent(self, case_no: str, notification_id: str) -> bool:
        row = self.db.notifications.get((case_no, notification_id))
        return bool(row and row.get("delivered", True))

    def claim(self, case_no: str, notification_id: str, event_type: str, token: str, at: datetime,
              lease_seconds: int) -> str:
        key = (case_no, notification_id)
        with self.db.lock:  # one conditional write, as DynamoDB does it
            row = self.db.notifications.get(key)
            if row is None:
                self.db.notifications[key] = {"event_type": event_type, "text": "", "sent_at": iso(at),
                                              "channel": "sms", "delivered": False, "claim_token": token,
                                              "claimed_at": at}
                return "claimed"
            if row.get("delivered", True):
                return "sent"
            if row["claim_token"] == token:
                return "claimed"
            if (at - row["claimed_at"]).total_seconds() < lease_seconds:
                return "busy"
            row.update(claim_token=token, claimed_at=at)
            return "claimed"

    def record_sent(self, case_no: str, notification_id: str, event_type: str, text: str, at: datetime) -> None:
        with self.db.lock:
            self.db.notifications[(case_no, notification_id)] = {
                "event_type": event_type, "text": text, "sent_at": iso(at), "channel": "sms", "delivered": True}

    def add(self, case_no: str, notification_id: str, event_type: str, text: str, sent_at: datetime) -> None:
        key = (case_no, notification_id)
        row = {"event_type": event_type, "text": text, "sent_at": iso(sent_at), "channel": "sms"}
        self.tx.stage("put", lambda: Duplicate(f"notification {notification_id} recorded already")
                      if key in self.db.notifications else None,
                      lambda: self.db.notifications.__setitem__(key, row))

    def of_case(self, case_no: str) -> list[dict[str, Any]]:
        return [{k: row[k] for k in ("event_type", "text", "sent_at", "channel")}
                for (c, nid), row in sorted(self.db.notifications.items())
                if c == case_no and row.get("delivered", True)]


class FakeAccessLog(AccessLog):
    def __init__(self, db: Database) -> None:
        self.db = db

    def record(self, entry: dict[str, Any], at: datetime, entry_id: str) -> dict[str, Any]:
        row = {"entry_id": entry_id, "at": iso(at), **{k: v for k, v in entry.items()}}
        row["reader_name"] = row.get("reader_name") or ""
        self.db.access_log.append({**row, "_month": f"{cst_date(at):%Y-%m}", "_stamp": at.astimezone(UTC)})
        return row

    def month(self, month: str, limit: int,
              start: dict[str, Any] | None) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        rows = sorted((r for r in self.db.access_log if r["_month"] == month), key=lambda r: r["_stamp"],
                      reverse=True)
        offset = int((start or {}).get("n", 0))
        page = [{k: v for k, v in r.items() if not k.startswith("_")} for r in rows[offset:offset + limit]]
        return page, ({"n": offset + limit} if offset + limit < len(rows) else None)


class FakeUnitOfWork(UnitOfWork):
    def __init__(self, db: Database) -> None:
        self.db = db
        self.tx = _Staging(db)
        self.cases = FakeCases(self.tx)
        self.legs = FakeLegs(self.tx)
        self.parcels = FakeParcels(self.tx)
        self.reviews = FakeReviews(self.tx)
        self.tickets = FakeTickets(self.tx)
        self.outbox = FakeOutbox(self.tx)
        self.counters = FakeCounters(db)
        self.notifications = FakeNotifications(self.tx)
        self.access_log = FakeAccessLog(db)

    def commit(self) -> None:
        self.tx.commit()

    def rollback(self) -> None:
        self.tx.discard()


# ---------------------------------------------------------------- messaging: queues, topics, SMS


@dataclass
class Message:
    message_id: str
    body: str  # the JSON text, as SQS holds it
    receives: int = 0


class FakeBus(Bus):
    """The queues and topics of adapters/messaging.py in memory, with SQS's redrive as the test stack sets it
    up (visibility timeout 0: a message received and not deleted is visible again at once; received
    ``max_receive_count`` times, the next receive moves it to the queue's dead-letter queue)."""

    def __init__(self) -> None:
        from chalicelib.adapters.messaging import QUEUES, TOPICS

        self.specs = QUEUES
        self.queues: dict[str, list[Message]] = {}
        for spec in QUEUES.values():
            self.queues[spec.logical], self.queues[spec.dlq_logical] = [], []
        self.topics: dict[str, list[str]] = {t: [] for t in TOPICS}  # what a subscriber of each topic got
        self.sms: list[tuple[str, str]] = []  # (the number dialled, the text)
        self._ids = itertools.count(1)

    def send(self, queue: str, body: dict[str, Any]) -> str:
        if queue not in self.queues:
            raise LookupError(f"no queue {queue}")
        message = Message(f"m-{next(self._ids)}", json.dumps(body, ensure_ascii=False))
        self.queues[queue].append(message)
        return message.message_id

    def send_batch(self, queue: str, bodies: list[dict[str, Any]]) -> list[int]:
        check_batch(bodies)
        if queue not in self.queues:
            raise LookupError(f"no queue {queue}")
        encoded = [json.dumps(body, ensure_ascii=False) for body in bodies]  # all refused or none taken
        for text in encoded:
            self.queues[queue].append(Message(f"m-{next(self._ids)}", text))
        return []

    def publish(self, topic: str, message: dict[str, Any], subject: str = "") -> None:
        if topic not in self.topics:
            raise LookupError(f"no topic {topic}")
        self.topics[topic].append(json.dumps(message, ensure_ascii=False))

    def send_sms(self, phone: str, text: str) -> None:
        self.sms.append((f"+86{phone}", text))

    # ---- what consumers and tests see

    def receive(self, queue: str, limit: int = 10) -> list[Message]:
        spec = self.specs.get(queue)
        batch: list[Message] = []
        for message in list(self.queues[queue]):
            if spec is not None and message.receives >= spec.max_receive_count:
                self.queues[queue].remove(message)
                self.queues[spec.dlq_logical].append(Message(message.message_id, message.body))
                continue
            if len(batch) < limit:
                message.receives += 1
                batch.append(message)
        return batch

    def delete(self, queue: str, message_id: str) -> None:
        self.queues[queue] = [m for m in self.queues[queue] if m.message_id != message_id]

    def depth(self, queue: str) -> int:
        return len(self.queues[queue])

    def published(self, topic: str) -> list[dict[str, Any]]:
        return [json.loads(m) for m in self.topics[topic]]

    def texts(self, containing: str = "") -> list[str]:
        return [text for _, text in self.sms if containing in text]


class FakePump:
    """tools/pump.py's ``run_until_idle`` on the in-memory database and bus: the outbox items not relayed
    yet, in the order they were written, go to app.py's stream handler as INSERT records (a reported
    failure is retried from that record); then each queue's messages, a batch at a time, go to the handler
    subscribed to it, and only the records it did not report failed are deleted."""

    def __init__(self, db: Database) -> None:
        import app
        from tools.pump import Pump

        self.db, self.app = db, app
        self.handlers = Pump.default_handlers(app)
        self.relayed: set[str] = set()
        self.stats: dict[str, int] = {}

    def _count(self, key: str, n: int) -> None:
        self.stats[key] = self.stats.get(key, 0) + n

    def drain_stream_once(self) -> int:
        from tools.pump import LambdaContext

        fresh = [(event_id, payload) for event_id, payload in list(self.db.outbox.items())
                 if event_id not in self.relayed]
        if not fresh:
            return 0
        records = [{"eventName": "INSERT", "dynamodb": {
            "SequenceNumber": event_id, "NewImage": {"payload": {"S": json.dumps(payload, ensure_ascii=False)}}}}
            for event_id, payload in fresh]
        result = self.app.relay_outbox({"Records": records}, LambdaContext(function_name="relay_outbox"))
        failures = {f["itemIdentifier"] for f in (result or {}).get("batchItemFailures", [])}
        for event_id, _ in fresh:
            if event_id in failures:
                break
            self.relayed.add(event_id)
        self._count("outbox", len(fresh) - len(failures))
        return len(fresh)

    def drain_queue_once(self, queue: str) -> int:
        from tools.pump import LambdaContext, sqs_event

        batch = self.db.bus.receive(queue, self.db.bus.specs[queue].batch_size)
        if not batch:
            return 0
        messages = [{"MessageId": m.message_id, "ReceiptHandle": m.message_id, "Body": m.body} for m in batch]
        try:
            result = self.handlers[queue](sqs_event(messages, f"arn:aws:sqs:us-east-1:000000000000:{queue}",
                                                    "us-east-1"), LambdaContext(function_name=queue))
            failed = {f["itemIdentifier"] for f in (result or {}).get("batchItemFailures", [])}
        except Exception:
            failed = {m.message_id for m in batch}
        for message in batch:
            if message.message_id not in failed:
                self.db.bus.delete(queue, message.message_id)
        self._count(queue, len(batch) - len(failed))
        self._count(f"{queue}:failed", len(failed))
        return len(batch)

    def run_until_idle(self, max_rounds: int = 100) -> int:
        rounds = 0
        for _ in range(max_rounds):
            moved = self.drain_stream_once()
            for queue in self.handlers:
                moved += self.drain_queue_once(queue)
            if not moved:
                break
            rounds += 1
        return rounds

    def tick(self) -> Any:
        return self._schedule("sweep")

    def seal(self) -> Any:
        return self._schedule("seal_parcels")

    def refresh_stats(self) -> Any:
        return self._schedule("refresh_stats")

    def _schedule(self, handler: str) -> Any:
        """app.py's scheduled handler, as EventBridge invokes it."""
        from tools.pump import LambdaContext, scheduled_event

        return getattr(self.app, handler)(scheduled_event("us-east-1"), LambdaContext(function_name=handler))
