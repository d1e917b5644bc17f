"""Reviews (好差评): the applicant rates a stage, adds one follow-up comment; stages left unrated get the
default rating from the sweeper; supervisors list the reviews of the offices they oversee."""
from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from ..adapters.case_repository import CaseRepository
from ..adapters.models import ReviewSlotRecord
from ..adapters.reference_store import catalogue
from ..adapters.review_repository import ReviewRepository, check_start_key, outbox, shard_of
from ..domain.access import is_applicant, require_read
from ..domain.case import Actor
from ..domain.errors import Conflict, InvalidInput, NotFound, OutOfScope
from ..domain.reference import ReviewPolicy
from ..domain.reviews import (
    Review,
    Stage,
    Ticket,
    TicketStatus,
    contribution,
    default_due_at,
    default_review,
    parse_stage,
    submit_review,
)
from ..domain.workdays import CST, end_of_cst_day, iso, parse_instant, utcnow
from ..observability import logger
from .review_scope import Scope, resolve_scope
from .review_stats import parse_day

cases = CaseRepository()
store = ReviewRepository()

# The case events after which a stage can be rated: each opens the stage's default-rating slot.
SLOT_EVENTS: dict[str, Stage] = {
    "case.receive": Stage.RECEIVING,
    "case.refuse": Stage.RECEIVING,
    "case.deliver_result": Stage.HANDLING,
    "case.pickup": Stage.HANDLING,
}


def policy_for(office_id: str) -> tuple[str, ReviewPolicy]:
    """The rated office's city and that city's review policy (deadlines differ by city)."""
    cat = catalogue()
    city = cat.office(office_id).city
    return city, cat.review_policy(city)


def submit(actor: Actor, case_no: str, body: dict[str, Any], now: datetime | None = None) -> Review:
    """好差评: one review per stage; a bad one also leaves a ``review.bad`` event that opens a ticket."""
    case = cases.get(case_no)
    stage = parse_stage(body["stage"])
    at = now or utcnow()
    review = submit_review(case, actor, stage, body["rating"], list(body.get("tags") or []),
                           str(body.get("comment") or ""), at, policy_for)
    event = None
    if review.bad:
        event = outbox(f"review#{case_no}#{stage.value}", "review.bad", at, case_no=case_no, stage=stage.value,
                       office_id=review.office_id, city=review.city)
    if not store.add_review(review, contribution(review), event):
        raise Conflict(f"the {stage.value} stage of case {case_no} has already been reviewed")
    return review


def follow_up(actor: Actor, case_no: str, stage_value: str, comment: str, now: datetime | None = None) -> Review:
    """追评: the applicant adds one follow-up comment to a stage's review; the review itself never changes."""
    case = cases.get(case_no)
    if not is_applicant(actor, case):
        raise OutOfScope("only the applicant of the case can comment on its reviews")
    stage = parse_stage(stage_value)
    review = store.get_review(case_no, stage)
    if review is None:
        raise NotFound(f"the {stage.value} stage of case {case_no} has no review")
    review.add_follow_up(actor, comment, now or utcnow())
    store.add_follow_up(review)
    return review


def reviews_of_case(actor: Actor, case_no: str) -> list[tuple[Review, Ticket | None]]:
    """A case's reviews, with their tickets, for whoever may read the case."""
    require_read(actor, cases.get(case_no))
    out: list[tuple[Review, Ticket | None]] = []
    for review in store.reviews_of_case(case_no):
        out.append((review, store.get_ticket(review.ticket_id) if review.ticket_id else None))
    return out


def list_reviews(actor: Actor, city: str | None, office_id: str | None, bad: bool | None,
                 ticket_status: str | None, limit: int,
                 cursor: dict[str, Any] | None, first: str | None = None,
                 last: str | None = None) -> tuple[list[Review], dict[str, Any] | None]:
    """The reviews of the offices a supervisor oversees, newest first, across the scope's partitions; from and
    to (CST dates, inclusive) bound the review's day."""
    if ticket_status is not None and ticket_status not in TicketStatus.__members__:
        raise InvalidInput("ticket_status", f"must be one of {', '.join(TicketStatus.__members__)}")
    start_day, end_day = parse_day("from", first), parse_day("to", last)
    if start_day and end_day and start_day > end_day:
        raise InvalidInput("from", "must not be after to")
    period = (iso(datetime.combine(start_day, time.min, tzinfo=CST)) if start_day else None,
              iso(end_of_cst_day(end_day) - timedelta(seconds=1)) if end_day else None)
    scope: Scope = resolve_scope(actor, city, office_id)
    partitions = scope.review_partitions()
    which = (cursor or {}).get("p", 0)
    if not isinstance(which, int) or not 0 <= which < len(partitions):
        raise InvalidInput("cursor", "is not a cursor this API issued for this listing")
    start = check_start_key((cursor or {}).get("k"), *partitions[which])
    items: list[Review] = []
    while which < len(partitions) and len(items) < limit:
        partition, key = partitions[which]
        page, start = store.list_reviews(partition, key, limit - len(items), start, bad, ticket_status, period)
        items.extend(page)
        if start is None:
            which += 1
    next_cursor = {"p": which, "k": start} if which < len(partitions) else None
    return items, next_cursor


# ---------------------------------------------------------------- default ratings (默认评价)


def open_review_slot(event: dict[str, Any]) -> bool:
    """A stage became reviewable: remember when it falls due for the default rating. Idempotent (same
    slot however often the event arrives) and never reopened once the stage has a review."""
    stage = SLOT_EVENTS[event["type"]]
    office_id = event.get("receiving_office_id") if stage is Stage.RECEIVING else event.get("handling_office_id")
    if not office_id:
        logger.warning("reviewable stage without a rated office", extra={"case_no": event.get("case_no")})
        return False
    reviewable_at = parse_instant(event["at"])
    city, policy = policy_for(office_id)
    key = f"{event['case_no']}#{stage.value}"
    slot = ReviewSlotRecord(
        case_no=event["case_no"], stage=stage.value, office_id=office_id, city=city,
        matter_id=event.get("matter_id") or "", reviewable_at=iso(reviewable_at), due_shard=shard_of(key),
        due_at=iso(default_due_at(reviewable_at, policy)),
    )
    return store.put_slot(slot)


def sweep_default_ratings(now: datetime) -> dict[str, int]:
    """Stages still unrated when their slot falls due get the policy's default rating. A real review that
    commits first wins (both writes are conditional on the stage having no review)."""
    given = 0
    for slot in store.due_slots(now):
        _, policy = policy_for(slot.office_id)
        review = default_review(slot.case_no, Stage(slot.stage), slot.office_id, slot.city, slot.matter_id,
                                parse_instant(slot.reviewable_at), parse_instant(slot.due_at), policy)
        if store.add_review(review, contribution(review)):
            given += 1
        else:
            store.delete_slot(slot.case_no, slot.stage)
    return {"default_ratings": given}
