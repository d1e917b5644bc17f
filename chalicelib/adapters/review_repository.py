"""Stores reviews, review slots, tickets with their history, and the review counters.

Every write that changes what statistics count carries the counter increments in the same DynamoDB
transaction; a review is put once (attribute_not_exists), a ticket changes only at the version it was
read at, and history entries are written once.
"""
from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from typing import Any

from pynamodb.exceptions import DoesNotExist, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from ..config import settings
from ..domain.errors import ConcurrentUpdate, Conflict, InvalidInput, NotFound
from ..domain.reviews import (
    COUNTERS,
    AppealStatus,
    Review,
    Stage,
    Ticket,
    TicketChange,
    TicketStatus,
    ticket_history_entry,
)
from ..domain.workdays import iso, parse_instant
from .case_repository import OUTBOX_TTL_SECONDS, connection
from .models import (
    OutboxRecord,
    ReviewRecord,
    ReviewSlotRecord,
    ReviewStatsRecord,
    TicketEventRecord,
    TicketRecord,
)
from .tables import condition_failed


def shard_of(key: str) -> str:
    return str(int(hashlib.sha1(key.encode()).hexdigest(), 16) % settings().sweep_shards)  # noqa: S324


def _pt(value: str | None) -> datetime | None:
    return parse_instant(value) if value else None


def _t(value: datetime | None) -> str | None:
    return iso(value) if value else None


def _cancelled_by_condition(err: TransactWriteError) -> bool:
    return any(getattr(r, "code", None) == "ConditionalCheckFailed" for r in (err.cancellation_reasons or []))


# ---------------------------------------------------------------- mapping


def review_record(review: Review) -> ReviewRecord:
    return ReviewRecord(
        case_no=review.case_no, stage=review.stage.value, office_id=review.office_id, city=review.city,
        created_at=iso(review.created_at), rating=review.rating, bad=review.bad, is_default=review.default,
        tags=list(review.tags), comment=review.comment or None, matter_id=review.matter_id,
        reviewer_sub=review.reviewer_sub, reviewer_name=review.reviewer_name or None,
        reviewable_at=iso(review.reviewable_at), follow_up=review.follow_up,
        follow_up_at=_t(review.follow_up_at), ticket_id=review.ticket_id, ticket_status=review.ticket_status,
        excluded=review.excluded,
    )


def review_from(rec: ReviewRecord) -> Review:
    return Review(
        case_no=rec.case_no, stage=Stage(rec.stage), rating=int(rec.rating), tags=[str(t) for t in rec.tags or []],
        comment=rec.comment or "", office_id=rec.office_id, city=rec.city, matter_id=rec.matter_id,
        reviewer_sub=rec.reviewer_sub, reviewer_name=rec.reviewer_name or "",
        created_at=parse_instant(rec.created_at), reviewable_at=parse_instant(rec.reviewable_at),
        default=bool(rec.is_default), follow_up=rec.follow_up, follow_up_at=_pt(rec.follow_up_at),
        ticket_id=rec.ticket_id, ticket_status=rec.ticket_status, excluded=bool(rec.excluded),
    )


_TICKET_TIMES = ("review_at", "opened_at", "verified_at", "rectified_at", "closed_at", "appeal_at",
                 "appeal_decided_at")
_TICKET_DATES = ("verify_due", "rectify_due")
_TICKET_PLAIN = ("rating", "valid", "finding", "actions", "contacted", "satisfied", "feedback_note",
                 "appeal_grounds", "appeal_by", "appeal_note", "appeal_decided_by", "escalated", "overdue")


def ticket_record(ticket: Ticket) -> TicketRecord:
    body: dict[str, Any] = {k: _t(getattr(ticket, k)) for k in _TICKET_TIMES}
    body.update({k: getattr(ticket, k).isoformat() for k in _TICKET_DATES})
    body.update({k: getattr(ticket, k) for k in _TICKET_PLAIN})
    body["appeal_status"] = ticket.appeal_status.value
    due = ticket.next_due_at()
    return TicketRecord(
        ticket_id=ticket.ticket_id, version=ticket.version, status=ticket.status.value, case_no=ticket.case_no,
        stage=ticket.stage.value, office_id=ticket.office_id, city=ticket.city,
        due_shard=shard_of(ticket.ticket_id) if due else None, due_at=iso(due) if due else None, body=body,
    )


