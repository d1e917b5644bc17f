"""The scheduled sweeper: terminates cases whose applicant deadline (容缺 or 补正) passed, reminds applicants
(a deadline ends today; a result waits for pickup), marks overdue cases (the promised date, or a state's own
deadline), and runs the other sweeps registered here (parcel legs, reviews, tickets). Every run is idempotent:
what it changed is no longer due, and a race with staff loses cleanly (the case is looked at next run). One
item that fails is logged and skipped: it never aborts the run."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from ..bootstrap import unit_of_work
from ..config import settings
from ..domain.actor import Actor
from ..domain.errors import ConcurrentUpdate, InvalidTransition, NotFound
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


# What the sweeper does for each due action, and the count it adds to.
_STEPS: dict[Action, str] = {
    Action.TERMINATE: "terminated", Action.MARK_OVERDUE: "overdue",
    Action.REMIND_SUPPLEMENT: "reminded", Action.REMIND_PICKUP: "reminded",
}
# A case can have several steps due at once (a reminder and an overdue state); each is its own commit.
MAX_STEPS_PER_CASE = 4


def sweep_cases(now: datetime) -> dict[str, int]:
    counts = {"terminated": 0, "overdue": 0, "reminded": 0, "failed": 0}
    with unit_of_work() as uow:
        due = list(uow.cases.due(now))
    for case_no in due:
        for _ in range(MAX_STEPS_PER_CASE):
            try:
                with unit_of_work() as uow:
                    outcome = _sweep_case(uow, case_no, now)
            except Exception:
                # One bad case (unreadable record, a fault of the store) is logged and skipped; the rest of
                # the run goes on, and the case is looked at again next run.
                logger.exception("sweep failed for a case", extra={"case_no": case_no})
                counts["failed"] += 1
                break
            if not outcome:
                break
            counts[outcome] += 1
    return counts


def _sweep_case(uow: UnitOfWork, case_no: str, now: datetime) -> str | None:
    """Take the step the case is due for, if any (a race with staff loses: the case is looked at next run)."""
    try:
        case = uow.cases.get(case_no)
        action = case.due_action(now)
        if action is None:
            return None
        step = {
            Action.TERMINATE: case.terminate, Action.MARK_OVERDUE: case.mark_overdue,
            Action.REMIND_SUPPLEMENT: case.remind_supplement, Action.REMIND_PICKUP: case.remind_pickup,
        }[action]
        uow.cases.update(case, step(SWEEPER, now))
        uow.commit()
    except (InvalidTransition, NotFound, ConcurrentUpdate) as err:
        logger.info("sweep skipped a case", extra={"case_no": case_no, "reason": type(err).__name__})
        return None
    return _STEPS[action]


def sweep(now: datetime | None = None) -> dict[str, int]:
    at = now or utcnow()
    counts: dict[str, int] = {"terminated": 0, "overdue": 0, "reminded": 0, "failed": 0}
    for step in (sweep_cases, *EXTRA_SWEEPS):
        try:
            for key, n in step(at).items():
                counts[key] = counts.get(key, 0) + n
        except Exception:
            # A sweep that fails as a whole (its listing could not be read) does not stop the others; each
            # isolates its own items too.
            logger.exception("sweep failed", extra={"sweep": getattr(step, "__name__", str(step))})
            counts["failed"] += 1
    if any(counts.values()):
        logger.info("sweep done", extra={"counts": counts})
    # Overdue work found this run (cases, legs, tickets: every count named *overdue*); the cloud alarms on it.
    count("OverdueFound", sum(n for k, n in counts.items() if "overdue" in k), stage=settings().stage)
    return counts
