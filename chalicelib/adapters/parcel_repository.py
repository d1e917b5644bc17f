"""Stores consolidated parcels (合包). Every change is a conditional write on the parcel's version, staged
in the unit of work's transaction with the case change that goes with it (a case joining, a case found
missing), so a case and its parcel membership land together or not at all."""
from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from pynamodb.exceptions import DoesNotExist

from ..config import settings
from ..domain.errors import Duplicate, InvalidInput
from ..domain.parcels import ItemState, Parcel, ParcelItem, ParcelStatus
from ..domain.shipping import LegKind
from ..domain.workdays import iso, parse_instant
from ..services.unit_of_work import ParcelRepository
from .models import ParcelRecord
from .transaction import Transaction, Write, stage_versioned

NOT_OUR_CURSOR = "is not a cursor this API issued for this listing"


def _shard(parcel_id: str) -> str:
    return str(int(hashlib.sha1(parcel_id.encode()).hexdigest(), 16) % settings().sweep_shards)  # noqa: S324


def _t(value: datetime | None) -> str | None:
    return iso(value) if value else None


def _pt(value: str | None) -> datetime | None:
    return parse_instant(value) if value else None


def to_record(p: Parcel) -> ParcelRecord:
    body = {
        "collection_day": p.collection_day.isoformat(), "cutoff_at": iso(p.cutoff_at), "opened_at": iso(p.opened_at),
        "waybill": p.waybill, "sealed_at": _t(p.sealed_at), "arrived_at": _t(p.arrived_at),
        "courier": p.courier, "service": p.service, "cost_cny": p.cost_cny,
        "items": [{"case_no": i.case_no, "joined_at": iso(i.joined_at), "state": i.state.value,
                   "checked_at": _t(i.checked_at), "checked_by": i.checked_by, "note": i.note} for i in p.items],
    }
    return ParcelRecord(
        parcel_id=p.parcel_id, version=p.version, kind=p.kind.value, status=p.status.value,
        from_office_id=p.from_office_id, to_office_id=p.to_office_id,
        listing=f"{p.status.value}#{p.collection_day.isoformat()}#{p.parcel_id}",
        seal_shard=_shard(p.parcel_id) if p.is_open else None, seal_at=iso(p.cutoff_at) if p.is_open else None,
        body=body,
    )


def from_record(rec: ParcelRecord) -> Parcel:
    b: dict[str, Any] = rec.body
    return Parcel(
        parcel_id=rec.parcel_id, kind=LegKind(rec.kind), from_office_id=rec.from_office_id,
        to_office_id=rec.to_office_id, collection_day=date.fromisoformat(b["collection_day"]),
        cutoff_at=parse_instant(b["cutoff_at"]), opened_at=parse_instant(b["opened_at"]),
        status=ParcelStatus(rec.status), waybill=b.get("waybill"), sealed_at=_pt(b.get("sealed_at")),
        arrived_at=_pt(b.get("arrived_at")), courier=b.get("courier", ""), service=b.get("service", ""),
        cost_cny=float(b.get("cost_cny", 0)), version=int(rec.version),
        items=[ParcelItem(case_no=i["case_no"], joined_at=parse_instant(i["joined_at"]), state=ItemState(i["state"]),
                          checked_at=_pt(i.get("checked_at")), checked_by=i.get("checked_by"),
                          note=i.get("note") or "") for i in b.get("items", [])],
    )


class DynamoParcelRepository(ParcelRepository):
    """Load and stage parcels. No scans: by id, by office (two indexes), open ones by cut-off (sparse)."""

    def __init__(self, tx: Transaction) -> None:
        self.tx = tx

    def find(self, parcel_id: str) -> Parcel | None:
        try:
            return from_record(ParcelRecord.get(parcel_id, consistent_read=True))
        except DoesNotExist:
            return None

    def add(self, parcel: Parcel) -> None:
        parcel.version = 1
        self.tx.stage(Write("put", to_record(parcel), ParcelRecord.parcel_id.does_not_exist(),
                            conflict=lambda: Duplicate(f"parcel {parcel.parcel_id} exists already"),
                            undo=lambda: setattr(parcel, "version", 0)))

    def update(self, parcel: Parcel) -> None:
        stage_versioned(self.tx, parcel, lambda: to_record(parcel), ParcelRecord.version,
                        f"parcel {parcel.parcel_id}", lambda: parcel.status.value)

    def due(self, now: datetime) -> Iterator[str]:
        for shard in range(settings().sweep_shards):
            for rec in ParcelRecord.to_seal.query(str(shard), ParcelRecord.seal_at <= iso(now)):
                yield rec.parcel_id

    def of_office(self, office_id: str, direction: str | None, status: str | None, limit: int,
                  cursor: dict[str, Any] | None) -> tuple[list[Parcel], dict[str, Any] | None]:
        sides = ["from", "to"] if direction is None else [{"outgoing": "from", "incoming": "to"}[direction]]
        which = (cursor or {}).get("i", 0)
        if type(which) is not int or not 0 <= which < len(sides) or (cursor is not None and set(cursor) != {"i", "k"}):
            raise InvalidInput("cursor", NOT_OUR_CURSOR)
        start = _check_start((cursor or {}).get("k"), sides[which], office_id, f"{status}#" if status else "")
        parcels: list[Parcel] = []
        while which < len(sides) and len(parcels) < limit:
            index: Any = ParcelRecord.parcels_from if sides[which] == "from" else ParcelRecord.parcels_to
            cond = ParcelRecord.listing.startswith(f"{status}#") if status else None
            result = index.query(office_id, range_key_condition=cond, limit=limit - len(parcels),
                                 last_evaluated_key=start, scan_index_forward=False)
            parcels.extend(from_record(r) for r in result)
            start = result.last_evaluated_key
            if start is None:
                which, start = which + 1, None
        return parcels, ({"i": which, "k": start} if which < len(sides) and start is not None else None)


def _check_start(key: Any, side: str, office_id: str, prefix: str) -> dict[str, Any] | None:
    """A cursor's start key must be one this API issued for this office, side and filter (400 otherwise)."""
    if key is None:
        return None
    office_attr = f"{side}_office_id"
    if (not isinstance(key, dict) or set(key) != {"parcel_id", office_attr, "listing"}
            or not all(isinstance(v, dict) and set(v) == {"S"} and isinstance(v["S"], str) for v in key.values())
            or key[office_attr]["S"] != office_id or not key["listing"]["S"].startswith(prefix)
            or not key["listing"]["S"].endswith("#" + key["parcel_id"]["S"])):
        raise InvalidInput("cursor", NOT_OUR_CURSOR)
    return key