def ticket_from(rec: TicketRecord) -> Ticket:
    b: dict[str, Any] = rec.body
    return Ticket(
        ticket_id=rec.ticket_id, case_no=rec.case_no, stage=Stage(rec.stage), office_id=rec.office_id,
        city=rec.city, status=TicketStatus(rec.status), version=int(rec.version),
        rating=int(b["rating"]), review_at=parse_instant(b["review_at"]), opened_at=parse_instant(b["opened_at"]),
        verify_due=date.fromisoformat(b["verify_due"]), rectify_due=date.fromisoformat(b["rectify_due"]),
        valid=b.get("valid"), finding=b.get("finding"), verified_at=_pt(b.get("verified_at")),
        actions=b.get("actions"), rectified_at=_pt(b.get("rectified_at")), contacted=b.get("contacted"),
        satisfied=b.get("satisfied"), feedback_note=b.get("feedback_note"), closed_at=_pt(b.get("closed_at")),
        appeal_status=AppealStatus(b.get("appeal_status", "NONE")), appeal_grounds=b.get("appeal_grounds"),
        appeal_by=b.get("appeal_by"), appeal_at=_pt(b.get("appeal_at")), appeal_note=b.get("appeal_note"),
        appeal_decided_by=b.get("appeal_decided_by"), appeal_decided_at=_pt(b.get("appeal_decided_at")),
        escalated=bool(b.get("escalated")), overdue=list(b.get("overdue") or []),
    )


def outbox(event_id: str, event_type: str, at: datetime, **payload: Any) -> OutboxRecord:
    body = {"event_id": event_id, "type": event_type, "at": iso(at), **payload}
    return OutboxRecord(event_id=event_id, event_type=event_type, payload=body, created_at=iso(at),
                        expires_at=int(time.time()) + OUTBOX_TTL_SECONDS)


def _add_counts(tx: TransactWrite, office_id: str, day: date, counts: Mapping[str, int]) -> None:
    actions = [getattr(ReviewStatsRecord, k).add(v) for k, v in counts.items() if v]
    if actions:
        tx.update(ReviewStatsRecord(office_id=office_id, day=day.isoformat()), actions=actions,
                  add_version_condition=False)


# ---------------------------------------------------------------- repository


