"""Rectification tickets (差评工单) of bad reviews, as pure rules.

Each real bad review opens a ticket for the rated office (谁办理、谁负责). The ticket's workflow is data
(``TICKET_RULES``): verify (核实) → rectify (整改) → feedback (回访) → closed, or explained; plus one appeal
(申诉复核) by the rated office, decided by the provincial level; the sweeper escalates missed deadlines.
"""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from .access import PROVINCIAL
from .actor import Actor, Role
from .errors import InvalidInput, InvalidTransition, OutOfScope, RuleViolation
from .events import TicketEvent
from .reference import ReviewPolicy
from .reviews import Review, Stage
from .workdays import add_working_days, cst_date, end_of_cst_day, iso


class TicketStatus(StrEnum):
    OPEN = "OPEN"
    VERIFIED = "VERIFIED"
    EXPLAINED = "EXPLAINED"
    RECTIFIED = "RECTIFIED"
    CLOSED = "CLOSED"


class AppealStatus(StrEnum):
    NONE = "NONE"
    PENDING = "PENDING"
    UPHELD = "UPHELD"
    REJECTED = "REJECTED"


class TicketAction(StrEnum):
    OPEN = "open"
    VERIFY = "verify"
    RECTIFY = "rectify"
    FEEDBACK = "feedback"
    APPEAL = "appeal"
    APPEAL_DECISION = "appeal_decision"
    ESCALATE = "escalate"


class TicketParty(StrEnum):
    CITY_SUPERVISOR = "city_supervisor"
    PROVINCIAL_SUPERVISOR = "provincial_supervisor"
    OFFICE_STAFF = "office_staff"
    SYSTEM = "system"


@dataclass(frozen=True)
class TicketRule:
    sources: frozenset[TicketStatus]
    targets: frozenset[TicketStatus]
    by: frozenset[TicketParty]
    appeal_sources: frozenset[AppealStatus]
    appeal_targets: frozenset[AppealStatus]


T, A, TP = TicketStatus, AppealStatus, TicketParty
_ALL_T = frozenset(TicketStatus)
_ALL_A = frozenset(AppealStatus)
_SUPERVISORS = frozenset({TP.CITY_SUPERVISOR, TP.PROVINCIAL_SUPERVISOR})
_UNDECIDED = frozenset({A.NONE, A.PENDING, A.REJECTED})  # an upheld appeal ends the work on the ticket


def _t(sources: set[TicketStatus] | frozenset[TicketStatus], targets: set[TicketStatus] | frozenset[TicketStatus],
       by: frozenset[TicketParty], appeal_sources: frozenset[AppealStatus] = _ALL_A,
       appeal_targets: frozenset[AppealStatus] | None = None) -> TicketRule:
    return TicketRule(frozenset(sources), frozenset(targets), by, appeal_sources,
                      appeal_targets if appeal_targets is not None else appeal_sources)


TICKET_RULES: dict[TicketAction, TicketRule] = {
    TicketAction.VERIFY: _t({T.OPEN}, {T.VERIFIED, T.EXPLAINED}, _SUPERVISORS, _UNDECIDED),
    TicketAction.RECTIFY: _t({T.VERIFIED}, {T.RECTIFIED}, _SUPERVISORS, _UNDECIDED),
    TicketAction.FEEDBACK: _t({T.RECTIFIED}, {T.CLOSED}, _SUPERVISORS, _UNDECIDED),
    # 申诉复核: once, by the rated office, whatever the ticket's progress; decided a level up (provincial).
    TicketAction.APPEAL: _t(_ALL_T, _ALL_T, frozenset({TP.OFFICE_STAFF}), frozenset({A.NONE}),
                            frozenset({A.PENDING})),
    TicketAction.APPEAL_DECISION: _t(_ALL_T, _ALL_T, frozenset({TP.PROVINCIAL_SUPERVISOR}),
                                     frozenset({A.PENDING}), frozenset({A.UPHELD, A.REJECTED})),
    TicketAction.ESCALATE: _t({T.OPEN, T.VERIFIED}, {T.OPEN, T.VERIFIED}, frozenset({TP.SYSTEM}), _UNDECIDED),
}


