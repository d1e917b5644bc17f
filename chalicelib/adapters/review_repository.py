"""Stores reviews, review slots, tickets with their history, and the review counters.

Every write that changes what statistics count carries the counter increments in the same DynamoDB
transaction; a review is put once (attribute_not_exists), a ticket changes only at the version it was
read at, and history entries are written once.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

from pynamodb.exceptions import DoesNotExist

from ..config import settings
from ..domain.errors import Conflict, Duplicate, InvalidInput, NotFound
from ..domain.reviews import Review, ReviewSlot, Stage
from ..domain.rollups import Level, levels_of, month_end
from ..domain.statistics import COUNTERS
from ..domain.summaries import StatsSummary
from ..domain.tickets import AppealStatus, Ticket, TicketChange, TicketStatus, ticket_event, ticket_history_entry
from ..domain.workdays import iso, parse_instant
from ..services.unit_of_work import ReviewRepository, TicketRepository
from .case_repository import outbox_record
from .keys import instant_or_none, iso_or_none, shard_number, sweep_shard
from .models import (
    LegacyReviewRecord,
    ReviewRecord,
    ReviewSlotRecord,
    ReviewStatsRecord,
    TicketEventRecord,
    TicketRecord,
)
from .tables import every_sweep_shard
from .transaction import Transaction, Write, stage_versioned

# ---------------------------------------------------------------- mapping


def review_shard(case_no: str, stage: str) -> int:
    """A review's shard of the office and city listing indexes: so that at 1,000 reviews a second of one
    office no index partition takes more than 1,000 / REVIEW_SHARDS entries a second. May grow, never
    shrink (as QUEUE_SHARDS)."""
    return shard_number(f"{case_no}#{stage}", settings().review_shards)


def review_record(review: Review) -> ReviewRecord:
    shard = review_shard(review.case_no, review.stage.value)
    return ReviewRecord(
        office_shard=f"{review.office_id}#{shard}", city_shard=f"{review.city}#{shard}",
        review_order=f"{iso(review.created_at)}#{review.case_no}#{review.stage.value}",
        case_no=review.case_no, stage=review.stage.value, office_id=review.office_id, city=review.city,
        created_at=iso(review.created_at), rating=review.rating, bad=review.bad, is_default=review.default,
        tags=list(review.tags), comment=review.comment or None, matter_id=review.matter_id,
        reviewer_sub=review.reviewer_sub, reviewer_name=review.reviewer_name or None,
        reviewable_at=iso(review.reviewable_at), follow_up=review.follow_up,
        follow_up_at=iso_or_none(review.follow_up_at), ticket_id=review.ticket_id, ticket_status=review.ticket_status,
        excluded=review.excluded,
    )


def review_from(rec: ReviewRecord) -> Review:
    return Review(
        case_no=rec.case_no, stage=Stage(rec.stage), rating=int(rec.rating), tags=[str(t) for t in rec.tags or []],
        comment=rec.comment or "", office_id=rec.office_id, city=rec.city, matter_id=rec.matter_id,
        reviewer_sub=rec.reviewer_sub, reviewer_name=rec.reviewer_name or "",
        created_at=parse_instant(rec.created_at), reviewable_at=parse_instant(rec.reviewable_at),
        default=bool(rec.is_default), follow_up=rec.follow_up, follow_up_at=instant_or_none(rec.follow_up_at),
        ticket_id=rec.ticket_id, ticket_status=rec.ticket_status, excluded=bool(rec.excluded),
        ticket_escalated=bool(rec.ticket_escalated),
    )


_TICKET_TIMES = ("review_at", "opened_at", "verified_at", "rectified_at", "closed_at", "appeal_at",
                 "appeal_decided_at", "escalated_at")
_TICKET_DATES = ("verify_due", "rectify_due")
_TICKET_PLAIN = ("rating", "valid", "finding", "actions", "contacted", "satisfied", "feedback_note",
                 "appeal_grounds", "appeal_by", "appeal_note", "appeal_decided_by", "escalated", "overdue")


def ticket_record(ticket: Ticket) -> TicketRecord:
    body: dict[str, Any] = {k: iso_or_none(getattr(ticket, k)) for k in _TICKET_TIMES}
    body.update({k: getattr(ticket, k).isoformat() for k in _TICKET_DATES})
    body.update({k: getattr(ticket, k) for k in _TICKET_PLAIN})
    body["appeal_status"] = ticket.appeal_status.value
    due = ticket.next_due_at()
    province = ticket.awaits_province
    return TicketRecord(
        ticket_id=ticket.ticket_id, version=ticket.version, status=ticket.status.value, case_no=ticket.case_no,
        stage=ticket.stage.value, office_id=ticket.office_id, city=ticket.city,
        due_shard=sweep_shard(ticket.ticket_id) if due else None, due_at=iso(due) if due else None,
        escalated_city=ticket.city if province else None,
        escalated_at=iso(ticket.escalated_at or ticket.opened_at) if province else None, body=body,
    )


def ticket_from(rec: TicketRecord) -> Ticket:
    b: dict[str, Any] = rec.body
    return Ticket(
        ticket_id=rec.ticket_id, case_no=rec.case_no, stage=Stage(rec.stage), office_id=rec.office_id,
        city=rec.city, status=TicketStatus(rec.status), version=int(rec.version),
        rating=int(b["rating"]), review_at=parse_instant(b["review_at"]), opened_at=parse_instant(b["opened_at"]),
        verify_due=date.fromisoformat(b["verify_due"]), rectify_due=date.fromisoformat(b["rectify_due"]),
        valid=b.get("valid"), finding=b.get("finding"), verified_at=instant_or_none(b.get("verified_at")),
        actions=b.get("actions"), rectified_at=instant_or_none(b.get("rectified_at")), contacted=b.get("contacted"),
        satisfied=b.get("satisfied"), feedback_note=b.get("feedback_note"),
        closed_at=instant_or_none(b.get("closed_at")),
        appeal_status=AppealStatus(b.get("appeal_status", "NONE")), appeal_grounds=b.get("appeal_grounds"),
        appeal_by=b.get("appeal_by"), appeal_at=instant_or_none(b.get("appeal_at")), appeal_note=b.get("appeal_note"),
        appeal_decided_by=b.get("appeal_decided_by"), appeal_decided_at=instant_or_none(b.get("appeal_decided_at")),
        escalated=bool(b.get("escalated")), escalated_at=instant_or_none(b.get("escalated_at")),
        overdue=list(b.get("overdue") or []),
    )


# ---------------------------------------------------------------- review counters, write-sharded
#
# An office's counters are spread over STATS_SHARDS partition keys, each change ADDing to its review's
# (a hash of case and stage), and read back by summing every shard: at 1,000 reviews a second of one office
# (2,000 write units in transactions) no partition key takes more than 2,000 / STATS_SHARDS units a second.
# Shard 0's key is the bare office id, which is where every counter written before the sharding lies: old
# items need no move.
# Each change also ADDs to the office's month item (``{office}#month#{shard}``, sort key ``YYYY-MM``), so a
# period of whole months reads 12 items per shard for a year instead of every day's. A stage that counted
# before month items existed sets STATS_MONTHS_FROM (``YYYY-MM``) to the first month counted with them: the
# months before it are read from their days, so nothing has to be back-filled (infra/README.md, migration).
# The same ADDs go, in the same transaction, to the month roll-ups of the office's city and of the province
# (``city:{code}#month#{shard}``, ``province:440000#month#{shard}``: domain/rollups.py), on the same shard:
# a city's or the province's year is 12 items a shard, whatever the number of offices. A stage that counted
# before roll-ups existed back-fills them from its offices' month totals (tools/backfill_rollups.py).


# The statistics snapshot (domain/summaries.py) is one item beside the counters: its key is never an office's.
SUMMARY_KEY = ("summary:province", "latest")

logger = logging.getLogger(__name__)

FIRST_STATS_YEAR = 2000  # no review is older (services/review_stats.py bounds periods the same way)


def day_partition(office_id: str, shard: int) -> str:
    return office_id if shard == 0 else f"{office_id}#{shard}"


def month_partition(office_id: str, shard: int) -> str:
    return f"{office_id}#month#{shard}"


def rollup_partition(level: Level, shard: int) -> str:
    return f"{level.name}#month#{shard}"


def stats_shard(review_key: str) -> int:
    return shard_number(review_key, settings().stats_shards)


def _count_update(office_id: str, city: str, day: date, counts: Mapping[str, int],
                  review_key: str) -> list[Write]:
    """The day's and the month's ADDs of one change, and its city's and province's month roll-ups, on the
    shard of the review they count (a hash of ``case_no#stage``: reviews spread evenly, and the same changes
    always land on the same items, which the reliability proofs compare run against run). Staged in the
    change's own transaction: every level counts a change once, or none does."""
    if not any(counts.values()):
        return []
    shard = stats_shard(review_key)
    month = day.isoformat()[:7]
    keys = [(day_partition(office_id, shard), day.isoformat())]
    if month >= settings().stats_months_from:  # see months_from
        keys.append((month_partition(office_id, shard), month))
    keys.extend((rollup_partition(level, shard), month) for level in levels_of(city))
    return [Write("update", ReviewStatsRecord(office_id=partition, day=sort_key),
                  actions=[getattr(ReviewStatsRecord, k).add(v) for k, v in counts.items() if v])
            for partition, sort_key in keys]


