"""The scheduled sweeper: terminates cases whose supplement deadline passed, marks overdue cases, and
runs the other sweeps registered here (parcel legs, reviews, tickets). Every run is idempotent: what it
changed is no longer due, and a race with staff loses cleanly (the case is looked at next run)."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from ..bootstrap import unit_of_work
from ..config import settings
from ..domain.actor import Actor
from ..domain.errors import InvalidTransition, NotFound
from ..domain.lifecycle import Action
from ..domain.workdays import utcnow
from ..observability import count, logger
from . import reviews, tickets
from .routing import sweep_legs
from .unit_of_work import UnitOfWork

SWEEPER = Actor.system("sweeper")

# Other capabilities add their sweeps here: each takes ``now`` and returns counts by what it did.
EXTRA_SWEEPS: list[Callable[[datetime], dict[str, int]]] = []
EXTRA_SWEEPS.append(sweep_legs)  # overdue parcel legs (shipment.overdue)
EXTRA_SWEEPS += [reviews.sweep_default_ratings, tickets.sweep_overdue_tickets]


def sweep_cases(now: datetime) -> dict[str, int]:
    counts = {"terminated": 0, "overdue": 0}
    with unit_of_work() as uow:
        due = list(uow.cases.due(now))
    for case_no in due:
        with unit_of_work() as uow:
            outcome = _sweep_case(uow, case_no, now)
        if outcome:
            counts[outcome] += 1
    return counts


def _sweep_case(uow: UnitOfWork, case_no: str, now: datetime) -> str | None:
    """Take the step the case is due for, if any (a race with staff loses: the case is looked at next run)."""
    try:
        case = uow.cases.get(case_no)
        action = case.due_action(now)
        if action is Action.TERMINATE:
            uow.cases.update(case, case.terminate(SWEEPER, now))
        elif action is Action.MARK_OVERDUE:
            uow.cases.update(case, case.mark_overdue(SWEEPER, now))
        else:
            return None
        uow.commit()
    except (InvalidTransition, NotFound) as err:
        logger.info("sweep skipped a case", extra={"case_no": case_no, "reason": type(err).__name__})
        return None
    return "terminated" if action is Action.TERMINATE else "overdue"


def sweep(now: datetime | None = None) -> dict[str, int]:
    at = now or utcnow()
    counts = sweep_cases(at)
    for extra in EXTRA_SWEEPS:
        counts.update(extra(at))
    if any(counts.values()):
        logger.info("sweep done", extra={"counts": counts})
    # Overdue work found this run (cases, legs, tickets: every count named *overdue*); the cloud alarms on it.
    count("OverdueFound", sum(n for k, n in counts.items() if "overdue" in k), stage=settings().stage)
    return counts