_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_LEGACY_ID = re.compile(r"^TK-(KC[0-9]{19,23})-(receiving|handling)$")


def new_ticket_id(at: datetime) -> str:
    """An opaque ticket number (``TK-`` + a ULID: 48 bits of milliseconds, 80 random bits, Crockford
    base32). It tells the rated office nothing about the case: the case number is not in it. One ticket per
    bad review is held by the store (a review takes one ticket id, conditionally), not by the id."""
    value = (int(at.timestamp() * 1000) & ((1 << 48) - 1)) << 80 | secrets.randbits(80)
    return "TK-" + "".join(_CROCKFORD[(value >> shift) & 31] for shift in range(125, -1, -5))


def legacy_ticket_key(ticket_id: str) -> tuple[str, Stage] | None:
    """The case and stage named by a ticket number of the first release (``TK-{case_no}-{stage}``), which
    tools/migrate_ticket_ids.py replaces; None for any other id."""
    match = _LEGACY_ID.match(ticket_id)
    return (match.group(1), Stage(match.group(2))) if match else None


@dataclass(frozen=True)
class TicketChange:
    """One committed step of a ticket: becomes an immutable history entry (and maybe an outgoing event)."""

    action: TicketAction
    from_status: TicketStatus
    to_status: TicketStatus
    actor: Actor
    at: datetime
    note: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def event_type(self) -> str:
        return f"ticket.{'escalated' if self.action is TicketAction.ESCALATE else self.action.value}"


