"""The unit of work: the repositories a use case reads from, and the one transaction it commits.

A service opens one (``with unit_of_work() as uow``), reads through its repositories, asks the domain,
stages its writes (``uow.cases.update(case, change)``, ``uow.legs.add(leg)`` …) and calls
``uow.commit()``: everything staged lands together or not at all. Leaving the block without committing
discards what was staged. The interfaces speak domain objects only; the DynamoDB implementation
(adapters/dynamodb.py) and the in-memory one (tests/fakes.py) keep the same conditions, which one
contract suite (tests/contract) proves on both.

What a failed condition means is said when the write is staged, as the error ``commit`` raises:
``ConcurrentUpdate`` (409) when a case or ticket changed since it was read, ``Conflict`` when something
that must be new exists already (a case number, an idempotency key), ``Duplicate`` when a write that
happens once happened already (a review of a stage, a leg, a ticket, a notification: a retry or a
redelivered message).
"""
from __future__ import annotations

import abc
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from types import TracebackType
from typing import Any

from ..domain.case import Case, Change
from ..domain.events import DomainEvent
from ..domain.parcels import Parcel
from ..domain.reviews import Review, ReviewSlot, Stage
from ..domain.rollups import Level
from ..domain.shipping import Shipment
from ..domain.summaries import StatsSummary
from ..domain.tickets import Ticket, TicketChange


class CaseRepository(abc.ABC):
    """Cases with their timelines, and the idempotency keys of applications."""

    @abc.abstractmethod
    def get(self, case_no: str, consistent: bool = True) -> Case: ...

    @abc.abstractmethod
    def add(self, case: Case, change: Change, claim: tuple[str, str] | None = None) -> None:
        """Stage a new case (version 1) with its first timeline and outbox event; with ``claim``
        (idempotency key, payload digest), claim the key in the same transaction (Conflict if taken)."""

    @abc.abstractmethod
    def update(self, case: Case, change: Change) -> None:
        """Stage one change: the case at version+1 if still at the version read (else ConcurrentUpdate
        carrying the winner's status), its timeline event and its outbox event."""

    @abc.abstractmethod
    def timeline(self, case_no: str) -> list[dict[str, Any]]: ...

    @abc.abstractmethod
    def claimed(self, idempotency_key: str) -> tuple[str | None, str | None]:
        """The case number and payload digest an idempotency key was claimed with, if it was."""

    @abc.abstractmethod
    def office_queue(self, office_id: str, status: str | None, limit: int,
                     cursor: dict[str, Any] | None) -> tuple[list[Case], dict[str, Any] | None]: ...

    @abc.abstractmethod
    def of_office(self, office_id: str) -> Iterator[Case]:
        """Every case where the office is receiving office, then every one where it is handling office (a
        case where it is both comes twice)."""

    @abc.abstractmethod
    def applicant_cases(self, applicant_sub: str, limit: int,
                        cursor: dict[str, Any] | None) -> tuple[list[Case], dict[str, Any] | None]:
        """An applicant's cases, newest first."""

    @abc.abstractmethod
    def due(self, now: datetime) -> Iterator[str]:
        """Case numbers with something due at or before ``now``."""


class LegRepository(abc.ABC):
    """Parcel legs (寄递单)."""

    @abc.abstractmethod
    def find(self, waybill: str) -> Shipment | None: ...

    def get(self, waybill: str) -> Shipment:
        from ..domain.errors import NotFound

        leg = self.find(waybill)
        if leg is None:
            raise NotFound(f"shipment {waybill} not found")
        return leg

    @abc.abstractmethod
    def for_case(self, case_no: str) -> list[Shipment]:
        """The case's legs in the order they were planned (may lag a leg created a moment ago)."""

    @abc.abstractmethod
    def add(self, leg: Shipment) -> None:
        """Stage a new leg (version 1); Duplicate if that waybill exists."""

    @abc.abstractmethod
    def update(self, leg: Shipment) -> None:
        """Stage a leg at version+1 if still at the version read (else ConcurrentUpdate)."""

    @abc.abstractmethod
    def open_waybills(self) -> Iterator[str]: ...

    @abc.abstractmethod
    def due(self, now: datetime) -> Iterator[str]:
        """Waybills of open legs not yet overdue whose expected-arrival day ended by ``now``."""


