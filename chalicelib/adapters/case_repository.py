"""Stores cases: every change stages the case (guarded by its version), its immutable timeline event
and its outgoing event in the unit of work's one DynamoDB transaction (transactional outbox)."""
from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from pynamodb.exceptions import DoesNotExist

from ..config import settings
from ..domain.case import Applicant, Case, Change, Delivery, MaterialItem, timeline_entry
from ..domain.errors import Conflict, InvalidInput, NotFound
from ..domain.events import DomainEvent, encode
from ..domain.formats import CASE_NUMBER, matches
from ..domain.lifecycle import Status
from ..domain.workdays import iso, parse_instant
from ..services.unit_of_work import CaseRepository
from .event_records import relay_fields
from .keys import instant_or_none, iso_or_none, shard_number, sweep_shard
from .models import CaseEventRecord, CaseRecord, IdempotencyRecord, LegacyCaseRecord, OutboxRecord
from .tables import every_sweep_shard, fan_out
from .transaction import Transaction, Write, stage_versioned

OUTBOX_TTL_SECONDS = 7 * 24 * 3600
IDEMPOTENCY_TTL_SECONDS = 24 * 3600

# ---------------------------------------------------------------- mapping


def _d(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _pd(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


_FALSY_DEFAULTS = frozenset({"electronic", "missing", "overdue"})  # read back as False / [] when absent


def to_record(case: Case) -> CaseRecord:
    # The applicant's subject is the item's own ``applicant_sub``: not repeated in the body.
    applicant = {k: v for k, v in vars(case.applicant).items() if v is not None and k != "sub"}
    body = {
        "applicant": applicant,
        # A paper material stores as before (no source, no licence): every byte counts.
        "materials": [{k: v for k, v in vars(m).items() if v is not None} for m in case.materials],
        "delivery": vars(case.delivery),
        "electronic": case.electronic,
        "missing": case.missing,
        "supplement_due": _d(case.supplement_due),
        "accepted_at": iso_or_none(case.accepted_at),
        "promised_by": _d(case.promised_by),
        "overdue": case.overdue,
        "decision": case.decision,
        "refusal_reason": case.refusal_reason,
        "return_reason": case.return_reason,
        "receiving_reviewable_at": iso_or_none(case.receiving_reviewable_at),
        "handling_reviewable_at": iso_or_none(case.handling_reviewable_at),
        "completed_at": iso_or_none(case.completed_at),
        "correction_due": _d(case.correction_due),
        "returned_at": iso_or_none(case.returned_at),
        "stage_due": iso_or_none(case.stage_due),
        "stage_overdue": case.stage_overdue or None,
        "pickup_reminders": [iso(r) for r in case.pickup_reminders] or None,
        "reminded": case.reminded or None,
        "reshipped": case.reshipped or None,
        "licence_authorization": case.licence_authorization or None,
        "licence_unavailable": case.licence_unavailable or None,
        "requested_period": case.requested_period,
        "rule_check": case.rule_check,
        "result_licence": case.result_licence,
        "parcels": case.parcels or None,
    }
    # Unset fields (None; False or empty for the flags and lists below) are left out (``from_record`` reads
    # them with .get and their defaults):
    # every byte over 1 KB costs a write unit, twice in a transaction, and a whole case life once fitted only
    # just over it.
    body = {k: v for k, v in body.items() if v is not None and not (k in _FALSY_DEFAULTS and not v)}
    created = iso(case.created_at)
    due = case.next_due_at()
    record = LegacyCaseRecord if settings().queue_migration == "legacy" else CaseRecord
    legacy: dict[str, Any] = {}
    if record is LegacyCaseRecord:  # a stage migrating: its old work-queue indexes are still the ones read
        sort = f"{case.status.value}#{created}#{case.case_no}"
        legacy = {"receiving_sort": sort, "handling_sort": sort if case.handling_office_id else None}
    return record(
        **legacy,
        case_no=case.case_no,
        version=case.version,
        status=case.status.value,
        query_code=case.query_code,
        matter_id=case.matter_id,
        receiving_office_id=case.receiving_office_id,
        receiving_city=case.receiving_city,
        handling_city=case.handling_city,
        handling_office_id=case.handling_office_id,
        receiving_queue=queue_partition(case.receiving_office_id, case.case_no),
        handling_queue=queue_partition(case.handling_office_id, case.case_no) if case.handling_office_id else None,
        queue_order=f"{created}#{case.case_no}",
        applicant_sub=case.applicant.sub,
        created_at=created,
        updated_at=iso(case.updated_at),
        due_shard=sweep_shard(case.case_no) if due else None,
        due_at=iso(due) if due else None,
        body=body,
    )


def queue_partition(office_id: str, case_no: str) -> str:
    """The work-queue index partition of a case at an office: one of QUEUE_SHARDS per office, so that at
    1,000 applications a second through one office no index partition takes more than 1,000 / QUEUE_SHARDS
    entries a second. The shard is the case's for ever (a hash of its number); QUEUE_SHARDS may grow (the
    queue reads every shard up to it), never shrink."""
    return f"{office_id}#{shard_number(case_no, settings().queue_shards)}"


def from_record(rec: CaseRecord) -> Case:
    b: dict[str, Any] = rec.body
    return Case(
        case_no=rec.case_no,
        query_code=rec.query_code,
        matter_id=rec.matter_id,
        receiving_office_id=rec.receiving_office_id,
        receiving_city=rec.receiving_city,
        handling_city=rec.handling_city,
        handling_office_id=rec.handling_office_id,
        applicant=Applicant(**{"sub": rec.applicant_sub, **b["applicant"]}),
        materials=[MaterialItem(**m) for m in b.get("materials") or []],
        delivery=Delivery(**b["delivery"]),
        status=Status(rec.status),
        created_at=parse_instant(rec.created_at),
        updated_at=parse_instant(rec.updated_at),
        version=int(rec.version),
        electronic=bool(b.get("electronic")),
        missing=list(b.get("missing") or []),
        supplement_due=_pd(b.get("supplement_due")),
        accepted_at=instant_or_none(b.get("accepted_at")),
        promised_by=_pd(b.get("promised_by")),
        overdue=bool(b.get("overdue")),
        decision=b.get("decision"),
        refusal_reason=b.get("refusal_reason"),
        return_reason=b.get("return_reason"),
        receiving_reviewable_at=instant_or_none(b.get("receiving_reviewable_at")),
        handling_reviewable_at=instant_or_none(b.get("handling_reviewable_at")),
        completed_at=instant_or_none(b.get("completed_at")),
        correction_due=_pd(b.get("correction_due")),
        returned_at=instant_or_none(b.get("returned_at")),
        stage_due=instant_or_none(b.get("stage_due")),
        stage_overdue=bool(b.get("stage_overdue")),
        pickup_reminders=[parse_instant(r) for r in b.get("pickup_reminders") or []],
        reminded=list(b.get("reminded") or []),
        reshipped=list(b.get("reshipped") or []),
        licence_authorization=list(b.get("licence_authorization") or []),
        licence_unavailable=list(b.get("licence_unavailable") or []),
        requested_period=b.get("requested_period"),
        rule_check=b.get("rule_check"),
        result_licence=b.get("result_licence"),
        parcels=list(b.get("parcels") or []),
    )


def outbox_record(event: DomainEvent) -> OutboxRecord:
    """An outgoing event as stored in the outbox (kept a week: the relay reads it from the stream)."""
    return OutboxRecord(event_id=event.event_id, event_type=event.type, payload=encode(event),
                        created_at=iso(event.at), expires_at=int(time.time()) + OUTBOX_TTL_SECONDS)


# ---------------------------------------------------------------- repository


class DynamoCaseRepository(CaseRepository):
    """Cases, their timelines and idempotency claims. Writes are staged in the unit of work's transaction."""

    def __init__(self, tx: Transaction) -> None:
        self.tx = tx

    def get(self, case_no: str, consistent: bool = True) -> Case:
        if not matches(CASE_NUMBER, case_no):
            raise NotFound(f"case {case_no!r} not found")
        try:
            return from_record(CaseRecord.get(case_no, consistent_read=consistent))
        except DoesNotExist:
            raise NotFound(f"case {case_no} not found") from None

    def add(self, case: Case, change: Change, claim: tuple[str, str] | None = None) -> None:
        case.version = 1

        def taken() -> Exception:
            return Conflict("the case number or idempotency key is already taken")

        self.tx.stage(Write("put", to_record(case), CaseRecord.case_no.does_not_exist(), conflict=taken,
                            undo=lambda: setattr(case, "version", 0)))
        self._stage_events(case, change, taken)
        if claim:
            key, digest = claim
            self.tx.stage(Write("put", IdempotencyRecord(key=key, case_no=case.case_no, payload_hash=digest,
                                                         expires_at=int(time.time()) + IDEMPOTENCY_TTL_SECONDS),
                                IdempotencyRecord.key.does_not_exist(), conflict=taken))

    def update(self, case: Case, change: Change) -> None:
        lost = stage_versioned(self.tx, case, lambda: to_record(case), CaseRecord.version, f"case {case.case_no}",
                               lambda: self.get(case.case_no).status.value)
        self._stage_events(case, change, lost)

    def _stage_events(self, case: Case, change: Change, conflict: Any) -> None:
        """The change's timeline event, which is also its outbox record (adapters/event_records.py)."""
        record = CaseEventRecord(case_no=case.case_no, seq=case.version, event=timeline_entry(change, case.version))
        for name, value in relay_fields(case, change).items():
            setattr(record, name, value)
        self.tx.stage(Write("put", record, CaseEventRecord.case_no.does_not_exist(), conflict=conflict))

    def timeline(self, case_no: str) -> list[dict[str, Any]]:
        return [r.event for r in CaseEventRecord.query(case_no, scan_index_forward=True, consistent_read=True)]

    def claimed(self, idempotency_key: str) -> tuple[str | None, str | None]:
        try:
            rec = IdempotencyRecord.get(idempotency_key, consistent_read=True)
        except DoesNotExist:
            return None, None
        return rec.case_no, rec.payload_hash

    def office_queue(
        self, office_id: str, status: str | None, limit: int, cursor: dict[str, Any] | None
    ) -> tuple[list[Case], dict[str, Any] | None]:
        """Cases where the office is receiving (index 0), then handling office (index 1), oldest first.

        Each index is write-sharded: every shard is queried from the cursor's position on, the entries are
        merged in ``created_at#case_no`` order (unique: it ends with the case number), and the page's cases
        are read by key (the index holds keys only). The cursor is the index and the last entry consumed,
        so paging is exact across shards whatever the page size. The status filter applies to the cases
        read; a page reads at most QUEUE_ROUNDS rounds of entries and may come back short, with its cursor.
        """
        which = (cursor or {}).get("i", 0)
        if type(which) is not int or which not in (0, 1) or (cursor is not None and set(cursor) != {"i", "k"}):
            raise InvalidInput("cursor", NOT_OUR_CURSOR)
        if settings().queue_migration == "legacy":
            return _legacy_office_queue(office_id, status, limit, cursor)
        after = check_queue_position((cursor or {}).get("k"))
        cases: list[Case] = []
        rounds = 0
        while which < 2 and len(cases) < limit and rounds < QUEUE_ROUNDS:
            rounds += 1
            entries, exhausted = _queue_entries(which, office_id, after, limit)
            records = {r.case_no: r for r in CaseRecord.batch_get([n for n, _ in entries])} if entries else {}
            for case_no, order in entries:
                after = order
                rec = records.get(case_no)
                if rec is None:
                    continue
                case = from_record(rec)
                # The index is eventually consistent: the case read since must still be this office's.
                if (case.receiving_office_id if which == 0 else case.handling_office_id) != office_id:
                    continue
                if which == 1 and case.receiving_office_id == office_id:
                    continue  # already listed from the receiving index
                if status and case.status.value != status:
                    continue
                cases.append(case)
                if len(cases) == limit:
                    break
            else:
                if exhausted:
                    which, after = which + 1, None
        return cases, ({"i": which, "k": after} if which < 2 else None)

    def of_office(self, office_id: str) -> Iterator[Case]:
        if settings().queue_migration == "legacy":
            for index in (LegacyCaseRecord.by_receiving_office, LegacyCaseRecord.by_handling_office):
                for rec in index.query(office_id):
                    yield from_record(rec)
            return
        for which in (0, 1):
            after: str | None = None
            while True:
                entries, exhausted = _queue_entries(which, office_id, after, 100)
                if entries:
                    yield from (from_record(r) for r in CaseRecord.batch_get([n for n, _ in entries]))
                    after = entries[-1][1]
                if exhausted:
                    break

    def applicant_cases(self, applicant_sub: str, limit: int,
                        cursor: dict[str, Any] | None) -> tuple[list[Case], dict[str, Any] | None]:
        """An applicant's cases, newest first (index ``by_applicant``; the cursor must be one issued for this
        very applicant)."""
        if cursor is not None and set(cursor) != {"k"}:
            raise InvalidInput("cursor", NOT_OUR_CURSOR)
        start = check_start_key((cursor or {}).get("k"), ("applicant_sub", "created_at"), applicant_sub)
        if cursor is not None and start is None:
            raise InvalidInput("cursor", NOT_OUR_CURSOR)
        result = CaseRecord.by_applicant.query(applicant_sub, scan_index_forward=False, limit=limit,
                                               last_evaluated_key=start)
        case_nos = [rec.case_no for rec in result]
        records = {rec.case_no: rec for rec in CaseRecord.batch_get(case_nos)} if case_nos else {}
        # The index is eventually consistent: a record read since must still be this applicant's.
        cases = [from_record(records[n]) for n in case_nos
                 if n in records and records[n].applicant_sub == applicant_sub]
        last = result.last_evaluated_key
        return cases, ({"k": last} if last else None)

    def due(self, now: datetime) -> Iterator[str]:
        """Case numbers with something due at or before ``now`` (sparse index, sharded; no scan)."""
        return every_sweep_shard(lambda shard: (r.case_no for r in CaseRecord.due.query(
            str(shard), CaseRecord.due_at <= iso(now))), "cases due")


NOT_OUR_CURSOR = "is not a cursor this API issued for this listing"
QUEUE_ROUNDS = 5  # rounds of index entries a filtered work-queue page reads at most before it answers


def _queue_entries(which: int, office_id: str, after: str | None, limit: int) -> tuple[list[tuple[str, str]], bool]:
    """The first ``limit`` (case number, order) entries after ``after`` of one office's queue index, merged
    over its shards (queried at once); and whether that is every entry left."""
    index: Any = CaseRecord.by_receiving_queue if which == 0 else CaseRecord.by_handling_queue

    def query(shard: int) -> list[tuple[str, str]]:
        cond = CaseRecord.queue_order > after if after else None
        return [(rec.case_no, rec.queue_order) for rec in index.query(f"{office_id}#{shard}", range_key_condition=cond,
                                                                       limit=limit)]

    # The shards at once (a thread each): the page then costs about one round trip, not one per shard.
    got = fan_out(query, list(range(settings().queue_shards)))
    exhausted = all(len(g) < limit for g in got)
    merged = sorted((e for g in got for e in g), key=lambda entry: entry[1])
    return merged[:limit], exhausted and len(merged) <= limit


def _legacy_office_queue(office_id: str, status: str | None, limit: int,
                         cursor: dict[str, Any] | None) -> tuple[list[Case], dict[str, Any] | None]:
    """The work queue from the old indexes (``status#created_at#case_no``, ALL projected), as before the
    sharded ones, while a stage migrates (QUEUE_MIGRATION=legacy)."""
    which = (cursor or {}).get("i", 0)
    index_keys = (("receiving_office_id", "receiving_sort"), ("handling_office_id", "handling_sort"))[which]
    start = check_start_key((cursor or {}).get("k"), index_keys, office_id, f"{status}#" if status else "")
    cases: list[Case] = []
    while which < 2 and len(cases) < limit:
        index: Any = LegacyCaseRecord.by_receiving_office if which == 0 else LegacyCaseRecord.by_handling_office
        sort_attr: Any = LegacyCaseRecord.receiving_sort if which == 0 else LegacyCaseRecord.handling_sort
        cond = sort_attr.startswith(f"{status}#") if status else None
        result = index.query(office_id, range_key_condition=cond, limit=limit - len(cases), last_evaluated_key=start)
        for rec in result:
            case = from_record(rec)
            if which == 1 and case.receiving_office_id == office_id:
                continue  # already listed from the receiving index
            cases.append(case)
        start = result.last_evaluated_key
        if start is None:
            which, start = which + 1, None
    return cases, ({"i": which, "k": start} if which < 2 else None)


def check_queue_position(value: Any) -> str | None:
    """A work-queue cursor's position must be an entry's order this API wrote: ``instant#case number``."""
    if value is None:
        return None
    instant, _, case_no = value.rpartition("#") if isinstance(value, str) else ("", "", "")
    if not matches(CASE_NUMBER, case_no):
        raise InvalidInput("cursor", NOT_OUR_CURSOR)
    try:
        parse_instant(instant)
    except ValueError:
        raise InvalidInput("cursor", NOT_OUR_CURSOR) from None
    return str(value)


def check_start_key(cursor_key: Any, index_keys: tuple[str, str], partition: str,
                    sort_prefix: str = "") -> dict[str, Any] | None:
    """A cursor's start key must be one this API issued for this index, partition and filter: a forged one
    (another office's or applicant's partition, a wrong shape) is a 400 naming ``cursor``, never a peek
    elsewhere and never a 500 from DynamoDB refusing it."""
    if cursor_key is None:
        return None
    hash_attr, range_attr = index_keys
    if (not isinstance(cursor_key, dict) or set(cursor_key) != {"case_no", hash_attr, range_attr}
            or not all(isinstance(v, dict) and set(v) == {"S"} and isinstance(v["S"], str) and v["S"]
                       for v in cursor_key.values())
            or cursor_key[hash_attr]["S"] != partition
            or not cursor_key[range_attr]["S"].startswith(sort_prefix)
            or not matches(CASE_NUMBER, cursor_key["case_no"]["S"])
            or not _sort_key_of_case(range_attr, cursor_key[range_attr]["S"], cursor_key["case_no"]["S"])):
        raise InvalidInput("cursor", NOT_OUR_CURSOR)
    return cursor_key


def _sort_key_of_case(attr: str, value: str, case_no: str) -> bool:
    """The sort key is one ``to_record`` writes: an instant, or an old work queue's
    ``status#created_at#case_no``."""
    if attr == "created_at":
        try:
            parse_instant(value)
        except ValueError:
            return False
        return True
    status, _, rest = value.partition("#")
    return status in Status.__members__ and rest.endswith(f"#{case_no}")

