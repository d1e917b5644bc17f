"""Helpers for the tests of electronic licences and 秒批: the simulated library as the services' port (working
or failing), applications of the demo citizens with their authorization, and driving a case to acceptance."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from chalicelib.domain.actor import Actor, Role
from tools.licence_sim import DEMO_HOLDERS, Registry

ALICE = Actor("alice", Role.CITIZEN, name="张三")
SZ_STAFF = Actor("staff-sz-gov", Role.STAFF, office_id="SZ-GOV")
DG_STAFF = Actor("staff-dg-gov", Role.STAFF, office_id="DG-GOV")


@pytest.fixture
def library() -> Iterator[Registry]:
    """The seeded simulator's registry as the licence library and records of the services (no HTTP)."""
    from chalicelib import bootstrap

    registry = Registry.seeded()
    bootstrap.use_services(registry)
    yield registry
    bootstrap.use_services(None)


def demo_application(sub: str = "alice", matter_id: str = "DG-SI-CERT", office_id: str = "SZ-GOV",
                     method: str = "ELECTRONIC", authorize: list[str] | None = None, records: bool = True,
                     provided: list[str] | None = None, **overrides: Any) -> dict[str, Any]:
    """A demo citizen's application; ``authorize``: the materials read from licences (None: 身份证)."""
    from tests.support import CORE, application

    holder = DEMO_HOLDERS[sub]
    body = application(matter_id=matter_id, office_id=office_id, method=method,
                       provided=provided if provided is not None else [
                           m for m in CORE[matter_id] if m not in (authorize or ["身份证"])])
    body["applicant"].update(name=holder["name"], id_number=holder["id_number"])
    authorization: dict[str, Any] = {"materials": authorize if authorize is not None else ["身份证"]}
    if records:
        authorization["records"] = True
    body["licence_authorization"] = authorization
    body.update(overrides)
    return body


def outbox_event(db: Any, case_no: str, version: int) -> dict[str, Any]:
    return dict(db.outbox[f"{case_no}#{version}"])


def accept(db: Any, case_no: str) -> None:
    """Receive and forward at the window, then let the router (and so the approval rule) run: as the queues would."""
    from chalicelib.services import handling, intake, routing

    intake.receive(SZ_STAFF, case_no, None)
    forwarded = handling.forward(SZ_STAFF, case_no)
    routing.handle_routing_event(outbox_event(db, case_no, forwarded.version))
    from tests.storage import Cases

    case = Cases().get(case_no)
    if case.status.value == "IN_TRANSIT":  # a parcel: signed for at the handling office
        signed = handling.sign(DG_STAFF, case_no)
        routing.handle_routing_event(outbox_event(db, case_no, signed.version))
    else:  # electronic transfer: the ROUTE event accepted it
        routing.handle_routing_event(outbox_event(db, case_no, case.version))
