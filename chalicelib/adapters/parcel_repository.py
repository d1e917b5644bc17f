"""Stores consolidated parcels (合包). Every change is a conditional write on the version of each item it
changes, staged in the unit of work's transaction with the case change that goes with it (a case joining, a
case found missing), so a case and its parcel membership land together or not at all.

A parcel is a header item (status, waybill, times: the listing and sealing index keys) and the sheets of its
handover list (``{parcel_id}#{s}``: the lines of the cases whose number hashes to sheet ``s``, and whether the
parcel still takes cases). Joining writes the case's sheet alone, never the header: at 1,000 applications a
second through one office pair the joins spread over PARCEL_SHEETS items instead of all landing on one
(docs/PERFORMANCE.md, figure 10). A sheet is created by the first case that joins it, which also records it
in the header's list of sheets (at most PARCEL_SHEETS header writes a parcel, whatever it holds). Sealing
closes the header and every sheet in that list in one transaction, each conditional on its version, so a join
and a seal race cleanly: whichever commits second fails on a version (a join into a new sheet, on the
header's) and reads again.

Parcels written before the sheets keep their handover list in the header's body: they are read as they are,
and the first change rewrites them as header and sheets (``tools/backfill.py`` moves the rest).
"""
from __future__ import annotations

import json
import math
import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from ..config import settings
from ..domain.errors import Duplicate, InvalidInput
from ..domain.parcels import MAX_CASES_PER_PARCEL, ItemState, Parcel, ParcelItem, ParcelStatus
from ..domain.shipping import LegKind
from ..domain.workdays import iso, parse_instant
from ..services.unit_of_work import ParcelRepository
from .keys import instant_or_none, iso_or_none, shard_number, sweep_shard
from .models import LegacyParcelRecord, ParcelRecord
from .tables import every_sweep_shard, fan_out
from .transaction import Transaction, Write

NOT_OUR_CURSOR = "is not a cursor this API issued for this listing"
LIST_ROUNDS = 5  # rounds of index entries a filtered listing page reads at most before it answers
OPEN, CLOSED = "OPEN", "CLOSED"  # a sheet's status: the parcel takes cases, or not any more


def list_partition(office_id: str, parcel_id: str) -> str:
    """The listing index partition of a parcel at one of its offices: one of QUEUE_SHARDS per office, as the
    work queues. The parcel's for ever (a hash of its id)."""
    return f"{office_id}#{shard_number(parcel_id, settings().queue_shards)}"


def list_order(p: Parcel) -> str:
    return f"{p.collection_day.isoformat()}#{p.parcel_id}"


def sheet_of(case_no: str) -> int:
    """The sheet of a parcel's handover list a case's line is kept on."""
    return shard_number(case_no, settings().parcel_sheets)


def sheet_id(parcel_id: str, sheet: int) -> str:
    return f"{parcel_id}#{sheet}"


def sheet_capacity() -> int:
    """Cases one sheet takes: its share of a parcel's MAX_CASES_PER_PARCEL, so the whole never exceeds it."""
    return max(1, math.floor(MAX_CASES_PER_PARCEL / settings().parcel_sheets))


def _line(i: ParcelItem) -> dict[str, Any]:
    line = {"case_no": i.case_no, "joined_at": iso(i.joined_at), "state": i.state.value,
            "checked_at": iso_or_none(i.checked_at), "checked_by": i.checked_by, "note": i.note or None}
    return {k: v for k, v in line.items() if v is not None}  # every byte of a sheet is written at each join


def _item(line: dict[str, Any]) -> ParcelItem:
    return ParcelItem(case_no=line["case_no"], joined_at=parse_instant(line["joined_at"]),
                      state=ItemState(line["state"]), checked_at=instant_or_none(line.get("checked_at")),
                      checked_by=line.get("checked_by"), note=line.get("note") or "")


def _header_body(p: Parcel, sheets: list[int]) -> dict[str, Any]:
    return {"collection_day": p.collection_day.isoformat(), "cutoff_at": iso(p.cutoff_at),
            "opened_at": iso(p.opened_at), "waybill": p.waybill, "sealed_at": iso_or_none(p.sealed_at),
            "arrived_at": iso_or_none(p.arrived_at), "courier": p.courier, "service": p.service, "cost_cny": p.cost_cny,
            "sheets": sorted(sheets)}


