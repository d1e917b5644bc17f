"""A signed-in citizen's own cases: 我的办件 (their cases, newest first) and 认领 (claiming a case that window
staff entered for them at the counter, so that it becomes theirs to track, withdraw, supplement and rate)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from ..bootstrap import unit_of_work
from ..domain.actor import Actor, Role
from ..domain.case import Case
from ..domain.errors import ConcurrentUpdate, NotFound, OutOfScope
from ..domain.workdays import utcnow
from . import queries

CLAIM_ATTEMPTS = 3


def my_cases(actor: Actor, limit: int, cursor: dict[str, Any] | None) -> tuple[list[Case], dict[str, Any] | None]:
    if actor.role != Role.CITIZEN:
        raise OutOfScope("only citizens have cases of their own")
    with unit_of_work() as uow:
        return uow.cases.applicant_cases(actor.sub, limit, cursor)


def claim(actor: Actor, case_no: str, query_code: str, id_number: str, caller: str = "unknown",
          now: datetime | None = None) -> tuple[Case, bool]:
    """认领. Returns the case and whether this call claimed it (False: it was already the caller's).

    Any mismatch — unknown case, wrong code, wrong identity number, a case that is someone else's — is the
    same 404 and spends the guessing budget that tracking spends (queries.check_guess), so claiming is no
    oracle for codes, identity numbers or whose a case is.
    """
    if actor.role != Role.CITIZEN:
        raise OutOfScope("only citizens claim cases")
    with unit_of_work() as uow:
        for attempt in range(CLAIM_ATTEMPTS):
            try:
                case: Case | None = uow.cases.get(case_no)
            except NotFound:
                case = None
            matches = case is not None and case.claimable_by(actor, query_code, id_number)
            if attempt == 0:
                queries.check_guess(uow.counters, case_no, matches, caller, now)
            elif not matches:  # someone else claimed it in between: as unknown as any other mismatch
                raise NotFound(f"no case {case_no} with that query code")
            assert case is not None
            change = case.claim(actor, now or utcnow())
            if change is None:
                return case, False
            uow.cases.update(case, change)
            try:
                uow.commit()
                return case, True
            except ConcurrentUpdate:
                continue  # the case changed meanwhile (staff acted, or another claim): look again
        current = uow.cases.get(case_no).status.value
    raise ConcurrentUpdate(f"case {case_no} keeps changing; try again", current_status=current)
