"""Stores parcel legs (寄递单). Every change is a conditional write on the leg's version, alone or joined
to a case's commit (``staged``) so that the leg and the case change land together or not at all."""
from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from pynamodb.exceptions import DoesNotExist, PutError, TransactWriteError
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from ..config import settings
from ..domain.errors import ConcurrentUpdate, NotFound
from ..domain.shipping import LegKind, LegStatus, Shipment, TrackingEvent
from ..domain.workdays import iso, parse_instant
from .case_repository import OUTBOX_TTL_SECONDS, connection
from .models import OutboxRecord, ShipmentRecord
from .tables import condition_failed


def _shard(waybill: str) -> str:
    return str(int(hashlib.sha1(waybill.encode()).hexdigest(), 16) % settings().sweep_shards)  # noqa: S324


def to_record(leg: Shipment) -> ShipmentRecord:
    body = {
        "from_office_id": leg.from_office_id,
        "to_office_id": leg.to_office_id,
        "to_address": leg.to_address,
        "courier": leg.courier,
        "service": leg.service,
        "cost_cny": leg.cost_cny,
        "transit_working_days": leg.transit_working_days,
        "expected_arrival": leg.expected_arrival.isoformat(),
        "events": [e.as_dict() for e in leg.events],
        "overdue": leg.overdue,
        "superseded_by": leg.superseded_by,
        "replaces": leg.replaces,
    }
    watched = leg.is_open and not leg.overdue
    return ShipmentRecord(
        waybill=leg.waybill,
        version=leg.version,
        case_no=leg.case_no,
        case_version=leg.case_version,
        kind=leg.kind.value,
        status=leg.status.value,
        created_at=iso(leg.created_at),
        open_shard=_shard(leg.waybill) if leg.is_open else None,
        due_shard=_shard(leg.waybill) if watched else None,
        due_at=iso(leg.due_at) if watched else None,
        body=body,
    )


def from_record(rec: ShipmentRecord) -> Shipment:
    b: dict[str, Any] = rec.body
    return Shipment(
        waybill=rec.waybill,
        case_no=rec.case_no,
        case_version=int(rec.case_version),
        kind=LegKind(rec.kind),
        from_office_id=b["from_office_id"],
        to_office_id=b.get("to_office_id"),
        to_address=b.get("to_address"),
        courier=b["courier"],
        service=b.get("service", b["courier"]),
        cost_cny=float(b.get("cost_cny", 0)),
        transit_working_days=int(b["transit_working_days"]),
        expected_arrival=date.fromisoformat(b["expected_arrival"]),
        created_at=parse_instant(rec.created_at),
        status=LegStatus(rec.status),
        events=[TrackingEvent(LegStatus(e["event"]), parse_instant(e["at"])) for e in b.get("events", [])],
        overdue=bool(b.get("overdue")),
        superseded_by=b.get("superseded_by"),
        replaces=b.get("replaces"),
        version=int(rec.version),
    )


def _cancelled_by_condition(err: TransactWriteError) -> bool:
    return any(getattr(r, "code", None) == "ConditionalCheckFailed" for r in (err.cancellation_reasons or []))


class ShipmentRepository:
    """Load and store legs. No scans: by waybill, by case (index), open and due legs (sparse indexes)."""

    def find(self, waybill: str) -> Shipment | None:
        try:
            return from_record(ShipmentRecord.get(waybill, consistent_read=True))
        except DoesNotExist:
            return None

    def get(self, waybill: str) -> Shipment:
        leg = self.find(waybill)
        if leg is None:
            raise NotFound(f"shipment {waybill} not found")
        return leg

    def for_case(self, case_no: str) -> list[Shipment]:
        """The case's legs in the order they were planned (index read: a leg created a moment ago may lag)."""
        return [from_record(r) for r in ShipmentRecord.by_case.query(case_no, scan_index_forward=True)]

    def staged(self, leg: Shipment) -> tuple[Model, Any]:
        """The leg's next version and the condition that it is still the one loaded (or new), to join a
        transaction such as ``CaseRepository.commit(..., extra=[...])``."""
        expected = leg.version
        leg.version = expected + 1
        condition = ShipmentRecord.version == expected if expected else ShipmentRecord.waybill.does_not_exist()
        return to_record(leg), condition

    def save(self, leg: Shipment) -> None:
        """Write one change of a leg alone (conditional on its version)."""
        self.commit([leg])

    def create(self, leg: Shipment) -> bool:
        """Insert a new leg; False when a leg with that waybill already exists (an idempotent retry)."""
        record, condition = self.staged(leg)
        try:
            record.save(condition=condition)
        except PutError as err:
            leg.version -= 1
            if condition_failed(err):
                return False
            raise
        return True

    def commit(self, legs: list[Shipment], outbox: list[OutboxRecord] | None = None) -> None:
        """Write several legs (each conditional on its version) and outgoing events in one transaction.
        Outgoing events are written once (their id is the dedupe key)."""
        staged = [self.staged(leg) for leg in legs]
        try:
            with TransactWrite(connection=connection()) as tx:
                for record, condition in staged:
                    tx.save(record, condition=condition)
                for item in outbox or []:
                    tx.save(item, condition=OutboxRecord.event_id.does_not_exist())
        except TransactWriteError as err:
            for leg in legs:
                leg.version -= 1
            if _cancelled_by_condition(err):
                raise ConcurrentUpdate(
                    f"shipment {', '.join(leg.waybill for leg in legs)} changed meanwhile",
                    current_status=legs[0].status.value,
                ) from err
            raise

    def open_waybills(self) -> Iterator[str]:
        """Waybills of every leg still on its way (sparse index, sharded)."""
        for shard in range(settings().sweep_shards):
            for rec in ShipmentRecord.open_legs.query(str(shard)):
                yield rec.waybill

    def due(self, now: datetime) -> Iterator[str]:
        """Waybills of open legs whose expected-arrival day ended at or before ``now``, not yet overdue."""
        for shard in range(settings().sweep_shards):
            for rec in ShipmentRecord.legs_due.query(str(shard), ShipmentRecord.due_at <= iso(now)):
                yield rec.waybill


def shipment_event(leg: Shipment, event_type: str, at: datetime, **details: Any) -> OutboxRecord:
    """An outgoing event about a leg (e.g. ``shipment.overdue``), relayed like a case's events."""
    event_id = f"{leg.waybill}#{event_type}"
    payload = {
        "event_id": event_id,
        "type": event_type,
        "case_no": leg.case_no,
        "waybill": leg.waybill,
        "leg_version": leg.version,
        "kind": leg.kind.value,
        "from_office_id": leg.from_office_id,
        "to_office_id": leg.to_office_id,
        "to_city": leg.to_city,
        "status": leg.status.value,
        "expected_arrival": leg.expected_arrival.isoformat(),
        "at": iso(at),
        "details": details,
    }
    return OutboxRecord(event_id=event_id, event_type=event_type, payload=payload, created_at=iso(at),
                        expires_at=int(time.time()) + OUTBOX_TTL_SECONDS)