class ParcelRepository(abc.ABC):
    """Consolidated daily parcels (合包) with their handover lists. Every write is guarded by the version of
    what it changes, so a case joining races a sealing cleanly: one of them wins, the other reads again."""

    @abc.abstractmethod
    def find(self, parcel_id: str, case_no: str | None = None, lines: bool = True) -> Parcel | None:
        """The parcel with its handover list; with ``case_no``, only as much of the list as adding, checking
        or reading that one case needs (its ``capacity`` then says how many cases that part takes); without
        ``lines``, none of it (its status, waybill and times)."""

    def get(self, parcel_id: str, case_no: str | None = None, lines: bool = True) -> Parcel:
        from ..domain.errors import NotFound

        parcel = self.find(parcel_id, case_no, lines)
        if parcel is None:
            raise NotFound(f"parcel {parcel_id} not found")
        return parcel

    @abc.abstractmethod
    def add(self, parcel: Parcel) -> None:
        """Stage a new parcel (version 1); Duplicate if that parcel exists (another joiner opened it)."""

    @abc.abstractmethod
    def update(self, parcel: Parcel) -> None:
        """Stage a parcel at version+1 if still at the version read (else ConcurrentUpdate)."""

    @abc.abstractmethod
    def due(self, now: datetime) -> Iterator[str]:
        """Ids of open parcels whose cut-off is at or before ``now`` (a far instant lists every open one)."""

    @abc.abstractmethod
    def of_office(self, office_id: str, direction: str | None, status: str | None, limit: int,
                  cursor: dict[str, Any] | None) -> tuple[list[Parcel], dict[str, Any] | None]:
        """The office's parcels, outgoing then incoming (``direction`` picks one), newest collection first."""


class ReviewRepository(abc.ABC):
    """Reviews, the stages awaiting their default rating (slots), and the review counters."""

    @abc.abstractmethod
    def get(self, case_no: str, stage: Stage) -> Review | None: ...

    @abc.abstractmethod
    def of_case(self, case_no: str) -> list[Review]: ...

    @abc.abstractmethod
    def add(self, review: Review, counts: Mapping[str, int]) -> None:
        """Stage a review unless the stage has one (Duplicate), with its counter increments and the removal
        of the stage's slot."""

    @abc.abstractmethod
    def add_follow_up(self, review: Review) -> None:
        """Stage the one follow-up comment (Conflict where it has one already)."""

    @abc.abstractmethod
    def listing(self, partition: str, key: str, limit: int, start: Any, bad: bool | None,
                ticket_status: str | None,
                period: tuple[str | None, str | None] = (None, None)) -> tuple[list[Review], Any]:
        """Newest first, by office or by city (``partition`` is ``office_id`` or ``city``), within the period of
        ``created_at`` instants (ISO, either end open). ``start`` is None or a position this listing returned
        (a forged one: InvalidInput naming ``cursor``); returns the page and the next position (None: no
        more)."""

    @abc.abstractmethod
    def open_slot(self, slot: ReviewSlot) -> None:
        """Stage a slot unless the stage has one, open or closed by its review (Duplicate)."""

    @abc.abstractmethod
    def due_slots(self, now: datetime) -> Iterator[ReviewSlot]: ...

    @abc.abstractmethod
    def close_slot(self, case_no: str, stage: Stage, at: datetime) -> None:
        """Stage the slot's closing (the stage has its review; ``add`` of a review closes its slot too): it
        leaves the due slots and is not opened again."""

    def counts(self, office_id: str, first: date | None, last: date | None) -> dict[str, int]:
        """The office's counters summed over the CST days from ``first`` to ``last`` (either open)."""
        from ..domain.statistics import COUNTERS

        total = dict.fromkeys(COUNTERS, 0)
        for counts in self.daily_counts(office_id, first, last).values():
            for k in COUNTERS:
                total[k] += counts[k]
        return total

    @abc.abstractmethod
    def daily_counts(self, office_id: str, first: date | None, last: date | None) -> dict[str, dict[str, int]]:
        """The office's counters per CST day (``YYYY-MM-DD``) from ``first`` to ``last`` (either open)."""

    def monthly_counts(self, office_id: str, first: date | None, last: date | None) -> dict[str, dict[str, int]]:
        """The office's counters per CST month (``YYYY-MM``) of the days from ``first`` to ``last`` (either
        open). A store may keep month totals to read fewer items; this is the days summed."""
        from ..domain.statistics import COUNTERS

        out: dict[str, dict[str, int]] = {}
        for day, counts in self.daily_counts(office_id, first, last).items():
            row = out.setdefault(day[:7], dict.fromkeys(COUNTERS, 0))
            for k in COUNTERS:
                row[k] += counts[k]
        return out

    def monthly_counts_of(self, office_ids: list[str], first: date | None,
                          last: date | None) -> dict[str, dict[str, dict[str, int]]]:
        """``monthly_counts`` of several offices (a store may read them together)."""
        return {oid: self.monthly_counts(oid, first, last) for oid in office_ids}

    def rollup_counts(self, level: Level, months: list[str]) -> dict[str, dict[str, int]] | None:
        """A city's or the province's counters per whole month of ``months`` from its roll-up, or None where
        the store keeps no roll-ups (the caller sums the offices)."""
        return None

    @abc.abstractmethod
    def summary(self) -> StatsSummary | None:
        """The latest statistics snapshot (domain/summaries.py), or None: none taken yet, or one that cannot
        be read (logged; the statistics are then read live)."""

    @abc.abstractmethod
    def save_summary(self, summary: StatsSummary) -> None:
        """Stage a snapshot in place of the stored one, unless the stored one was taken later (Duplicate: a
        slower run of the schedule never replaces a newer snapshot)."""