@dataclass
class Ticket:
    """差评工单: the rated office's rectification of one bad review, overseen by its city's supervisors."""

    ticket_id: str
    case_no: str
    stage: Stage
    office_id: str
    city: str
    rating: int
    review_at: datetime
    opened_at: datetime
    verify_due: date
    rectify_due: date
    status: TicketStatus = TicketStatus.OPEN
    version: int = 0
    valid: bool | None = None
    finding: str | None = None
    verified_at: datetime | None = None
    actions: str | None = None
    rectified_at: datetime | None = None
    contacted: bool | None = None
    satisfied: bool | None = None
    feedback_note: str | None = None
    closed_at: datetime | None = None
    appeal_status: AppealStatus = AppealStatus.NONE
    appeal_grounds: str | None = None
    appeal_by: str | None = None
    appeal_at: datetime | None = None
    appeal_note: str | None = None
    appeal_decided_by: str | None = None
    appeal_decided_at: datetime | None = None
    escalated: bool = False
    escalated_at: datetime | None = None  # the first escalation (None for tickets escalated before it was kept)
    overdue: list[str] = field(default_factory=list)  # the steps whose deadline passed ("verify", "rectify")

    # ---------------------------------------------------------------- derived

    @property
    def review_day(self) -> date:
        return cst_date(self.review_at)

    @property
    def excluded(self) -> bool:
        return self.appeal_status is AppealStatus.UPHELD

    @property
    def awaits_province(self) -> bool:
        """On the provincial worklist: escalated (a deadline passed) and the work is not finished (closed,
        explained, or set aside by an upheld appeal)."""
        return (self.escalated and not self.excluded
                and self.status not in (TicketStatus.CLOSED, TicketStatus.EXPLAINED))

    def verify_deadline(self) -> datetime:
        return end_of_cst_day(self.verify_due)

    def rectify_deadline(self) -> datetime:
        return end_of_cst_day(self.rectify_due)

    def pending_step(self) -> tuple[str, datetime] | None:
        """The step the office owes next and its deadline; None when nothing is owed against a deadline."""
        if self.excluded:
            return None
        if self.status is TicketStatus.OPEN:
            return "verify", self.verify_deadline()
        if self.status is TicketStatus.VERIFIED:
            return "rectify", self.rectify_deadline()
        return None

    def next_due_at(self) -> datetime | None:
        """When the sweeper must look at this ticket again (a deadline not yet flagged)."""
        step = self.pending_step()
        if step is None or step[0] in self.overdue:
            return None
        return step[1]

    @property
    def on_time(self) -> bool | None:
        """Answered (explained) or rectified within the deadlines; None while not finished."""
        if self.status is TicketStatus.EXPLAINED:
            return self.verified_at is not None and self.verified_at <= self.verify_deadline()
        if self.status in (TicketStatus.RECTIFIED, TicketStatus.CLOSED):
            return (self.verified_at is not None and self.verified_at <= self.verify_deadline()
                    and self.rectified_at is not None and self.rectified_at <= self.rectify_deadline())
        return None

    def parties(self, actor: Actor) -> set[TicketParty]:
        if actor.role == Role.SYSTEM:
            return {TicketParty.SYSTEM}
        if actor.role == Role.SUPERVISOR:
            if actor.city == PROVINCIAL:
                return {TicketParty.PROVINCIAL_SUPERVISOR}
            if actor.city == self.city:
                return {TicketParty.CITY_SUPERVISOR}
        if actor.role == Role.STAFF and actor.office_id == self.office_id:
            return {TicketParty.OFFICE_STAFF}
        return set()

    def can_read(self, actor: Actor) -> bool:
        return bool(self.parties(actor) - {TicketParty.SYSTEM}) or actor.role == Role.ADMIN

    def sees_reviewer(self, actor: Actor) -> bool:
        """Reviewer identity is for the ticket's supervisors only, never for the rated office."""
        return bool(self.parties(actor) & _SUPERVISORS)

    # ---------------------------------------------------------------- guard

    def _guard(self, action: TicketAction, actor: Actor) -> None:
        rule = TICKET_RULES[action]
        if not self.parties(actor) & rule.by:
            raise OutOfScope(f"{actor.role} {actor.office_id or actor.city or actor.sub} may not "
                             f"{action.value} ticket {self.ticket_id}")
        if self.status not in rule.sources:
            raise InvalidTransition(f"cannot {action.value} a ticket that is {self.status.value}",
                                    current_status=self.status.value)
        if self.appeal_status not in rule.appeal_sources:
            raise InvalidTransition(
                f"cannot {action.value} a ticket whose appeal is {self.appeal_status.value}",
                current_status=self.status.value,
            )

    def _move(self, action: TicketAction, to: TicketStatus, actor: Actor, at: datetime, note: str = "",
              **details: Any) -> TicketChange:
        rule = TICKET_RULES[action]
        if to not in rule.targets or self.appeal_status not in rule.appeal_targets:
            raise AssertionError(f"{action} cannot lead to {to}/{self.appeal_status}")  # a defect, not input
        change = TicketChange(action, self.status, to, actor, at, note, details)
        self.status = to
        return change

    # ---------------------------------------------------------------- transitions

    def verify(self, actor: Actor, at: datetime, valid: bool, finding: str) -> TicketChange:
        """核实: valid → VERIFIED (to be rectified); not valid → EXPLAINED, the finding goes to the reviewer."""
        self._guard(TicketAction.VERIFY, actor)
        if not finding.strip():
            raise InvalidInput("finding", "must not be empty")
        self.valid, self.finding, self.verified_at = valid, finding, at
        if valid:
            return self._move(TicketAction.VERIFY, TicketStatus.VERIFIED, actor, at, finding, valid=True)
        self.closed_at = at
        return self._move(TicketAction.VERIFY, TicketStatus.EXPLAINED, actor, at, finding, valid=False)

    def rectify(self, actor: Actor, at: datetime, actions: str) -> TicketChange:
        """整改: what the office changed."""
        self._guard(TicketAction.RECTIFY, actor)
        if not actions.strip():
            raise InvalidInput("actions", "must not be empty")
        self.actions, self.rectified_at = actions, at
        return self._move(TicketAction.RECTIFY, TicketStatus.RECTIFIED, actor, at, actions)

    def feedback(self, actor: Actor, at: datetime, contacted: bool, satisfied: bool | None,
                 note: str) -> TicketChange:
        """回访: the reviewer is told what was done; their answer (satisfied or not) is recorded."""
        self._guard(TicketAction.FEEDBACK, actor)
        if contacted and satisfied is None:
            raise InvalidInput("satisfied", "is required when the reviewer was contacted")
        self.contacted, self.satisfied = contacted, satisfied if contacted else None
        self.feedback_note, self.closed_at = note, at
        return self._move(TicketAction.FEEDBACK, TicketStatus.CLOSED, actor, at, note, contacted=contacted,
                          satisfied=self.satisfied)

    def appeal(self, actor: Actor, at: datetime, grounds: str) -> TicketChange:
        """申诉: the rated office contests a malicious or mistaken bad review, once."""
        self._guard(TicketAction.APPEAL, actor)
        if not grounds.strip():
            raise InvalidInput("grounds", "must not be empty")
        self.appeal_status, self.appeal_grounds = AppealStatus.PENDING, grounds
        self.appeal_by, self.appeal_at = actor.sub, at
        return self._move(TicketAction.APPEAL, self.status, actor, at, grounds, appeal="PENDING")

    def decide_appeal(self, actor: Actor, at: datetime, upheld: bool, note: str) -> TicketChange:
        """复核: the provincial level upholds (the review leaves the office's statistics) or rejects."""
        self._guard(TicketAction.APPEAL_DECISION, actor)
        if not note.strip():
            raise InvalidInput("note", "must not be empty: it is the evidence on record")
        self.appeal_status = AppealStatus.UPHELD if upheld else AppealStatus.REJECTED
        self.appeal_note, self.appeal_decided_by, self.appeal_decided_at = note, actor.sub, at
        return self._move(TicketAction.APPEAL_DECISION, self.status, actor, at, note, upheld=upheld,
                          appeal=self.appeal_status.value)

    def escalate(self, actor: Actor, at: datetime) -> TicketChange:
        """超期: the pending step's deadline passed; flagged once per step and escalated to the province."""
        self._guard(TicketAction.ESCALATE, actor)
        step = self.pending_step()
        if step is None or step[0] in self.overdue or at < step[1]:
            raise InvalidTransition("the ticket is not overdue", current_status=self.status.value)
        self.overdue = [*self.overdue, step[0]]
        self.escalated = True
        self.escalated_at = self.escalated_at or at
        return self._move(TicketAction.ESCALATE, self.status, actor, at, f"{step[0]} deadline passed",
                          step=step[0], deadline=iso(step[1]), level=PROVINCIAL)