def _add(into: dict[str, dict[str, int]], key: str, rec: ReviewStatsRecord) -> None:
    row = into.setdefault(key, dict.fromkeys(COUNTERS, 0))
    for k in COUNTERS:
        row[k] += int(getattr(rec, k) or 0)


def slot_record(slot: ReviewSlot) -> ReviewSlotRecord:
    return ReviewSlotRecord(
        case_no=slot.case_no, stage=slot.stage.value, office_id=slot.office_id, city=slot.city,
        matter_id=slot.matter_id, reviewable_at=iso(slot.reviewable_at),
        due_shard=sweep_shard(f"{slot.case_no}#{slot.stage.value}"), due_at=iso(slot.due_at),
    )


# How long a closed slot is kept (TTL): longer than any path that can bring a slot-opening event again (the
# outbox keeps events a week, the queues and their dead-letter queues 14 days), so that none reopens the
# slot of a reviewed stage. A later one would open a slot the sweeper closes when it falls due, without a
# second rating (the default review is conditional on the stage having none).
SLOT_CLOSED_DAYS = 30


def closed_slot_record(case_no: str, stage: Stage, at: datetime) -> ReviewSlotRecord:
    """The slot of a reviewed stage: its key, when it closed and when it expires; in no index."""
    return ReviewSlotRecord(case_no=case_no, stage=stage.value, closed_at=iso(at),
                            expires_at=int((at + timedelta(days=SLOT_CLOSED_DAYS)).timestamp()))


