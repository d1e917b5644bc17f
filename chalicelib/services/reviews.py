"""Reviews (好差评): the applicant rates a stage, adds one follow-up comment; stages left unrated get the
default rating from the sweeper; supervisors list the reviews of the offices they oversee."""
from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from ..adapters.reference_store import catalogue
from ..bootstrap import unit_of_work
from ..domain.access import is_applicant, require_read
from ..domain.actor import Actor
from ..domain.errors import Duplicate, InvalidInput, NotFound, OutOfScope
from ..domain.events import CaseEvent
from ..domain.reference import ReviewPolicy
from ..domain.reviews import Review, ReviewSlot, Stage, default_due_at, default_review, parse_stage, submit_review
from ..domain.statistics import contribution
from ..domain.tickets import Ticket, TicketStatus
from ..domain.workdays import CST, end_of_cst_day, iso, utcnow
from ..observability import logger
from .commands import SubmitReview
from .review_scope import Scope, resolve_scope
from .review_stats import parse_day

# The case events after which a stage can be rated: each opens the stage's default-rating slot.
SLOT_EVENTS: dict[str, Stage] = {
    "case.receive": Stage.RECEIVING,
    "case.refuse": Stage.RECEIVING,
    "case.deliver_result": Stage.HANDLING,
    "case.pickup": Stage.HANDLING,
    "case.issue_result": Stage.HANDLING,
}


def policy_for(office_id: str) -> tuple[str, ReviewPolicy]:
    """The rated office's city and that city's review policy (deadlines differ by city)."""
    cat = catalogue()
    city = cat.office(office_id).city
    return city, cat.review_policy(city)


def submit(actor: Actor, command: SubmitReview, now: datetime | None = None) -> Review:
    """好差评: one review per stage; a bad one also leaves a ``review.bad`` event that opens a ticket."""
    with unit_of_work() as uow:
        case = uow.cases.get(command.case_no)
        stage = parse_stage(command.stage)
        review = submit_review(case, actor, stage, command.rating, list(command.tags), command.comment,
                               now or utcnow(), policy_for)
        uow.reviews.add(review, contribution(review))
        if review.bad:
            uow.outbox.add(review.bad_event())
        uow.commit()
        return review


def follow_up(actor: Actor, case_no: str, stage_value: str, comment: str, now: datetime | None = None) -> Review:
    """追评: the applicant adds one follow-up comment to a stage's review; the review itself never changes."""
    with unit_of_work() as uow:
        case = uow.cases.get(case_no)
        if not is_applicant(actor, case):
            raise OutOfScope("only the applicant of the case can comment on its reviews")
        stage = parse_stage(stage_value)
        review = uow.reviews.get(case_no, stage)
        if review is None:
            raise NotFound(f"the {stage.value} stage of case {case_no} has no review")
        review.add_follow_up(actor, comment, now or utcnow())
        uow.reviews.add_follow_up(review)
        uow.commit()
        return review


def reviews_of_case(actor: Actor, case_no: str) -> list[tuple[Review, Ticket | None]]:
    """A case's reviews, with their tickets, for whoever may read the case."""
    with unit_of_work() as uow:
        require_read(actor, uow.cases.get(case_no))
        return [(review, uow.tickets.get(review.ticket_id) if review.ticket_id else None)
                for review in uow.reviews.of_case(case_no)]


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
    start = (cursor or {}).get("k")  # the repository checks it is a position it gave for this listing
    items: list[Review] = []
    uow = unit_of_work()
    while which < len(partitions) and len(items) < limit:
        partition, key = partitions[which]
        page, start = uow.reviews.listing(partition, key, limit - len(items), start, bad, ticket_status, period)
        items.extend(page)
        if start is None:
            which += 1
    next_cursor = {"p": which, "k": start} if which < len(partitions) else None
    return items, next_cursor


# ---------------------------------------------------------------- default ratings (默认评价)


def open_review_slot(event: CaseEvent) -> bool:
    """A stage became reviewable: remember when it falls due for the default rating. Idempotent (same
    slot however often the event arrives) and never reopened once the stage has a review."""
    stage = SLOT_EVENTS[event.type]
    office_id = event.receiving_office_id if stage is Stage.RECEIVING else event.handling_office_id
    if not office_id:
        logger.warning("reviewable stage without a rated office", extra={"case_no": event.case_no})
        return False
    reviewable_at = event.at
    city, policy = policy_for(office_id)
    slot = ReviewSlot(case_no=event.case_no, stage=stage, office_id=office_id, city=city,
                      matter_id=event.matter_id or "", reviewable_at=reviewable_at,
                      due_at=default_due_at(reviewable_at, policy))
    with unit_of_work() as uow:
        uow.reviews.open_slot(slot)
        try:
            uow.commit()
        except Duplicate:
            return False
        return True


def sweep_default_ratings(now: datetime) -> dict[str, int]:
    """Stages still unrated when their slot falls due get the policy's default rating. A real review that
    commits first wins (both writes are conditional on the stage having no review)."""
    given = 0
    with unit_of_work() as uow:
        due = list(uow.reviews.due_slots(now))
    for slot in due:
        try:
            given += _default_rating(slot)
        except Exception:  # one bad slot is logged and skipped: the run goes on
            logger.exception("default rating failed for a slot", extra={"case_no": slot.case_no,
                                                                         "stage": slot.stage})
    return {"default_ratings": given}


def _default_rating(slot: Any) -> int:
    _, policy = policy_for(slot.office_id)
    review = default_review(slot.case_no, slot.stage, slot.office_id, slot.city, slot.matter_id,
                            slot.reviewable_at, slot.due_at, policy)
    with unit_of_work() as uow:
        uow.reviews.add(review, contribution(review))
        try:
            uow.commit()
            return 1
        except Duplicate:
            uow.reviews.close_slot(slot.case_no, slot.stage, review.created_at)
            uow.commit()
            return 0