def to_record(p: Parcel, sheets: list[int]) -> ParcelRecord:
    """The parcel's header, naming the sheets its handover list is on."""
    record = LegacyParcelRecord if settings().queue_migration == "legacy" else ParcelRecord
    legacy: dict[str, Any] = {}
    if record is LegacyParcelRecord:  # a stage migrating: its old listing indexes are still the ones read
        legacy = {"listing": f"{p.status.value}#{p.collection_day.isoformat()}#{p.parcel_id}"}
    return record(
        **legacy,
        parcel_id=p.parcel_id, version=p.version, kind=p.kind.value, status=p.status.value,
        from_office_id=p.from_office_id, to_office_id=p.to_office_id,
        from_shard=list_partition(p.from_office_id, p.parcel_id), to_shard=list_partition(p.to_office_id, p.parcel_id),
        list_order=list_order(p),
        seal_shard=sweep_shard(p.parcel_id) if p.is_open else None, seal_at=iso(p.cutoff_at) if p.is_open else None,
        body=_header_body(p, sheets),
    )


def sheet_record(p: Parcel, sheet: int, lines: list[dict[str, Any]], version: int) -> ParcelRecord:
    return ParcelRecord(parcel_id=sheet_id(p.parcel_id, sheet), version=version, kind=p.kind.value,
                        status=OPEN if p.is_open else CLOSED, from_office_id=p.from_office_id,
                        to_office_id=p.to_office_id, sheet_of=p.parcel_id, body={"lines": lines})


def from_record(rec: ParcelRecord, items: list[ParcelItem]) -> Parcel:
    b: dict[str, Any] = rec.body
    return Parcel(
        parcel_id=rec.parcel_id, kind=LegKind(rec.kind), from_office_id=rec.from_office_id,
        to_office_id=rec.to_office_id, collection_day=date.fromisoformat(b["collection_day"]),
        cutoff_at=parse_instant(b["cutoff_at"]), opened_at=parse_instant(b["opened_at"]),
        status=ParcelStatus(rec.status), waybill=b.get("waybill"), sealed_at=instant_or_none(b.get("sealed_at")),
        arrived_at=instant_or_none(b.get("arrived_at")), courier=b.get("courier", ""), service=b.get("service", ""),
        cost_cny=float(b.get("cost_cny", 0)), version=int(rec.version), items=items,
    )


def _ordered(items: list[ParcelItem]) -> list[ParcelItem]:
    """The handover list in the order the cases joined (instants are stored to the second: ties by number)."""
    return sorted(items, key=lambda i: (i.joined_at, i.case_no))


@dataclass
class _Loaded:
    """What one parcel looked like when this unit of work read it (or last staged it): the header's image,
    and per sheet read its version (0: no such item yet), lines and whether it was open."""

    header: str
    legacy: bool
    sheets: dict[int, tuple[int, list[dict[str, Any]], bool]] = field(default_factory=dict)
    listed: list[int] = field(default_factory=list)  # the sheets the header names (those that exist)


# What each parcel object looked like when read, by object: a parcel read in one unit of work may be changed
# and written in another (the version it was read at travels with it, as a case's does). Forgotten with the
# object.
_read_as: dict[int, _Loaded] = {}


def _remember(parcel: Parcel, loaded: _Loaded) -> None:
    if id(parcel) not in _read_as:
        weakref.finalize(parcel, _read_as.pop, id(parcel), None)
    _read_as[id(parcel)] = loaded


def _image(rec: ParcelRecord) -> str:
    return json.dumps({"status": rec.status, "seal_shard": rec.seal_shard, "seal_at": rec.seal_at,
                       "body": rec.body}, sort_keys=True, ensure_ascii=False)


def _batch_get(keys: list[str]) -> dict[str, ParcelRecord]:
    return {r.parcel_id: r for r in ParcelRecord.batch_get(keys, consistent_read=True)} if keys else {}


