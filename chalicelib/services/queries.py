"""Read use cases: the public catalogue, case detail, timeline, tracking by query code, an office's work
queue."""
from __future__ import annotations

import hmac
from datetime import datetime
from typing import Any

from ..adapters.reference_store import catalogue
from ..bootstrap import unit_of_work
from ..domain.access import require_read
from ..domain.actor import Actor, Role
from ..domain.case import Case
from ..domain.errors import InvalidInput, NotFound, OutOfScope, TooManyRequests
from ..domain.lifecycle import Status
from ..domain.shipping import Shipment
from ..domain.workdays import utcnow
from ..observability import logger
from .unit_of_work import Counters

# Wrong query codes tolerated per hour: from one caller (address), and for one case from everyone. A caller
# who guesses is locked out alone; only a guessing crowd locks the case's tracking for the hour, and 100
# guesses an hour leave a 6-digit code safe for years.
TRACK_FAILURES_PER_CALLER = 10
TRACK_FAILURES_PER_CASE = 100


def offices() -> list[dict[str, Any]]:
    return [o.public() for o in catalogue().offices.values()]


def matters(city: str | None) -> list[dict[str, Any]]:
    """The matters a city's windows accept cross-city (all of them without ``city``)."""
    if city is not None and not (city.isdigit() and len(city) == 6):
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
        try:
            case = uow.cases.get(case_no, consistent=False)
        except NotFound:
            case = None
        matches = case is not None and hmac.compare_digest(case.query_code.encode(), (code or "").encode())
        check_guess(uow.counters, case_no, matches, caller, now)
        assert case is not None
        return case, uow.cases.timeline(case_no), uow.legs.for_case(case_no)


def check_guess(counters: Counters, case_no: str, matches: bool, caller: str, now: datetime | None = None) -> None:
    """One use of a case's query code (tracking it, or claiming it with the identity number: they share one
    guessing budget). A miss counts against the caller and the case and is a 404 like an unknown case; once
    either has missed too often this hour, even a right guess gets 429."""
    at = now or utcnow()
    hour = f"{at:%Y%m%d%H}"
    per_caller, per_case = f"track-fail#{case_no}#{caller}#{hour}", f"track-fail#{case_no}#{hour}"
    if not matches:
        _refuse_when_guessed(_count_failure(counters, per_caller), _count_failure(counters, per_case))
        raise NotFound(f"no case {case_no} with that query code")
    failures = counters.values([per_caller, per_case])
    _refuse_when_guessed(failures.get(per_caller, 0), failures.get(per_case, 0))


def _refuse_when_guessed(by_caller: int, by_everyone: int) -> None:
    """429 once this caller, or everyone together, sent too many wrong codes for the case this hour."""
    if by_caller > TRACK_FAILURES_PER_CALLER or by_everyone > TRACK_FAILURES_PER_CASE:
        raise TooManyRequests("too many wrong query codes for this case; try again in an hour")


def _count_failure(counters: Counters, counter_id: str) -> int:
    try:
        return counters.increment(counter_id)
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
