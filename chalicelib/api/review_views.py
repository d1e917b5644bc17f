"""Response shapes of reviews and tickets. The reviewer's identity (sub, name) is shown only to the
supervisors who oversee the rated office; its staff see the review without it, and the citizen's free text
with phone and identity numbers masked (a reviewer may type them into a comment). A ticket read by the
rated office's staff carries no case number either."""
from __future__ import annotations

from typing import Any

from ..adapters.reference_store import catalogue
from ..domain.access import supervises_city
from ..domain.actor import Actor, Role
from ..domain.identity import scrub
from ..domain.reviews import RATING_LABELS, Review
from ..domain.tickets import Ticket, TicketStatus
from ..domain.workdays import add_working_days, cst_date, iso, utcnow, working_days_left

_DONE = {TicketStatus.CLOSED.value, TicketStatus.EXPLAINED.value}


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    return value.isoformat() if not hasattr(value, "tzinfo") else iso(value)


def review_view(review: Review, with_reviewer: bool, owner: bool = False) -> dict[str, Any]:
    """``with_reviewer``: the reader supervises the rated office (sees who rated and what they wrote);
    ``owner``: the reader is the reviewer. Anyone else reads the free text with numbers masked."""
    clear = with_reviewer or owner
    view: dict[str, Any] = {
        "case_no": review.case_no,
        "stage": review.stage.value,
        "rating": review.rating,
        "rating_label": RATING_LABELS[review.rating],
        "bad": review.bad,
        "default": review.default,
        "tags": list(review.tags),
        "comment": review.comment if clear or not review.comment else scrub(review.comment),
        "office_id": review.office_id,
        "city": review.city,
        "matter_id": review.matter_id,
        "created_at": _iso(review.created_at),
        "reviewable_at": _iso(review.reviewable_at),
        "follow_up": review.follow_up if clear or not review.follow_up else scrub(review.follow_up),
        "follow_up_at": _iso(review.follow_up_at),
        "excluded_from_statistics": review.excluded,
        "ticket": _ticket_summary(review),
    }
    if with_reviewer:
        view["reviewer"] = {"sub": review.reviewer_sub, "name": review.reviewer_name}
    elif not owner and view["ticket"] is not None:
        # Staff reading a case's reviews see its ticket's progress, not its number: the number would tie the
        # ticket they are shown (without a case number) to this case and so to the applicant.
        del view["ticket"]["ticket_id"]
    return view


def _ticket_summary(review: Review) -> dict[str, Any] | None:
    """What a worklist row needs of the review's ticket: its state, its deadlines (the city's policy counted
    from the review's day, as the ticket counts them) and the working days left to each."""
    if not review.ticket_id:
        return None
    policy = catalogue().review_policy(review.city)
    verify_due = add_working_days(review.day, policy.verify_working_days)
    rectify_due = add_working_days(review.day, policy.rectify_working_days)
    today = cst_date(utcnow())
    open_ = review.ticket_status not in _DONE
    return {"ticket_id": review.ticket_id, "status": review.ticket_status, "escalated": review.ticket_escalated,
            "verify_due": verify_due.isoformat(), "rectify_due": rectify_due.isoformat(),
            "verify_working_days_left": working_days_left(today, verify_due)
            if review.ticket_status == TicketStatus.OPEN.value else None,
            "rectify_working_days_left": working_days_left(today, rectify_due) if open_ else None}


def ticket_view(ticket: Ticket, review: Review | None, history: list[dict[str, Any]],
                with_reviewer: bool) -> dict[str, Any]:
    """``with_reviewer``: the reader is a supervisor of the ticket, and sees the case number and the reviewer.
    Staff of the rated office see neither: the case number would lead them to the applicant."""
    view: dict[str, Any] = {
        "ticket_id": ticket.ticket_id,
        "case_no": ticket.case_no,
        "stage": ticket.stage.value,
        "office_id": ticket.office_id,
        "city": ticket.city,
        "status": ticket.status.value,
        "version": ticket.version,
        "rating": ticket.rating,
        "review_at": _iso(ticket.review_at),
        "opened_at": _iso(ticket.opened_at),
        "verify_due": _iso(ticket.verify_due),
        "rectify_due": _iso(ticket.rectify_due),
        "valid": ticket.valid,
        "finding": ticket.finding,
        "verified_at": _iso(ticket.verified_at),
        "actions": ticket.actions,
        "rectified_at": _iso(ticket.rectified_at),
        "feedback": None if ticket.contacted is None else {
            "contacted": ticket.contacted, "satisfied": ticket.satisfied, "note": ticket.feedback_note,
        },
        "closed_at": _iso(ticket.closed_at),
        "appeal": None if ticket.appeal_at is None else {
            "status": ticket.appeal_status.value, "grounds": ticket.appeal_grounds, "at": _iso(ticket.appeal_at),
            "note": ticket.appeal_note, "decided_at": _iso(ticket.appeal_decided_at),
        },
        "excluded_from_statistics": ticket.excluded,
        "escalated": ticket.escalated,
        "overdue": list(ticket.overdue),
        "on_time": ticket.on_time,
        "verify_working_days_left": working_days_left(cst_date(utcnow()), ticket.verify_due)
        if ticket.status is TicketStatus.OPEN else None,
        "rectify_working_days_left": working_days_left(cst_date(utcnow()), ticket.rectify_due)
        if ticket.status.value not in _DONE else None,
        "review": review_view(review, with_reviewer) if review else None,
        "history": history,
    }
    if not with_reviewer:
        del view["case_no"]
        if view["review"] is not None:
            del view["review"]["case_no"]
    return view


def applicant_review_view(review: Review, ticket: Ticket | None) -> dict[str, Any]:
    """The applicant's own review, with what came of their complaint (the explanation, the rectification)."""
    view = review_view(review, with_reviewer=False, owner=True)
    if ticket is not None:
        view["ticket"] = {
            "ticket_id": ticket.ticket_id, "status": ticket.status.value,
            "explanation": ticket.finding if ticket.valid is False else None,
            "actions": ticket.actions,
        }
    return view


def case_reviews_view(actor: Actor, reviews: list[tuple[Review, Ticket | None]]) -> list[dict[str, Any]]:
    """A case's reviews as the reader may see them: the applicant with what came of their complaints, staff
    and supervisors without the reviewer unless they oversee the rated office's city."""
    if actor.role == Role.CITIZEN:
        return [applicant_review_view(review, ticket) for review, ticket in reviews]
    return [review_view(review, with_reviewer=supervises_city(actor, review.city)) for review, _ in reviews]