class DynamoParcelRepository(ParcelRepository):
    """Load and stage parcels. No scans: by id, by office (two sharded keys-only indexes), open ones by
    cut-off (sparse)."""

    def __init__(self, tx: Transaction) -> None:
        self.tx = tx

    def find(self, parcel_id: str, case_no: str | None = None, lines: bool = True) -> Parcel | None:
        if case_no is not None:  # the header and the case's sheet (there or not), in one request
            records = _batch_get([parcel_id, sheet_id(parcel_id, sheet_of(case_no))])
            header = records.get(parcel_id)
            sheets = [sheet_of(case_no)]
        else:
            header = _batch_get([parcel_id]).get(parcel_id)
            sheets = _listed(header) if header is not None and lines else []
            records = _batch_get([sheet_id(parcel_id, s) for s in sheets])
        if header is None or header.sheet_of:
            return None
        return self._assemble(header, sheets, records, partial=case_no is not None)

    def _assemble(self, header: ParcelRecord, sheets: list[int], records: dict[str, ParcelRecord],
                  partial: bool) -> Parcel:
        listed = _listed(header)
        loaded = _Loaded(header=_image(header), legacy="items" in header.body, listed=listed)
        items = [_item(line) for line in header.body.get("items", [])]  # a list kept in the header (legacy)
        for s in sheets:
            rec = records.get(sheet_id(header.parcel_id, s))
            got = list(rec.body.get("lines", [])) if rec is not None else []
            loaded.sheets[s] = ((int(rec.version), got, rec.status == OPEN) if rec is not None else (0, [], True))
            items.extend(_item(line) for line in got)
        parcel = from_record(header, _ordered(items))
        if partial and not loaded.legacy:
            parcel.capacity = sheet_capacity()
        _remember(parcel, loaded)
        return parcel

    def add(self, parcel: Parcel) -> None:
        parcel.version = 1
        loaded = _Loaded(header="", legacy=False, sheets={sheet_of(i.case_no): (0, [], True) for i in parcel.items})
        sheet_writes = self._sheet_writes(parcel, loaded)
        loaded.listed = sorted(loaded.sheets)
        header = to_record(parcel, loaded.listed)
        loaded.header = _image(header)
        self.tx.stage(Write("put", header, ParcelRecord.parcel_id.does_not_exist(),
                            conflict=lambda: Duplicate(f"parcel {parcel.parcel_id} exists already"),
                            undo=lambda: setattr(parcel, "version", 0)))
        for write in sheet_writes:
            self.tx.stage(write)
        _remember(parcel, loaded)

    def update(self, parcel: Parcel) -> None:
        loaded = _read_as.get(id(parcel))
        if loaded is None:
            raise ValueError(f"parcel {parcel.parcel_id} was not read from this store")
        before = _Loaded(loaded.header, loaded.legacy, dict(loaded.sheets), list(loaded.listed))
        writes = self._sheet_writes(parcel, loaded)
        # A sheet created now is named in the header: the header's version then guards its creation against a
        # sealing that read the header without it (and another joiner creating another sheet reads again).
        listed = sorted(set(loaded.listed) | {s for s, (v, _, _) in loaded.sheets.items() if v})
        header = to_record(parcel, listed)
        if loaded.legacy or _image(header) != loaded.header:
            expected = parcel.version
            parcel.version = header.version = expected + 1
            writes.insert(0, Write("put", header, ParcelRecord.version == expected, conflict=lambda: self._lost(parcel),
                                   undo=lambda: setattr(parcel, "version", expected)))
            loaded.header, loaded.legacy, loaded.listed = _image(header), False, listed
        if writes:  # a failed commit leaves the parcel as it was read (versions included)
            undo_first = writes[0].undo

            def undo() -> None:
                _remember(parcel, before)
                if undo_first:
                    undo_first()

            writes[0].undo = undo
        for write in writes:
            self.tx.stage(write)
        _remember(parcel, loaded)

    def _sheet_writes(self, parcel: Parcel, loaded: _Loaded) -> list[Write]:
        """Each sheet read whose lines or openness changed, at its version + 1 if still at the one read (a
        sheet not there yet: if still not there); ``loaded`` is moved to what they write. A sheet no case
        joined stays absent, also when the parcel closes: the header does not name it, and a joiner creating
        it after the sealing fails on the header's version."""
        by_sheet: dict[int, list[dict[str, Any]]] = {}
        for i in parcel.items:
            by_sheet.setdefault(sheet_of(i.case_no), []).append(_line(i))
        writes = []
        # A sheet with lines that was not read is one the header did not name: it does not exist yet.
        for s in sorted(set(loaded.sheets) | set(by_sheet)):
            version, lines, was_open = loaded.sheets.get(s, (0, [], True))
            now = by_sheet.get(s, [])
            if version == 0 and not now:
                continue  # nothing joined it: it stays absent
            if version and now == lines and was_open == parcel.is_open and not loaded.legacy:
                continue
            condition = ParcelRecord.version == version if version else ParcelRecord.parcel_id.does_not_exist()
            writes.append(Write("put", sheet_record(parcel, s, now, version + 1), condition,
                                conflict=lambda: self._lost(parcel)))
            loaded.sheets[s] = (version + 1, now, parcel.is_open)
        return writes

    def _lost(self, parcel: Parcel) -> Exception:
        from ..domain.errors import ConcurrentUpdate

        current = self.find(parcel.parcel_id, lines=False)
        status = current.status.value if current else parcel.status.value
        return ConcurrentUpdate(f"parcel {parcel.parcel_id} was changed by someone else; it is now {status}",
                                current_status=status)

    def due(self, now: datetime) -> Iterator[str]:
        """Every shard of the sparse to-seal index at once; a shard that cannot be read waits for the next run."""
        return every_sweep_shard(lambda shard: (r.parcel_id for r in ParcelRecord.to_seal.query(
            str(shard), ParcelRecord.seal_at <= iso(now))), "parcels to seal")

    def of_office(self, office_id: str, direction: str | None, status: str | None, limit: int,
                  cursor: dict[str, Any] | None) -> tuple[list[Parcel], dict[str, Any] | None]:
        """Outgoing (side 0), then incoming (side 1), newest collection first. Each listing index is
        write-sharded: every shard is queried (at once) from the cursor's position on, the entries merged in
        ``collection_day#parcel_id`` order (unique), and the page's parcels read by key with their sheets.
        The cursor is the side and the last entry consumed, so paging is exact across shards. The status
        filter applies to the parcels read; a page reads at most LIST_ROUNDS rounds of entries and may come
        back short, with its cursor."""
        sides = ["from", "to"] if direction is None else [{"outgoing": "from", "incoming": "to"}[direction]]
        which = (cursor or {}).get("i", 0)
        if type(which) is not int or not 0 <= which < len(sides) or (cursor is not None and set(cursor) != {"i", "k"}):
            raise InvalidInput("cursor", NOT_OUR_CURSOR)
        if settings().queue_migration == "legacy":
            return _legacy_of_office(office_id, sides, which, status, limit, cursor)
        before = check_list_position((cursor or {}).get("k"))
        found: list[Parcel] = []
        rounds = 0
        while which < len(sides) and len(found) < limit and rounds < LIST_ROUNDS:
            rounds += 1
            entries, exhausted = _list_entries(sides[which], office_id, before, limit)
            parcels = self._read_many([pid for pid, _ in entries])
            for parcel_id, order in entries:
                before = order
                parcel = parcels.get(parcel_id)
                # The index is eventually consistent: what was read must still be this office's.
                if parcel is None or getattr(parcel, f"{sides[which]}_office_id") != office_id:
                    continue
                if status and parcel.status.value != status:
                    continue
                found.append(parcel)
                if len(found) == limit:
                    break
            else:
                if exhausted:
                    which, before = which + 1, None
        return found, ({"i": which, "k": before} if which < len(sides) else None)

    def _read_many(self, parcel_ids: list[str]) -> dict[str, Parcel]:
        """Parcels with their whole handover lists: the headers by key, then the sheets they name (100 keys a
        request, the requests at once)."""
        headers = _batch_get_all(parcel_ids)
        keys = [sheet_id(pid, s) for pid in parcel_ids if pid in headers for s in _listed(headers[pid])]
        sheets = _batch_get_all(keys)
        out = {}
        for pid in parcel_ids:
            header = headers.get(pid)
            if header is not None and not header.sheet_of:
                out[pid] = self._assemble(header, _listed(header), sheets, partial=False)
        return out


