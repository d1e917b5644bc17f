"""Read use cases: case detail, timeline, tracking by query code, an office's work queue."""
from __future__ import annotations

import hmac
from datetime import datetime
from typing import Any

from pynamodb.exceptions import UpdateError

from ..adapters.case_repository import CaseRepository
from ..adapters.models import CounterRecord
from ..domain.access import require_read
from ..domain.case import Actor, Case
from ..domain.errors import InvalidInput, NotFound, OutOfScope, TooManyRequests
from ..domain.lifecycle import Status
from ..domain.workdays import utcnow

repo = CaseRepository()
# Wrong query codes tolerated per hour: from one caller (address), and for one case from everyone. A caller
# who guesses is locked out alone; only a guessing crowd locks the case's tracking for the hour, and 100
# guesses an hour leave a 6-digit code safe for years.
TRACK_FAILURES_PER_CALLER = 10
TRACK_FAILURES_PER_CASE = 100


def case_for(actor: Actor, case_no: str) -> Case:
    case = repo.get(case_no)
    require_read(actor, case)
    return case


def timeline_for(actor: Actor, case_no: str) -> list[dict[str, Any]]:
    case_for(actor, case_no)
    return repo.timeline(case_no)


def track(case_no: str, code: str, caller: str = "unknown",
          now: datetime | None = None) -> tuple[Case, list[dict[str, Any]]]:
    """查询码 tracking without login. A wrong code looks like an unknown case; guessing is rate limited."""
    try:
        case = repo.get(case_no, consistent=False)
    except NotFound:
        case = None
    matches = case is not None and hmac.compare_digest(case.query_code.encode(), (code or "").encode())
    check_guess(case_no, matches, caller, now)
    assert case is not None
    return case, repo.timeline(case_no)


def check_guess(case_no: str, matches: bool, caller: str, now: datetime | None = None) -> None:
    """One use of a case's query code (tracking it, or claiming it with the identity number: they share one
    guessing budget). A miss counts against the caller and the case and is a 404 like an unknown case; once
    either has missed too often this hour, even a right guess gets 429."""
    at = now or utcnow()
    hour = f"{at:%Y%m%d%H}"
    per_caller, per_case = f"track-fail#{case_no}#{caller}#{hour}", f"track-fail#{case_no}#{hour}"
    if not matches:
        _refuse_when_guessed(_count_failure(per_caller), _count_failure(per_case))
        raise NotFound(f"no case {case_no} with that query code")
    failures = {c.counter_id: int(c.value) for c in CounterRecord.batch_get([per_caller, per_case])}
    _refuse_when_guessed(failures.get(per_caller, 0), failures.get(per_case, 0))


def _refuse_when_guessed(by_caller: int, by_everyone: int) -> None:
    """429 once this caller, or everyone together, sent too many wrong codes for the case this hour."""
    if by_caller > TRACK_FAILURES_PER_CALLER or by_everyone > TRACK_FAILURES_PER_CASE:
        raise TooManyRequests("too many wrong query codes for this case; try again in an hour")


def _count_failure(counter_id: str) -> int:
    counter = CounterRecord(counter_id=counter_id)
    try:
        counter.update(actions=[CounterRecord.value.add(1)], add_version_condition=False)
    except UpdateError:  # pragma: no cover - rate limiting must not break tracking
        return 0
    return int(counter.value)


def office_queue(actor: Actor, office_id: str, status: str | None, limit: int,
                 cursor: dict[str, Any] | None) -> tuple[list[Case], dict[str, Any] | None]:
    """An office's work queue: only its own staff (or an admin) see it."""
    if not (actor.role == "admin" or (actor.role == "staff" and actor.office_id == office_id)):
        raise OutOfScope(f"only staff of {office_id} see its work queue")
    if status is not None and status not in Status.__members__:
        raise InvalidInput("status", f"must be one of {', '.join(Status.__members__)}")
    return repo.office_queue(office_id, status, limit, cursor)
