"""One step of a case's lifecycle as a use case: load, ask the domain, commit (shared by intake, handling)."""
from __future__ import annotations

from collections.abc import Callable

from ..bootstrap import unit_of_work
from ..domain.case import Case, Change


def change_case(case_no: str, step: Callable[[Case], Change]) -> Case:
    """Load the case, take one step of its lifecycle, commit the step with its timeline and outbox event."""
    with unit_of_work() as uow:
        case = uow.cases.get(case_no)
        uow.cases.update(case, step(case))
        uow.commit()
        return case
