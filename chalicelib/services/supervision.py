"""Supervisors' reads beyond reviews and statistics: the reviewer's contact details on a ticket (核实 and 回访),
written to the personal-data access log before they are answered; the access log itself (provincial level);
and the overview of cases by status and overdue counts per office of their cities."""
from __future__ import annotations

import uuid
from collections import Counter
from datetime import datetime
from typing import Any

from ..adapters.access_log_repository import check_month_cursor, month_of
from ..adapters.reference_store import catalogue
from ..bootstrap import unit_of_work
from ..domain.access import PROVINCIAL
from ..domain.actor import Actor, Role
from ..domain.errors import InvalidInput, NotFound, OutOfScope
from ..domain.formats import MONTH, matches
from ..domain.lifecycle import Status
from ..domain.workdays import utcnow
from ..observability import logger
from .review_scope import resolve_scope
from .tickets import find

REVIEWER_CONTACT = "reviewer_contact"


def _reason(value: str | None) -> str:
    text = (value or "").strip()
    if not 2 <= len(text) <= 200:
        raise InvalidInput("reason", "say why you read the reviewer's contact (2 to 200 characters)")
    if any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 or 0xD800 <= ord(c) <= 0xDFFF for c in text):
        raise InvalidInput("reason", "contains control characters")
    return text


def reviewer_contact(actor: Actor, ticket_id: str, reason: str | None,
                     now: datetime | None = None) -> dict[str, Any]:
    """The reviewer's name and full phone for the supervisors of the ticket; the read is logged first, so a
    read that could not be logged is never answered."""
    uow = unit_of_work()
    ticket = find(uow, ticket_id, actor)
    ticket_id = ticket.ticket_id  # the log names the ticket by its id, also when asked by its first-release one
    if not ticket.sees_reviewer(actor):
        raise OutOfScope(f"only the supervisors of ticket {ticket_id} may read the reviewer's contact")
    why = _reason(reason)
    review = uow.reviews.get(ticket.case_no, ticket.stage)
    if review is None:
        raise NotFound(f"ticket {ticket_id} has no review")
    applicant = uow.cases.get(ticket.case_no).applicant
    if applicant.sub != review.reviewer_sub:  # only the applicant rates; anything else is not a person to call
        raise NotFound(f"the review of ticket {ticket_id} has no reviewer to contact")
    at = now or utcnow()
    read = {"reader_sub": actor.sub, "reader_name": actor.name or None, "reader_role": actor.role.value,
            "reader_city": actor.city, "what": REVIEWER_CONTACT, "ticket_id": ticket_id, "case_no": ticket.case_no,
            "reason": why}
    entry = uow.access_log.record(read, at, uuid.uuid4().hex)
    logger.info("reviewer contact read", extra={"ticket_id": ticket_id, "entry_id": entry["entry_id"]})
    return {"ticket_id": ticket_id, "case_no": ticket.case_no, "name": applicant.name, "phone": applicant.phone,
            "logged_at": entry["at"], "entry_id": entry["entry_id"]}


def access_log(actor: Actor, month: str | None, limit: int, cursor: Any,
               now: datetime | None = None) -> tuple[str, list[dict[str, Any]], dict[str, Any] | None]:
    """A month's reads (CST, newest first): provincial supervisors only."""
    if actor.role != Role.SUPERVISOR or actor.city != PROVINCIAL:
        raise OutOfScope("only the provincial level lists the access log")
    if month is None:
        month = month_of(now or utcnow())
    elif not matches(MONTH, month):
        raise InvalidInput("month", "must be a month YYYY-MM (China Standard Time)")
    items, last = unit_of_work().access_log.month(month, limit, check_month_cursor(cursor, month))
    return month, items, last


# A city overview reads each office's queues; beyond this many cases per office it says it is partial.
OVERVIEW_CAP = 5000


def city_overview(actor: Actor, city: str | None) -> dict[str, Any]:
    """Cases by status and overdue counts per office (as receiving or handling office), for the supervisor's
    city or, provincial, every city (or the one asked for)."""
    scope = resolve_scope(actor, city, None)
    cat = catalogue()
    offices = []
    uow = unit_of_work()
    for oid in scope.office_ids:
        seen: set[str] = set()
        by_status: Counter[str] = Counter()
        overdue = 0
        partial = False
        for case in uow.cases.of_office(oid):
            if case.case_no in seen:
                continue
            if len(seen) >= OVERVIEW_CAP:
                partial = True
                break
            seen.add(case.case_no)
            by_status[case.status.value] += 1
            overdue += int(case.overdue)
        office = cat.offices[oid]
        offices.append({"office_id": oid, "name": office.name, "city": office.city, "total": len(seen),
                        "by_status": {s: by_status.get(s, 0) for s in Status.__members__},
                        "overdue": overdue, "partial": partial})
    return {"city": scope.city, "offices": offices}


def decision_shares(actor: Actor, city: str | None) -> dict[str, Any]:
    """秒批: per matter, the cases decided in the supervisor's scope (by the handling offices of their city, or
    every city for the province) and the share decided automatically by the matter's approval rule."""
    scope = resolve_scope(actor, city, None)
    cat = catalogue()
    uow = unit_of_work()
    seen: set[str] = set()
    rows: dict[str, Counter[str]] = {}
    for oid in scope.office_ids:
        for case in uow.cases.of_office(oid):
            if case.case_no in seen or case.handling_office_id != oid or len(seen) >= OVERVIEW_CAP:
                continue
            seen.add(case.case_no)
            counts = rows.setdefault(case.matter_id, Counter())
            check = case.rule_check or {}
            counts["rule_checked"] += int(bool(check))
            if case.decision:
                counts["decided"] += 1
                counts["automatic"] += int(check.get("outcome") == "approved")
    items = []
    for matter_id in sorted(rows):
        c = rows[matter_id]
        matter = cat.matters.get(matter_id)
        items.append({"matter_id": matter_id, "name": matter.name if matter else matter_id,
                      "has_rule": bool(matter and matter.approval_rule), "decided": c["decided"],
                      "automatic": c["automatic"], "by_person": c["decided"] - c["automatic"],
                      "rule_checked": c["rule_checked"],
                      "automatic_share": round(c["automatic"] / c["decided"], 4) if c["decided"] else None})
    return {"city": scope.city, "items": items, "partial": len(seen) >= OVERVIEW_CAP}
