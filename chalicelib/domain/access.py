"""Who may see what: read scope over cases for each role (谁办理、谁负责; supervisors by city)."""
from __future__ import annotations

from .actor import Actor, Role
from .case import Case
from .errors import OutOfScope

PROVINCIAL = "440000"


def can_read_case(actor: Actor, case: Case) -> bool:
    if actor.role == Role.ADMIN:
        return True
    if actor.role == Role.CITIZEN:
        return actor.sub == case.applicant.sub
    if actor.role == Role.STAFF:
        return actor.office_id in case.offices() or actor.office_id == case.pickup_office_id
    if actor.role == Role.SUPERVISOR:
        return actor.city == PROVINCIAL or actor.city in case.cities()
    return False


def require_read(actor: Actor, case: Case) -> None:
    if not can_read_case(actor, case):
        raise OutOfScope(f"case {case.case_no} is outside your scope")


def is_applicant(actor: Actor, case: Case) -> bool:
    return actor.role == Role.CITIZEN and actor.sub == case.applicant.sub


def supervises_city(actor: Actor, city: str) -> bool:
    return actor.role == Role.SUPERVISOR and actor.city in (PROVINCIAL, city)