def slot_from(rec: ReviewSlotRecord) -> ReviewSlot:
    return ReviewSlot(case_no=rec.case_no, stage=Stage(rec.stage), office_id=rec.office_id, city=rec.city,
                      matter_id=rec.matter_id, reviewable_at=parse_instant(rec.reviewable_at),
                      due_at=parse_instant(rec.due_at))


def _between(attribute: Any, first: str | None, last: str | None) -> Any:
    """The range-key condition from ``first`` to ``last`` (either end open; both open: None, the whole
    partition)."""
    if first and last:
        return attribute.between(first, last)
    if first:
        return attribute >= first
    if last:
        return attribute <= last
    return None


def _listing_filter(bad: bool | None, ticket_status: str | None) -> Any:
    """The filter of a review listing: bad or not, and the ticket's status (None: no filter)."""
    cond: Any = None
    if bad is not None:
        cond = ReviewRecord.bad == bad
    if ticket_status is not None:
        status_cond = ReviewRecord.ticket_status == ticket_status
        cond = status_cond if cond is None else cond & status_cond
    return cond


# ---------------------------------------------------------------- repositories


class DynamoReviewRepository(ReviewRepository):
    """Reviews, slots and counters; the only code that writes review counters (with tickets below)."""

    def __init__(self, tx: Transaction) -> None:
        self.tx = tx

    def get(self, case_no: str, stage: Stage) -> Review | None:
        try:
            return review_from(ReviewRecord.get(case_no, stage.value, consistent_read=True))
        except DoesNotExist:
            return None

    def of_case(self, case_no: str) -> list[Review]:
        return [review_from(r) for r in ReviewRecord.query(case_no, consistent_read=True)]

    def add(self, review: Review, counts: Mapping[str, int]) -> None:
        def reviewed() -> Exception:
            return Duplicate(f"the {review.stage.value} stage of case {review.case_no} has already been reviewed")

        self.tx.stage(Write("put", review_record(review), ReviewRecord.case_no.does_not_exist(), conflict=reviewed))
        for update in _count_update(review.office_id, review.city, review.day, counts,
                                    f"{review.case_no}#{review.stage.value}"):
            self.tx.stage(update)
        self.tx.stage(Write("put", closed_slot_record(review.case_no, review.stage, review.created_at)))

    def add_follow_up(self, review: Review) -> None:
        self.tx.stage(Write(
            "update", ReviewRecord(case_no=review.case_no, stage=review.stage.value),
            ReviewRecord.case_no.exists() & ReviewRecord.follow_up.does_not_exist(),
            actions=[ReviewRecord.follow_up.set(review.follow_up or ""),
                     ReviewRecord.follow_up_at.set(iso_or_none(review.follow_up_at) or "")],
            conflict=lambda: Conflict("this review already has its follow-up comment"),
        ))

    def listing(self, partition: str, key: str, limit: int, start: Any,
                bad: bool | None, ticket_status: str | None,
                period: tuple[str | None, str | None] = (None, None)) -> tuple[list[Review], Any]:
        """Newest first, from the by-office or by-city index (``key`` is office_id or city), within the period
        of ``created_at`` instants (either end open). The index is write-sharded: every shard is read from
        ``start`` (the last review listed: ``created_at#case_no#stage``) on and merged; returns the page
        and the position to go on from (None: no more)."""
        if settings().queue_migration == "legacy":
            return _legacy_listing(partition, key, limit, check_start_key(start, partition, key), bad,
                                   ticket_status, period)
        after = check_review_position(start)
        index: Any = ReviewRecord.by_office if partition == "office_id" else ReviewRecord.by_city
        first, last = period
        upper = after or ((last or "9999") + "#\uffff")
        cond = ReviewRecord.review_order.between(first or "0", upper)  # a key value may not be empty
        filt = _listing_filter(bad, ticket_status)
        merged: list[ReviewRecord] = []
        exhausted = True
        for shard in range(settings().review_shards):
            got = [r for r in index.query(f"{key}#{shard}", range_key_condition=cond, filter_condition=filt,
                                          scan_index_forward=False, limit=limit + 1, page_size=max(limit, 25))
                   if r.review_order != after][:limit]
            exhausted = exhausted and len(got) < limit
            merged.extend(got)
        merged.sort(key=lambda r: r.review_order, reverse=True)
        page = merged[:limit]
        more = not exhausted or len(merged) > limit
        return [review_from(r) for r in page], (page[-1].review_order if more and page else None)

    def open_slot(self, slot: ReviewSlot) -> None:
        """One put conditional on the slot's own item: it exists if the slot is open already (a redelivered
        event) or closed by the stage's review (written in the review's transaction)."""
        self.tx.stage(Write("put", slot_record(slot), ReviewSlotRecord.case_no.does_not_exist(),
                            conflict=lambda: Duplicate(f"the {slot.stage.value} stage has its slot already, "
                                                       "open or closed by its review")))

    def due_slots(self, now: datetime) -> Iterator[ReviewSlot]:
        return every_sweep_shard(lambda shard: (slot_from(r) for r in ReviewSlotRecord.due.query(
            str(shard), ReviewSlotRecord.due_at <= iso(now))), "review slots due")

    def close_slot(self, case_no: str, stage: Stage, at: datetime) -> None:
        self.tx.stage(Write("put", closed_slot_record(case_no, stage, at)))

    def daily_counts(self, office_id: str, first: date | None, last: date | None) -> dict[str, dict[str, int]]:
        """The office's counters per CST day (``YYYY-MM-DD``) from ``first`` to ``last`` (either open): one
        query per shard, the shards summed."""
        first_key, last_key = (first.isoformat() if first else None), (last.isoformat() if last else None)
        out: dict[str, dict[str, int]] = {}
        for shard in range(settings().stats_shards):
            for rec in self._range(day_partition(office_id, shard), first_key, last_key):
                _add(out, rec.day, rec)
        return dict(sorted(out.items()))

    def monthly_counts(self, office_id: str, first: date | None, last: date | None) -> dict[str, dict[str, int]]:
        return self.monthly_counts_of([office_id], first, last)[office_id]

    def monthly_counts_of(self, office_ids: list[str], first: date | None,
                          last: date | None) -> dict[str, dict[str, dict[str, int]]]:
        """Per office, per CST month (``YYYY-MM``): the months the period covers whole from the month items,
        the partial months at its ends (and months before STATS_MONTHS_FROM) from the day items. A bounded
        period is read by key (BatchGetItem, 100 keys a request, every office at once: a year of four
        offices is a few requests); an open one by a query per office and shard."""
        out: dict[str, dict[str, dict[str, int]]] = {oid: {} for oid in office_ids}
        if first is None or last is None:
            for oid in office_ids:
                for day, counts in self.daily_counts(oid, first, last).items():
                    row = out[oid].setdefault(day[:7], dict.fromkeys(COUNTERS, 0))
                    for k in COUNTERS:
                        row[k] += counts[k]
            return out
        cutoff = settings().stats_months_from
        keys: dict[tuple[str, str], str] = {}  # (partition, sort key) -> office
        at: date = first
        while at <= last:
            last_day = month_end(at)
            if at.day == 1 and last_day <= last and at.isoformat()[:7] >= cutoff:
                sort_key, partition, at = at.isoformat()[:7], month_partition, last_day + timedelta(days=1)
            else:
                sort_key, partition, at = at.isoformat(), day_partition, at + timedelta(days=1)
            for oid in office_ids:
                for shard in range(settings().stats_shards):
                    keys[(partition(oid, shard), sort_key)] = oid
        for rec in ReviewStatsRecord.batch_get(list(keys)):
            _add(out[keys[(rec.office_id, rec.day)]], rec.day[:7], rec)
        return {oid: dict(sorted(months.items())) for oid, months in out.items()}

    def rollup_counts(self, level: Level, months: list[str]) -> dict[str, dict[str, int]]:
        """The level's roll-up per month (``YYYY-MM``) of ``months``, its shards summed: read by key
        (BatchGetItem), months × STATS_SHARDS items whatever the number of offices. A month with no item has
        nothing counted (all zero)."""
        out = {m: dict.fromkeys(COUNTERS, 0) for m in months}
        keys = [(rollup_partition(level, shard), m) for m in months for shard in range(settings().stats_shards)]
        for rec in ReviewStatsRecord.batch_get(keys):
            _add(out, rec.day, rec)
        return out

    def summary(self) -> StatsSummary | None:
        try:
            rec = ReviewStatsRecord.get(*SUMMARY_KEY)
        except DoesNotExist:
            return None
        try:
            body = json.loads(rec.summary or "")
            return StatsSummary(
                as_of=parse_instant(rec.as_of or ""), months=tuple(str(m) for m in body["months"]),
                offices={str(oid): {str(m): dict(zip(COUNTERS, (int(v) for v in row), strict=True))
                                    for m, row in months.items()} for oid, months in body["offices"].items()})
        except (ValueError, TypeError, KeyError, AttributeError):
            logger.warning("statistics snapshot unreadable; statistics are read live", exc_info=True)
            return None

    def save_summary(self, summary: StatsSummary) -> None:
        body = {"months": list(summary.months),
                "offices": {oid: {m: [counts.get(k, 0) for k in COUNTERS] for m, counts in months.items()}
                            for oid, months in summary.offices.items()}}
        taken = summary.as_of.astimezone(UTC).isoformat(timespec="microseconds")  # runs a second apart stay ordered
        self.tx.stage(Write("put", ReviewStatsRecord(office_id=SUMMARY_KEY[0], day=SUMMARY_KEY[1], as_of=taken,
                                                     summary=json.dumps(body, separators=(",", ":"))),
                            ReviewStatsRecord.office_id.does_not_exist() | (ReviewStatsRecord.as_of < taken),
                            conflict=lambda: Duplicate("a later statistics snapshot is stored")))

    @staticmethod
    def _range(partition: str, first: str | None, last: str | None) -> Iterator[ReviewStatsRecord]:
        yield from ReviewStatsRecord.query(partition, range_key_condition=_between(ReviewStatsRecord.day, first, last))


