"""Read use cases: the public catalogue, case detail, timeline, tracking by query code, an office's work
queue."""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, NoReturn

from ..adapters.reference_store import catalogue
from ..bootstrap import unit_of_work
from ..domain.access import require_read
from ..domain.actor import Actor, Role
from ..domain.case import Case
from ..domain.errors import InvalidInput, NotFound, OutOfScope, TooManyRequests
from ..domain.formats import CASE_NUMBER, DIVISION_CODE, matches
from ..domain.lifecycle import Status
from ..domain.shipping import Shipment
from ..domain.workdays import utcnow
from ..observability import logger
from .unit_of_work import Counters, UnitOfWork

# Wrong query codes tolerated per hour: from one caller (address) across all cases, and for one case from
# everyone. A guessing caller is locked out alone (and no longer counted); only a guessing crowd closes a
# case's anonymous tracking for the hour. Either way the applicant, signed in, still reads the case through
# the authenticated routes (GET /cases/{case_no}, /me/cases), which never consult these budgets. The bound
# this gives is worked out in docs/RELIABILITY.md (security).
TRACK_FAILURES_PER_CALLER = 10
TRACK_FAILURES_PER_CASE = 100
GUESS_WINDOW = timedelta(hours=1)


def offices() -> list[dict[str, Any]]:
    return [o.public() for o in catalogue().offices.values()]


def matters(city: str | None) -> list[dict[str, Any]]:
    """The matters a city's windows accept cross-city (all of them without ``city``)."""
    if city is not None and not matches(DIVISION_CODE, city):
        raise InvalidInput("city", "must be a 6-digit division code")
    return [m.public() for m in catalogue().matters.values() if city is None or city in m.accepted_in]


def case_for(actor: Actor, case_no: str) -> Case:
    with unit_of_work() as uow:
        case = uow.cases.get(case_no)
    require_read(actor, case)
    return case


def timeline_for(actor: Actor, case_no: str) -> list[dict[str, Any]]:
    with unit_of_work() as uow:
        require_read(actor, uow.cases.get(case_no))
        return uow.cases.timeline(case_no)


def track(case_no: str, code: str, caller: str = "unknown",
          now: datetime | None = None) -> tuple[Case, list[dict[str, Any]], list[Shipment]]:
    """查询码 tracking without login. A wrong code looks like an unknown case; guessing is rate limited."""
    with unit_of_work() as uow:
        budget = GuessingBudget.open(uow.counters, case_no, caller, now)
        case = _case_or_none(uow, case_no)
        matches = case is not None and hmac.compare_digest(case.query_code.encode(), code.encode())
        if case is None or not matches:
            budget.miss(case is not None)
        assert case is not None
        budget.admit()
        from .parcels import legs_of_case  # the case's own legs and its parcels' (合包)

        return case, uow.cases.timeline(case_no), legs_of_case(uow, case)


def _case_or_none(uow: UnitOfWork, case_no: str) -> Case | None:
    try:
        return uow.cases.get(case_no)  # strongly consistent: a case created a moment ago is no wrong guess
    except NotFound:
        return None


@dataclass(frozen=True)
class GuessingBudget:
    """One use of a case's query code (tracking it, or claiming it with the identity number: they share one
    budget). ``open`` refuses a caller who is blocked already, before anything is read or written; ``miss``
    counts a wrong guess (against the caller, and against the case if it exists) and answers it like an
    unknown case; ``admit`` lets a right guess through unless a crowd has closed the case for the hour."""

    counters: Counters
    caller_counter: str
    case_counter: str
    expires_at: datetime
    case_failures: int

    @classmethod
    def open(cls, counters: Counters, case_no: str, caller: str, now: datetime | None = None) -> GuessingBudget:
        if not matches(CASE_NUMBER, case_no):  # nothing is counted (or stored) under a key a caller made up
            raise InvalidInput("case_no", "is not a case number (KC + 19 to 23 digits)")
        at = now or utcnow()
        window = f"{at:%Y%m%d%H}"
        # The caller's part of the key is hashed: an address (or whatever a proxy says it is) is personal data
        # and of unbounded shape; its digest is neither.
        who = hashlib.sha256(caller.encode("utf-8", "replace")).hexdigest()[:32]
        budget = cls(counters, f"guess#caller#{who}#{window}", f"guess#case#{case_no}#{window}",
                     at.replace(minute=0, second=0, microsecond=0) + 2 * GUESS_WINDOW, 0)
        failures = counters.values([budget.caller_counter, budget.case_counter])
        if failures.get(budget.caller_counter, 0) >= TRACK_FAILURES_PER_CALLER:
            raise TooManyRequests("too many wrong query codes from this address; try again in an hour")
        return replace(budget, case_failures=failures.get(budget.case_counter, 0))

    def miss(self, case_exists: bool) -> NoReturn:
        by_caller = self._count(self.caller_counter)
        by_everyone = self._count(self.case_counter) if case_exists else 0
        if by_caller > TRACK_FAILURES_PER_CALLER or by_everyone > TRACK_FAILURES_PER_CASE:
            raise TooManyRequests("too many wrong query codes; try again in an hour")
        raise NotFound("no case with that number and query code")

    def admit(self) -> None:
        if self.case_failures >= TRACK_FAILURES_PER_CASE:
            raise TooManyRequests("too many wrong query codes for this case; try again in an hour, or sign in")

    def _count(self, counter_id: str) -> int:
        try:
            return self.counters.increment(counter_id, expires_at=self.expires_at)
        except RuntimeError:  # pragma: no cover - rate limiting must not break tracking
            logger.warning("a wrong query code was not counted")
            return 0


def office_queue(actor: Actor, office_id: str, status: str | None, limit: int,
                 cursor: dict[str, Any] | None) -> tuple[list[Case], dict[str, Any] | None]:
    """An office's work queue: only its own staff (or an admin) see it."""
    if not (actor.role == Role.ADMIN or (actor.role == Role.STAFF and actor.office_id == office_id)):
        raise OutOfScope(f"only staff of {office_id} see its work queue")
    if status is not None and status not in Status.__members__:
        raise InvalidInput("status", f"must be one of {', '.join(Status.__members__)}")
    with unit_of_work() as uow:
        return uow.cases.office_queue(office_id, status, limit, cursor)