class ReviewRepository:
    """Load and store reviews and tickets; the only code that writes review counters."""

    # ------------------------------------------------------------ reviews

    def get_review(self, case_no: str, stage: Stage) -> Review | None:
        try:
            return review_from(ReviewRecord.get(case_no, stage.value, consistent_read=True))
        except DoesNotExist:
            return None

    def reviews_of_case(self, case_no: str) -> list[Review]:
        return [review_from(r) for r in ReviewRecord.query(case_no, consistent_read=True)]

    def add_review(self, review: Review, counts: Mapping[str, int], event: OutboxRecord | None = None) -> bool:
        """Put a review unless the stage has one; its counters, outgoing event and the removal of the
        stage's pending slot commit with it. Returns False when the stage was already reviewed."""
        try:
            with TransactWrite(connection=connection()) as tx:
                tx.save(review_record(review), condition=ReviewRecord.case_no.does_not_exist())
                _add_counts(tx, review.office_id, review.day, counts)
                if event is not None:
                    tx.save(event)
                tx.delete(ReviewSlotRecord(case_no=review.case_no, stage=review.stage.value),
                          add_version_condition=False)
        except TransactWriteError as err:
            if _cancelled_by_condition(err):
                return False
            raise
        return True

    def add_follow_up(self, review: Review) -> None:
        """The one follow-up comment (追评): set only where none exists yet."""
        rec = ReviewRecord(case_no=review.case_no, stage=review.stage.value)
        try:
            rec.update(
                actions=[ReviewRecord.follow_up.set(review.follow_up or ""),
                         ReviewRecord.follow_up_at.set(_t(review.follow_up_at) or "")],
                condition=ReviewRecord.case_no.exists() & ReviewRecord.follow_up.does_not_exist(),
                add_version_condition=False,
            )
        except UpdateError as err:
            if condition_failed(err):
                raise Conflict("this review already has its follow-up comment") from err
            raise

    def list_reviews(self, partition: str, key: str, limit: int, start: dict[str, Any] | None,
                     bad: bool | None, ticket_status: str | None) -> tuple[list[Review], dict[str, Any] | None]:
        """Newest first, from the by-office or by-city index (``key`` is office_id or city)."""
        index: Any = ReviewRecord.by_office if partition == "office_id" else ReviewRecord.by_city
        cond = None
        if bad is not None:
            cond = ReviewRecord.bad == bad
        if ticket_status is not None:
            status_cond = ReviewRecord.ticket_status == ticket_status
            cond = status_cond if cond is None else cond & status_cond
        result = index.query(key, filter_condition=cond, scan_index_forward=False, limit=limit,
                             last_evaluated_key=start, page_size=max(limit, 25))
        items = [review_from(r) for r in result]
        return items, result.last_evaluated_key

    # ------------------------------------------------------------ slots (default ratings)

    def put_slot(self, slot: ReviewSlotRecord) -> bool:
        """Record a stage awaiting its default rating, unless the stage was reviewed already."""
        try:
            with TransactWrite(connection=connection()) as tx:
                tx.condition_check(ReviewRecord, slot.case_no, slot.stage,
                                   condition=ReviewRecord.case_no.does_not_exist())
                tx.save(slot)
        except TransactWriteError as err:
            if _cancelled_by_condition(err):
                return False
            raise
        return True

    def due_slots(self, now: datetime) -> Iterator[ReviewSlotRecord]:
        for shard in range(settings().sweep_shards):
            yield from ReviewSlotRecord.due.query(str(shard), ReviewSlotRecord.due_at <= iso(now))

    def delete_slot(self, case_no: str, stage: str) -> None:
        ReviewSlotRecord(case_no=case_no, stage=stage).delete(add_version_condition=False)

    # ------------------------------------------------------------ tickets

    def get_ticket(self, ticket_id: str) -> Ticket:
        try:
            return ticket_from(TicketRecord.get(ticket_id, consistent_read=True))
        except DoesNotExist:
            raise NotFound(f"ticket {ticket_id} not found") from None

    def open_ticket(self, ticket: Ticket, change: TicketChange, counts: Mapping[str, int]) -> bool:
        """Create the ticket of a bad review once: False when it exists already (a redelivered message)."""
        ticket.version = 1
        try:
            with TransactWrite(connection=connection()) as tx:
                tx.save(ticket_record(ticket), condition=TicketRecord.ticket_id.does_not_exist())
                self._write_change(tx, ticket, change, counts)
        except TransactWriteError as err:
            ticket.version = 0
            if _cancelled_by_condition(err):
                return False
            raise
        return True

    def commit_ticket(self, ticket: Ticket, change: TicketChange, counts: Mapping[str, int]) -> None:
        """Commit one step if the ticket is still at the version it was read at (else 409 for the loser)."""
        expected = ticket.version
        ticket.version = expected + 1
        try:
            with TransactWrite(connection=connection()) as tx:
                tx.save(ticket_record(ticket), condition=TicketRecord.version == expected)
                self._write_change(tx, ticket, change, counts)
        except TransactWriteError as err:
            ticket.version = expected
            if _cancelled_by_condition(err):
                current = self.get_ticket(ticket.ticket_id)
                raise ConcurrentUpdate(
                    f"ticket {ticket.ticket_id} was changed by someone else; it is now {current.status.value}",
                    current_status=current.status.value,
                ) from err
            raise

    @staticmethod
    def _write_change(tx: TransactWrite, ticket: Ticket, change: TicketChange, counts: Mapping[str, int]) -> None:
        entry = ticket_history_entry(change, ticket.version)
        tx.save(TicketEventRecord(ticket_id=ticket.ticket_id, seq=ticket.version, event=entry),
                condition=TicketEventRecord.ticket_id.does_not_exist())
        tx.save(outbox(f"{ticket.ticket_id}#{ticket.version}", change.event_type, change.at,
                       ticket_id=ticket.ticket_id, case_no=ticket.case_no, stage=ticket.stage.value,
                       office_id=ticket.office_id, city=ticket.city, status=ticket.status.value,
                       version=ticket.version, details=change.details))
        tx.update(ReviewRecord(case_no=ticket.case_no, stage=ticket.stage.value),
                  actions=[ReviewRecord.ticket_id.set(ticket.ticket_id),
                           ReviewRecord.ticket_status.set(ticket.status.value),
                           ReviewRecord.excluded.set(ticket.excluded)],
                  condition=ReviewRecord.case_no.exists(), add_version_condition=False)
        _add_counts(tx, ticket.office_id, ticket.review_day, counts)

    def history(self, ticket_id: str) -> list[dict[str, Any]]:
        return [r.event for r in TicketEventRecord.query(ticket_id, scan_index_forward=True, consistent_read=True)]

    def due_tickets(self, now: datetime) -> Iterator[str]:
        for shard in range(settings().sweep_shards):
            for rec in TicketRecord.due.query(str(shard), TicketRecord.due_at <= iso(now)):
                yield rec.ticket_id

    # ------------------------------------------------------------ statistics

    def counts(self, office_id: str, first: date | None, last: date | None) -> dict[str, int]:
        """The office's counters summed over the CST days from ``first`` to ``last`` (either open)."""
        total = dict.fromkeys(COUNTERS, 0)
        for counts in self.daily_counts(office_id, first, last).values():
            for k in COUNTERS:
                total[k] += counts[k]
        return total

    def daily_counts(self, office_id: str, first: date | None, last: date | None) -> dict[str, dict[str, int]]:
        """The office's counters per CST day (``YYYY-MM-DD``) from ``first`` to ``last`` (either open): one
        query, whatever the grouping the caller makes of the days."""
        if first and last:
            cond: Any = ReviewStatsRecord.day.between(first.isoformat(), last.isoformat())
        elif first:
            cond = ReviewStatsRecord.day >= first.isoformat()
        elif last:
            cond = ReviewStatsRecord.day <= last.isoformat()
        else:
            cond = None
        return {rec.day: {k: int(getattr(rec, k) or 0) for k in COUNTERS}
                for rec in ReviewStatsRecord.query(office_id, range_key_condition=cond)}


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
