"""Good/bad reviews (好差评) as pure rules.

- A case has two reviewable stages, each rated at most once by the applicant: ``receiving`` (the receiving
  window, once the case was received or refused) and ``handling`` (the handling office, once completed).
- Ratings 1–5; 1 and 2 are bad (差评) and need a reason tag and a comment. A stage left unrated for the
  policy's number of natural days gets the system default rating (默认评价), marked as such.
- Each real bad review opens a ticket for the rated office (domain/tickets.py); statistics are in
  domain/statistics.py.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from .actor import Actor, Role
from .case import Case
from .errors import Conflict, InvalidInput, InvalidTransition, OutOfScope, RuleViolation
from .events import ReviewBad
from .reference import ReviewPolicy
from .workdays import cst_date, end_of_cst_day, iso

RATING_LABELS = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}
DEFAULT_REVIEWER = "system:default-rating"


class Stage(StrEnum):
    RECEIVING = "receiving"
    HANDLING = "handling"


STAGES = tuple(s.value for s in Stage)


def parse_stage(value: str) -> Stage:
    try:
        return Stage(value)
    except ValueError:
        raise InvalidInput("stage", f"must be one of {', '.join(STAGES)}") from None


def is_bad(rating: int) -> bool:
    return rating <= 2


def is_good(rating: int) -> bool:
    return rating >= 4


def check_rating(rating: Any, tags: list[str], comment: str) -> None:
    """1–5; a bad rating (1–2) needs at least one reason tag and a comment."""
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise InvalidInput("rating", "must be an integer from 1 to 5")
    if is_bad(rating):
        if not [t for t in tags if t.strip()]:
            raise InvalidInput("tags", "a bad review (rating 1 or 2) needs at least one reason tag")
        if not comment.strip():
            raise InvalidInput("comment", "a bad review (rating 1 or 2) needs a comment")


@dataclass(frozen=True)
class StageTarget:
    """What rating a stage of a case rates: which office, in which city, since when."""

    stage: Stage
    office_id: str
    reviewable_at: datetime


def stage_target(case: Case, stage: Stage) -> StageTarget | None:
    """The rated office of a stage, or None while the stage is not reviewable yet."""
    if stage is Stage.RECEIVING and case.receiving_reviewable_at:
        return StageTarget(stage, case.receiving_office_id, case.receiving_reviewable_at)
    if stage is Stage.HANDLING and case.handling_reviewable_at and case.handling_office_id:
        return StageTarget(stage, case.handling_office_id, case.handling_reviewable_at)
    return None


def window_closes_at(reviewable_at: datetime, policy: ReviewPolicy) -> datetime:
    """Reviews are accepted until the end of the CST day ``review_window_days`` after the stage opened."""
    return end_of_cst_day(cst_date(reviewable_at) + timedelta(days=policy.review_window_days))


def default_due_at(reviewable_at: datetime, policy: ReviewPolicy) -> datetime:
    """When a stage still unrated gets the default rating: when its review window closes, never before (a
    rating inside the window is never refused for a default that came first)."""
    return window_closes_at(reviewable_at, policy)


@dataclass
class Review:
    """One rating of one stage of a case. Never edited or deleted; one follow-up comment (追评) may be added."""

    case_no: str
    stage: Stage
    rating: int
    tags: list[str]
    comment: str
    office_id: str
    city: str
    matter_id: str
    reviewer_sub: str
    reviewer_name: str
    created_at: datetime
    reviewable_at: datetime
    default: bool = False
    follow_up: str | None = None
    follow_up_at: datetime | None = None
    ticket_id: str | None = None
    ticket_status: str | None = None
    excluded: bool = False  # an upheld appeal: kept, but out of the office's statistics
    ticket_escalated: bool = False  # the ticket missed a deadline and went to the provincial level

    @property
    def bad(self) -> bool:
        return is_bad(self.rating) and not self.default

    @property
    def day(self) -> date:
        return cst_date(self.created_at)

    def bad_event(self) -> ReviewBad:
        """``review.bad``: opens the rectification ticket (from the tickets queue)."""
        return ReviewBad(event_id=f"review#{self.case_no}#{self.stage.value}", type="review.bad",
                         at=self.created_at, case_no=self.case_no, stage=self.stage.value,
                         office_id=self.office_id, city=self.city)

    def add_follow_up(self, actor: Actor, comment: str, at: datetime) -> None:
        if not comment.strip():
            raise InvalidInput("comment", "must not be empty")
        if self.follow_up is not None:
            raise Conflict("this review already has its follow-up comment")
        self.follow_up, self.follow_up_at = comment, at


def submit_review(case: Case, actor: Actor, stage: Stage, rating: Any, tags: list[str], comment: str,
                  at: datetime, policy_for: Callable[[str], tuple[str, ReviewPolicy]]) -> Review:
    """好差评: the applicant rates a reviewable stage within the review window.

    ``policy_for(office_id)`` gives the rated office's city and that city's review policy.
    """
    if not (actor.role == Role.CITIZEN and actor.sub == case.applicant.sub):
        raise OutOfScope("only the applicant of the case can review it")
    target = stage_target(case, stage)
    if target is None:
        raise InvalidTransition(
            f"the {stage.value} stage of a {case.status.value} case cannot be reviewed yet",
            current_status=case.status.value,
        )
    check_rating(rating, tags, comment)
    city, policy = policy_for(target.office_id)
    if at >= window_closes_at(target.reviewable_at, policy):
        raise RuleViolation(
            "review_window_closed",
            f"the {stage.value} stage could be reviewed until {iso(window_closes_at(target.reviewable_at, policy))}",
        )
    return Review(
        case_no=case.case_no, stage=stage, rating=int(rating), tags=[t.strip() for t in tags if t.strip()],
        comment=comment, office_id=target.office_id, city=city, matter_id=case.matter_id,
        reviewer_sub=actor.sub, reviewer_name=case.applicant.name, created_at=at,
        reviewable_at=target.reviewable_at,
    )


@dataclass(frozen=True)
class ReviewSlot:
    """A stage awaiting its review: when the policy's days are over (``due_at``) it gets the default rating."""

    case_no: str
    stage: Stage
    office_id: str
    city: str
    matter_id: str
    reviewable_at: datetime
    due_at: datetime


def default_review(case_no: str, stage: Stage, office_id: str, city: str, matter_id: str,
                   reviewable_at: datetime, due_at: datetime, policy: ReviewPolicy) -> Review:
    """默认评价: the system's rating of a stage left unrated, dated when it fell due."""
    return Review(
        case_no=case_no, stage=stage, rating=policy.default_rating, tags=[], comment="", office_id=office_id,
        city=city, matter_id=matter_id, reviewer_sub=DEFAULT_REVIEWER, reviewer_name="", created_at=due_at,
        reviewable_at=reviewable_at, default=True,
    )