class TicketRepository(abc.ABC):
    """Rectification tickets (差评工单) with their history."""

    @abc.abstractmethod
    def get(self, ticket_id: str) -> Ticket: ...

    @abc.abstractmethod
    def add(self, ticket: Ticket, change: TicketChange, counts: Mapping[str, int]) -> None:
        """Stage a new ticket (Duplicate if it exists) with its history entry, outbox event, the review's
        ticket fields and counter changes."""

    @abc.abstractmethod
    def update(self, ticket: Ticket, change: TicketChange, counts: Mapping[str, int]) -> None:
        """As ``add`` for a step, if the ticket is still at the version read (else ConcurrentUpdate)."""

    @abc.abstractmethod
    def history(self, ticket_id: str) -> list[dict[str, Any]]: ...

    @abc.abstractmethod
    def escalated(self, city: str, limit: int,
                  start: dict[str, Any] | None) -> tuple[list[Ticket], dict[str, Any] | None]:
        """The city's tickets on the provincial worklist (``Ticket.awaits_province``), earliest escalation
        first, one page from ``start`` (a key this method returned); a query of a sparse index, never a scan."""

    @abc.abstractmethod
    def due(self, now: datetime) -> Iterator[str]: ...


class Outbox(abc.ABC):
    """Outgoing events besides those of case and ticket changes (which their repositories stage)."""

    @abc.abstractmethod
    def add(self, event: DomainEvent, once: bool = False) -> None:
        """Stage an event; ``once``: Duplicate if an event with that id was written already."""


class Counters(abc.ABC):
    """Atomic counters. They count at once, outside the transaction: a number handed out stays used."""

    @abc.abstractmethod
    def increment(self, counter_id: str, expires_at: datetime | None = None) -> int:
        """Add one and return the new value; with ``expires_at`` the counter is deleted some time after it
        (DynamoDB's TTL: reads must not rely on the deletion, only storage does)."""

    @abc.abstractmethod
    def values(self, counter_ids: list[str]) -> dict[str, int]:
        """The current values (strongly consistent) of those of the counters that exist."""

    @abc.abstractmethod
    def take(self, counter_id: str, block: int) -> int:
        """The next number of a block this process holds of the counter; when it has none left, one ADD of
        ``block`` reserves the next block for it. Numbers are unique across processes, roughly in time
        order, with gaps: what a process still holds when it ends is never handed out."""


class Notifications(abc.ABC):
    """What was sent to applicants, one record per outgoing event. Claims and their records are written at
    once (not in the unit of work's transaction): a claim must be visible to a twin delivery before the SMS."""

    @abc.abstractmethod
    def was_sent(self, case_no: str, notification_id: str) -> bool: ...

    @abc.abstractmethod
    def claim(self, case_no: str, notification_id: str, event_type: str, token: str, at: datetime,
              lease_seconds: int) -> str:
        """Claim the message before sending: "claimed" (ours now: a new claim, our own, or one whose lease
        ran out), "sent" (recorded as sent already), or "busy" (another delivery holds a live claim)."""

    @abc.abstractmethod
    def record_sent(self, case_no: str, notification_id: str, event_type: str, text: str, at: datetime) -> None:
        """Record that the SMS went out, whoever holds the claim now (unconditional: it was sent)."""

    @abc.abstractmethod
    def add(self, case_no: str, notification_id: str, event_type: str, text: str, sent_at: datetime) -> None:
        """Stage the record of a sent message (Duplicate if recorded already)."""

    @abc.abstractmethod
    def of_case(self, case_no: str) -> list[dict[str, Any]]: ...


class AccessLog(abc.ABC):
    """Who read whose personal data, when and why. An entry is written at once, before the read is
    answered: a read that could not be logged is never answered."""

    @abc.abstractmethod
    def record(self, entry: dict[str, Any], at: datetime, entry_id: str) -> dict[str, Any]:
        """Write one entry once; returns it as listed."""

    @abc.abstractmethod
    def month(self, month: str, limit: int,
              start: dict[str, Any] | None) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        """A CST month's entries, newest first."""


class UnitOfWork(abc.ABC):
    cases: CaseRepository
    legs: LegRepository
    parcels: ParcelRepository
    reviews: ReviewRepository
    tickets: TicketRepository
    outbox: Outbox
    counters: Counters
    notifications: Notifications
    access_log: AccessLog

    def __enter__(self) -> UnitOfWork:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.rollback()

    @abc.abstractmethod
    def commit(self) -> None:
        """Write everything staged since the last commit in one transaction, or nothing; raise the error
        staged with the first write whose condition failed."""

    @abc.abstractmethod
    def rollback(self) -> None:
        """Forget what was staged and not committed (undoing the version bumps staging made)."""