class DynamoTicketRepository(TicketRepository):
    """Tickets and their history. A ticket changes only at the version it was read at; each step writes
    its history entry once, its outgoing event, the review's ticket fields and the counter changes."""

    def __init__(self, tx: Transaction) -> None:
        self.tx = tx

    def get(self, ticket_id: str) -> Ticket:
        try:
            return ticket_from(TicketRecord.get(ticket_id, consistent_read=True))
        except DoesNotExist:
            raise NotFound(f"ticket {ticket_id} not found") from None

    def add(self, ticket: Ticket, change: TicketChange, counts: Mapping[str, int]) -> None:
        ticket.version = 1

        def exists() -> Exception:
            return Duplicate(f"ticket {ticket.ticket_id} exists already")

        self.tx.stage(Write("put", ticket_record(ticket), TicketRecord.ticket_id.does_not_exist(),
                            conflict=exists, undo=lambda: setattr(ticket, "version", 0)))
        self._stage_change(ticket, change, counts, exists, first=True)

    def update(self, ticket: Ticket, change: TicketChange, counts: Mapping[str, int]) -> None:
        lost = stage_versioned(self.tx, ticket, lambda: ticket_record(ticket), TicketRecord.version,
                               f"ticket {ticket.ticket_id}", lambda: self.get(ticket.ticket_id).status.value)
        self._stage_change(ticket, change, counts, lost)

    def _stage_change(self, ticket: Ticket, change: TicketChange, counts: Mapping[str, int],
                      conflict: Callable[[], Exception], first: bool = False) -> None:
        entry = ticket_history_entry(change, ticket.version)
        self.tx.stage(Write("put", TicketEventRecord(ticket_id=ticket.ticket_id, seq=ticket.version, event=entry),
                            TicketEventRecord.ticket_id.does_not_exist(), conflict=conflict))
        self.tx.stage(Write("put", outbox_record(ticket_event(ticket, change))))
        self.tx.stage(Write(
            "update", ReviewRecord(case_no=ticket.case_no, stage=ticket.stage.value),
            # The review names its one ticket: a second ticket for the same review (a redelivered bad review,
            # its id being opaque) fails here; a step must be on the ticket the review names.
            ReviewRecord.case_no.exists() & (ReviewRecord.ticket_id.does_not_exist() if first
                                             else ReviewRecord.ticket_id == ticket.ticket_id),
            actions=[ReviewRecord.ticket_id.set(ticket.ticket_id), ReviewRecord.ticket_status.set(ticket.status.value),
                     ReviewRecord.excluded.set(ticket.excluded),
                     ReviewRecord.ticket_escalated.set(ticket.escalated)],
            conflict=lambda: self._review_conflict(ticket),
        ))
        for update in _count_update(ticket.office_id, ticket.city, ticket.review_day, counts,
                                    f"{ticket.case_no}#{ticket.stage.value}"):
            self.tx.stage(update)

    @staticmethod
    def _review_conflict(ticket: Ticket) -> Exception:
        try:
            named = ReviewRecord.get(ticket.case_no, ticket.stage.value, consistent_read=True).ticket_id
        except DoesNotExist:
            return NotFound(f"no review for {ticket.case_no} {ticket.stage.value}")
        return Duplicate(f"the review has its ticket already ({named})")

    def history(self, ticket_id: str) -> list[dict[str, Any]]:
        return [r.event for r in TicketEventRecord.query(ticket_id, scan_index_forward=True, consistent_read=True)]

    def due(self, now: datetime) -> Iterator[str]:
        return every_sweep_shard(lambda shard: (r.ticket_id for r in TicketRecord.due.query(
            str(shard), TicketRecord.due_at <= iso(now))), "tickets due")

    def escalated(self, city: str, limit: int,
                  start: dict[str, Any] | None) -> tuple[list[Ticket], dict[str, Any] | None]:
        result = TicketRecord.escalated.query(city, scan_index_forward=True, limit=limit,
                                              last_evaluated_key=start, page_size=max(limit, 25))
        items = [ticket_from(r) for r in result]
        return items, result.last_evaluated_key


