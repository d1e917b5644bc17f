"""Helpers of the review tests: cases brought to a reviewable state without the handling routes (a test
shortcut: the case is committed in its new state with a system change, as the courier event would)."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from chalicelib.adapters.reference_store import catalogue
from chalicelib.domain.case import Actor, Case, Change
from chalicelib.domain.lifecycle import Action, Status
from chalicelib.services import intake
from tests.storage import Cases
from tests.support import application, service_apply

T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # Monday 2026-03-02 10:00 CST

HANDLER_OF_CITY = {"441900": "DG-GOV", "440300": "SZ-GOV", "440400": "ZH-GOV"}


def citizen_actor(sub: str = "alice") -> Actor:
    return Actor(sub=sub, role="citizen", name=sub)


def staff_actor(office_id: str) -> Actor:
    return Actor(sub=f"staff-{office_id}".lower(), role="staff", office_id=office_id)


def supervisor_actor(city: str) -> Actor:
    return Actor(sub=f"supervisor-{city}", role="supervisor", city=city)


def applied_case(sub: str = "alice", at: datetime = T0, matter_id: str = "DG-SI-CERT",
                 office_id: str = "SZ-GOV", **kwargs: Any) -> Case:
    case, _ = service_apply(citizen_actor(sub), application(matter_id=matter_id, office_id=office_id, **kwargs),
                           now=at)
    return case


def received(sub: str = "alice", at: datetime = T0, **kwargs: Any) -> Case:
    case = applied_case(sub, at, **kwargs)
    return intake.receive(staff_actor(case.receiving_office_id), case.case_no, [], now=at)


def complete(case_no: str, at: datetime, handling_office_id: str | None = None) -> Case:
    """Put a received case into COMPLETED (as if forwarded, decided and delivered), emitting the
    ``case.deliver_result`` event a real delivery emits."""
    repo = Cases()
    case = repo.get(case_no)
    before = case.status
    case.handling_office_id = handling_office_id or HANDLER_OF_CITY[case.handling_city]
    case.status = Status.COMPLETED
    case.decision = "APPROVED"
    case.completed_at = case.handling_reviewable_at = case.updated_at = at
    repo.commit(case, Change(Action.DELIVER_RESULT, before, Status.COMPLETED, Actor.system("test"), at,
                             "test shortcut: delivered"))
    return case


def completed(sub: str = "alice", received_at: datetime = T0, completed_at: datetime | None = None,
              **kwargs: Any) -> Case:
    case = received(sub, received_at, **kwargs)
    return complete(case.case_no, completed_at or received_at)


def office_city(office_id: str) -> str:
    return catalogue().office(office_id).city
