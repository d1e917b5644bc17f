"""Rectification tickets (差评工单): opened from the tickets queue for each bad review, then verified,
rectified and answered by the supervisors of the rated office's city; appealed once by the office and
decided by the provincial level; escalated by the sweeper when a deadline passes."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from ..adapters.reference_store import catalogue
from ..adapters.review_repository import check_escalated_start
from ..bootstrap import unit_of_work
from ..domain.actor import Actor, Role
from ..domain.errors import Duplicate, InvalidInput, InvalidTransition, NotFound, OutOfScope
from ..domain.events import ReviewBad
from ..domain.reviews import Review, Stage
from ..domain.statistics import contribution, delta
from ..domain.tickets import Ticket, TicketChange, legacy_ticket_key, open_ticket
from ..domain.workdays import utcnow
from ..observability import logger
from .review_scope import resolve_scope
from .reviews import policy_for
from .unit_of_work import UnitOfWork

SWEEPER = Actor.system("sweeper")


def open_for_bad_review(event: ReviewBad, now: datetime | None = None) -> bool:
    """One ticket per bad review however often the event arrives: the review takes its ticket's (opaque) id
    in the same transaction, on condition that it has none yet. Returns False for a duplicate."""
    with unit_of_work() as uow:
        review = uow.reviews.get(event.case_no, Stage(event.stage))
        if review is None:  # committed with the event, so this only happens on a foreign message
            raise NotFound(f"no review for {event.case_no} {event.stage}")
        if not review.bad:
            return False
        _, policy = policy_for(review.office_id)
        ticket, change = open_ticket(review, now or utcnow(), policy)
        uow.tickets.add(ticket, change, delta(contribution(review), contribution(review, ticket)))
        try:
            uow.commit()
        except Duplicate:
            return False
    logger.info("ticket opened", extra={"ticket_id": ticket.ticket_id, "office_id": ticket.office_id})
    return True


# A ticket as its readers see it: with its review and its history.
TicketDetail = tuple[Ticket, Review | None, list[dict[str, Any]]]


def ticket_for(actor: Actor, ticket_id: str) -> TicketDetail:
    """The ticket with its review and history, for its supervisors and the rated office's staff."""
    with unit_of_work() as uow:
        return _detail(uow, actor, find(uow, ticket_id, actor))


def find(uow: UnitOfWork, ticket_id: str, actor: Actor | None) -> Ticket:
    """The ticket by its id. A supervisor may still name one by its first-release number
    (``TK-{case_no}-{stage}``): supervisors see the case number anyway, and links they kept keep working
    after tools/migrate_ticket_ids.py. Nobody else can reach a ticket through its case."""
    legacy = legacy_ticket_key(ticket_id)
    if legacy is not None and (actor is None or actor.role == Role.SUPERVISOR):
        review = uow.reviews.get(*legacy)
        if review is not None and review.ticket_id:
            ticket_id = review.ticket_id
    return uow.tickets.get(ticket_id)


def _detail(uow: UnitOfWork, actor: Actor, ticket: Ticket) -> TicketDetail:
    if not ticket.can_read(actor):
        raise OutOfScope(f"ticket {ticket.ticket_id} is outside your scope")
    return ticket, uow.reviews.get(ticket.case_no, ticket.stage), uow.tickets.history(ticket.ticket_id)


def _step(ticket_id: str, act: Callable[[Ticket], TicketChange], reader: Actor | None = None) -> TicketDetail:
    """Load, apply one step of the workflow, commit it with its history entry and counter changes; the
    ticket as ``reader`` then sees it (no reader: the ticket alone)."""
    with unit_of_work() as uow:
        ticket = find(uow, ticket_id, reader)
        review = uow.reviews.get(ticket.case_no, ticket.stage)
        before = contribution(review, ticket)
        change = act(ticket)
        uow.tickets.update(ticket, change, delta(before, contribution(review, ticket)))
        uow.commit()
        return _detail(uow, reader, ticket) if reader else (ticket, None, [])


def verify(actor: Actor, ticket_id: str, valid: bool, finding: str, now: datetime | None = None) -> TicketDetail:
    return _step(ticket_id, lambda t: t.verify(actor, now or utcnow(), valid, finding), actor)


def rectify(actor: Actor, ticket_id: str, actions: str, now: datetime | None = None) -> TicketDetail:
    return _step(ticket_id, lambda t: t.rectify(actor, now or utcnow(), actions), actor)


def feedback(actor: Actor, ticket_id: str, contacted: bool, satisfied: bool | None, note: str,
             now: datetime | None = None) -> TicketDetail:
    return _step(ticket_id, lambda t: t.feedback(actor, now or utcnow(), contacted, satisfied, note), actor)


def appeal(actor: Actor, ticket_id: str, grounds: str, now: datetime | None = None) -> TicketDetail:
    return _step(ticket_id, lambda t: t.appeal(actor, now or utcnow(), grounds), actor)


def decide_appeal(actor: Actor, ticket_id: str, upheld: bool, note: str,
                  now: datetime | None = None) -> TicketDetail:
    return _step(ticket_id, lambda t: t.decide_appeal(actor, now or utcnow(), upheld, note), actor)


def escalated_worklist(actor: Actor, city: str | None, limit: int,
                       cursor: dict[str, Any] | None) -> tuple[list[Ticket], dict[str, Any] | None]:
    """超期升级: the tickets escalated to the provincial level whose work is not finished, earliest escalation
    first, city by city (the province: every city in the reference data; a city supervisor: their own).
    Each city is one query of a sparse index: nothing is scanned."""
    scope = resolve_scope(actor, city, None)
    cities = [scope.city] if scope.city else sorted(catalogue().cities)
    which = (cursor or {}).get("p", 0)
    if not isinstance(which, int) or not 0 <= which < len(cities):
        raise InvalidInput("cursor", "is not a cursor this API issued for this listing")
    start = check_escalated_start((cursor or {}).get("k"), cities[which])
    items: list[Ticket] = []
    uow = unit_of_work()
    while which < len(cities) and len(items) < limit:
        page, start = uow.tickets.escalated(cities[which], limit - len(items), start)
        items.extend(page)
        if start is None:
            which += 1
    return items, ({"p": which, "k": start} if which < len(cities) else None)


def sweep_overdue_tickets(now: datetime) -> dict[str, int]:
    """Tickets whose verify or rectify deadline passed are flagged and escalated to the provincial level
    (``ticket.escalated`` → alerts), once per missed deadline."""
    escalated = 0
    with unit_of_work() as uow:
        due = list(uow.tickets.due(now))
    for ticket_id in due:
        try:
            _step(ticket_id, lambda t: t.escalate(SWEEPER, now))
            escalated += 1
        except (InvalidTransition, NotFound) as err:
            logger.info("ticket sweep skipped", extra={"ticket_id": ticket_id, "reason": type(err).__name__})
        except Exception:  # one bad ticket is logged and skipped: the run goes on
            logger.exception("ticket sweep failed for a ticket", extra={"ticket_id": ticket_id})
    return {"tickets_escalated": escalated}
