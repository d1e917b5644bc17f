"""The scheduled sweeper: terminates cases whose supplement deadline passed, marks overdue cases, and
runs the other sweeps registered here (parcel legs, reviews, tickets). Every run is idempotent: what it
changed is no longer due, and a race with staff loses cleanly (the case is looked at next run)."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from ..adapters.case_repository import CaseRepository
from ..config import settings
from ..domain.case import Actor
from ..domain.errors import InvalidTransition, NotFound
from ..domain.lifecycle import RULES, Action
from ..domain.workdays import utcnow
from ..observability import count, logger
from . import reviews, tickets
from .routing import sweep_legs

repo = CaseRepository()
SWEEPER = Actor.system("sweeper")

# Other capabilities add their sweeps here: each takes ``now`` and returns counts by what it did.
EXTRA_SWEEPS: list[Callable[[datetime], dict[str, int]]] = []
EXTRA_SWEEPS.append(sweep_legs)  # overdue parcel legs (shipment.overdue)
EXTRA_SWEEPS += [reviews.sweep_default_ratings, tickets.sweep_overdue_tickets]


def sweep_cases(now: datetime) -> dict[str, int]:
    counts = {"terminated": 0, "overdue": 0}
    for case_no in repo.due(now):
        try:
            case = repo.get(case_no)
            deadline = case.supplement_deadline()
            if (case.status in RULES[Action.TERMINATE].sources and deadline and now >= deadline
                    and (case.missing or case.status.value == "RETURNED")):
                repo.commit(case, case.terminate(SWEEPER, now))
                counts["terminated"] += 1
                continue
            promised = case.promised_deadline()
            if case.status in RULES[Action.MARK_OVERDUE].sources and promised and now >= promised \
                    and not case.overdue:
                repo.commit(case, case.mark_overdue(SWEEPER, now))
                counts["overdue"] += 1
        except (InvalidTransition, NotFound) as err:
            logger.info("sweep skipped a case", extra={"case_no": case_no, "reason": type(err).__name__})
    return counts


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
