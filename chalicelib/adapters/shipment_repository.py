"""Stores parcel legs (寄递单). Every change is a conditional write on the leg's version, staged in the unit
of work's transaction, so that a leg and the case change it causes land together or not at all."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from pynamodb.exceptions import DoesNotExist

from ..config import settings
from ..domain.errors import Duplicate
from ..domain.shipping import LegKind, LegStatus, Shipment, TrackingEvent
from ..domain.workdays import iso, parse_instant
from ..services.unit_of_work import LegRepository
from .keys import sweep_shard
from .models import LegacyShipmentRecord, ShipmentRecord
from .tables import every_sweep_shard
from .transaction import Transaction, Write, stage_versioned


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
    if leg.parcel_id:
        body["parcel_id"] = leg.parcel_id
    if leg.urgent:
        body["urgent"] = True
    if leg.late_events:
        body["late_events"] = [e.as_dict() for e in leg.late_events]
    watched = leg.is_open and not leg.overdue
    return ShipmentRecord(
        waybill=leg.waybill,
        version=leg.version,
        case_no=leg.case_no,
        case_version=leg.case_version,
        kind=leg.kind.value,
        status=leg.status.value,
        created_at=iso(leg.created_at),
        open_shard=sweep_shard(leg.waybill) if leg.is_open else None,
        due_shard=sweep_shard(leg.waybill) if watched else None,
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
        parcel_id=b.get("parcel_id"),
        urgent=bool(b.get("urgent")),
        late_events=[TrackingEvent(LegStatus(e["event"]), parse_instant(e["at"]))
                     for e in b.get("late_events", [])],
    )


class DynamoLegRepository(LegRepository):
    """Load and stage legs. No scans: by waybill, by case (keys-only index, then by key), open and due legs
    (sparse indexes)."""

    def __init__(self, tx: Transaction) -> None:
        self.tx = tx

    def find(self, waybill: str) -> Shipment | None:
        try:
            return from_record(ShipmentRecord.get(waybill, consistent_read=True))
        except DoesNotExist:
            return None

    def for_case(self, case_no: str) -> list[Shipment]:
        """The case's legs in the order they were planned: their waybills from the keys-only ``by_case_keys``
        index, the legs by key (BatchGetItem, 100 keys a request; eventually consistent, as the index is). A
        leg the index lists but the table no longer holds is left out."""
        if settings().leg_index_migration == "legacy":
            return [from_record(r) for r in LegacyShipmentRecord.legacy_by_case.query(case_no,
                                                                                      scan_index_forward=True)]
        waybills = list(dict.fromkeys(r.waybill for r in ShipmentRecord.by_case.query(case_no,
                                                                                       scan_index_forward=True)))
        if not waybills:
            return []
        found = {r.waybill: r for r in ShipmentRecord.batch_get(waybills)}
        return [from_record(found[w]) for w in waybills if w in found]

    def add(self, leg: Shipment) -> None:
        leg.version = 1
        self.tx.stage(Write("put", to_record(leg), ShipmentRecord.waybill.does_not_exist(),
                            conflict=lambda: Duplicate(f"shipment {leg.waybill} exists already"),
                            undo=lambda: setattr(leg, "version", 0)))

    def update(self, leg: Shipment) -> None:
        stage_versioned(self.tx, leg, lambda: to_record(leg), ShipmentRecord.version, f"shipment {leg.waybill}",
                        lambda: leg.status.value)

    def open_waybills(self) -> Iterator[str]:
        """Waybills of every leg still on its way (sparse index, sharded)."""
        for shard in range(settings().sweep_shards):
            for rec in ShipmentRecord.open_legs.query(str(shard)):
                yield rec.waybill

    def due(self, now: datetime) -> Iterator[str]:
        """Waybills of open legs whose expected-arrival day ended at or before ``now``, not yet overdue."""
        return every_sweep_shard(lambda shard: (r.waybill for r in ShipmentRecord.legs_due.query(
            str(shard), ShipmentRecord.due_at <= iso(now))), "parcel legs due")