def open_ticket(review: Review, at: datetime, policy: ReviewPolicy) -> tuple[Ticket, TicketChange]:
    """A bad review opens a ticket for the rated office, with the city's deadlines counted from the review."""
    if not review.bad:
        raise RuleViolation("not_a_bad_review", "only a bad review opens a ticket")
    day = review.day
    ticket = Ticket(
        ticket_id=new_ticket_id(at), case_no=review.case_no, stage=review.stage,
        office_id=review.office_id, city=review.city, rating=review.rating, review_at=review.created_at,
        opened_at=at, verify_due=add_working_days(day, policy.verify_working_days),
        rectify_due=add_working_days(day, policy.rectify_working_days),
    )
    change = TicketChange(TicketAction.OPEN, TicketStatus.OPEN, TicketStatus.OPEN, Actor.system("tickets"), at,
                          "", {"rating": review.rating, "verify_due": ticket.verify_due.isoformat(),
                               "rectify_due": ticket.rectify_due.isoformat()})
    return ticket, change


def ticket_event(ticket: Ticket, change: TicketChange) -> TicketEvent:
    """The outgoing event of a committed ticket step (``ticket.escalated`` alerts the provincial level)."""
    return TicketEvent(
        event_id=f"{ticket.ticket_id}#{ticket.version}", type=change.event_type, at=change.at,
        ticket_id=ticket.ticket_id, case_no=ticket.case_no, stage=ticket.stage.value,
        office_id=ticket.office_id, city=ticket.city, status=ticket.status.value, version=ticket.version,
        details=change.details,
    )


def ticket_history_entry(change: TicketChange, seq: int) -> dict[str, Any]:
    return {
        "seq": seq, "at": iso(change.at), "action": change.action.value,
        "from_status": change.from_status.value, "to_status": change.to_status.value,
        "actor_role": change.actor.role, "actor_sub": change.actor.sub, "actor_name": change.actor.name or None,
        "office_id": change.actor.office_id, "city": change.actor.city,
        "note": change.note, "details": change.details,
    }