def check_escalated_start(cursor_key: Any, city: str) -> dict[str, Any] | None:
    """An escalated-tickets cursor must be one this API issued for this city's partition."""
    if cursor_key is None:
        return None
    if (not isinstance(cursor_key, dict) or set(cursor_key) != {"ticket_id", "escalated_city", "escalated_at"}
            or not all(isinstance(v, dict) and set(v) == {"S"} and isinstance(v["S"], str)
                       for v in cursor_key.values())
            or cursor_key["escalated_city"]["S"] != city):
        raise InvalidInput("cursor", "is not a cursor this API issued for this listing")
    return cursor_key


def check_review_position(value: Any) -> str | None:
    """A review listing's position must be a review's order this API wrote: ``instant#case_no#stage``."""
    if value is None:
        return None
    parts = value.split("#") if isinstance(value, str) else []
    if len(parts) != 3 or parts[2] not in {s.value for s in Stage}:
        raise InvalidInput("cursor", "is not a cursor this API issued for this listing")
    try:
        parse_instant(parts[0])
    except ValueError:
        raise InvalidInput("cursor", "is not a cursor this API issued for this listing") from None
    return str(value)


def _legacy_listing(partition: str, key: str, limit: int, start: dict[str, Any] | None, bad: bool | None,
                    ticket_status: str | None,
                    period: tuple[str | None, str | None]) -> tuple[list[Review], dict[str, Any] | None]:
    """The listing from the indexes before the sharded ones, while a stage migrates."""
    index: Any = LegacyReviewRecord.legacy_by_office if partition == "office_id" else LegacyReviewRecord.legacy_by_city
    result = index.query(key, range_key_condition=_between(ReviewRecord.created_at, *period),
                         filter_condition=_listing_filter(bad, ticket_status), scan_index_forward=False,
                         limit=limit, last_evaluated_key=start, page_size=max(limit, 25))
    items = [review_from(r) for r in result]
    return items, result.last_evaluated_key


def check_start_key(cursor_key: Any, partition: str, key: str) -> dict[str, Any] | None:
    """A listing cursor must be one this API issued for this very partition (no peeking elsewhere)."""
    if cursor_key is None:
        return None
    expected = {"case_no", "stage", "created_at", partition}
    if (not isinstance(cursor_key, dict) or set(cursor_key) != expected
            or not all(isinstance(v, dict) and set(v) == {"S"} and isinstance(v["S"], str)
                       for v in cursor_key.values())
            or cursor_key[partition]["S"] != key):
        raise InvalidInput("cursor", "is not a cursor this API issued for this listing")
    return cursor_key