def _listed(header: ParcelRecord) -> list[int]:
    """The sheets a header names; a header of the release before the sheets names none (its list is its own)."""
    return [int(s) for s in header.body.get("sheets", [])]


def _batch_get_all(keys: list[str]) -> dict[str, ParcelRecord]:
    records: dict[str, ParcelRecord] = {}
    for batch in fan_out(_batch_get, [keys[i:i + 100] for i in range(0, len(keys), 100)]):
        records.update(batch)
    return records


def _list_entries(side: str, office_id: str, before: str | None, limit: int) -> tuple[list[tuple[str, str]], bool]:
    """The first ``limit`` (parcel id, order) entries before ``before`` (newest first) of one office's listing
    index on one side, merged over its shards (queried at once); and whether that is every entry left."""
    index: Any = ParcelRecord.parcels_from if side == "from" else ParcelRecord.parcels_to

    def query(shard: int) -> list[tuple[str, str]]:
        cond = ParcelRecord.list_order < before if before else None
        return [(r.parcel_id, r.list_order) for r in index.query(f"{office_id}#{shard}", range_key_condition=cond,
                                                                   limit=limit, scan_index_forward=False)]

    got = fan_out(query, list(range(settings().queue_shards)))
    exhausted = all(len(g) < limit for g in got)
    merged = sorted((e for g in got for e in g), key=lambda e: e[1], reverse=True)
    return merged[:limit], exhausted and len(merged) <= limit


def check_list_position(value: Any) -> str | None:
    """A listing cursor's position must be an entry's order this API wrote: ``YYYY-MM-DD#parcel id``."""
    if value is None:
        return None
    day, _, parcel_id = value.partition("#") if isinstance(value, str) else ("", "", "")
    try:
        date.fromisoformat(day)
    except ValueError:
        raise InvalidInput("cursor", NOT_OUR_CURSOR) from None
    if not parcel_id or not all(c.isalnum() or c == "-" for c in parcel_id) or len(parcel_id) > 80:
        raise InvalidInput("cursor", NOT_OUR_CURSOR)
    return str(value)


def _legacy_of_office(office_id: str, sides: list[str], which: int, status: str | None, limit: int,
                      cursor: dict[str, Any] | None) -> tuple[list[Parcel], dict[str, Any] | None]:
    """The listing from the old indexes (``status#day#parcel_id``, ALL projected) while a stage migrates
    (QUEUE_MIGRATION=legacy): as before the sharded ones."""
    start = _check_start((cursor or {}).get("k"), sides[which], office_id, f"{status}#" if status else "")
    repo = DynamoParcelRepository(Transaction())
    found: list[Parcel] = []
    while which < len(sides) and len(found) < limit:
        index: Any = LegacyParcelRecord.legacy_from if sides[which] == "from" else LegacyParcelRecord.legacy_to
        cond = LegacyParcelRecord.listing.startswith(f"{status}#") if status else None
        result = index.query(office_id, range_key_condition=cond, limit=limit - len(found),
                             last_evaluated_key=start, scan_index_forward=False)
        ids = [r.parcel_id for r in result]
        parcels = repo._read_many(ids)
        found.extend(parcels[pid] for pid in ids if pid in parcels)
        start = result.last_evaluated_key
        if start is None:
            which, start = which + 1, None
    return found, ({"i": which, "k": start} if which < len(sides) and start is not None else None)


def _check_start(key: Any, side: str, office_id: str, prefix: str) -> dict[str, Any] | None:
    """A legacy cursor's start key must be one this API issued for this office, side and filter."""
    if key is None:
        return None
    office_attr = f"{side}_office_id"
    if (not isinstance(key, dict) or set(key) != {"parcel_id", office_attr, "listing"}
            or not all(isinstance(v, dict) and set(v) == {"S"} and isinstance(v["S"], str) for v in key.values())
            or key[office_attr]["S"] != office_id or not key["listing"]["S"].startswith(prefix)
            or not key["listing"]["S"].endswith("#" + key["parcel_id"]["S"])):
        raise InvalidInput("cursor", NOT_OUR_CURSOR)
    return key
