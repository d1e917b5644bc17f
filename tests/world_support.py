"""A "world" for the authorization matrix, the personal-data walk and the fuzzer: one case in each state of
the lifecycle, all of the same applicant ("alice"), received at SZ-GOV (Shenzhen, 440300) and handled at
DG-GOV (Dongguan, 441900), plus a bad review with its rectification ticket. ZH-GOV / 440400 is unrelated
to every case. Built through the real HTTP routes and the pump, as a user would bring cases there.

The actors (``ACTORS``) name the roles the matrix is written in.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tests.shipping_support import deliver, forward_and_route, legs_of
from tests.support import application, call, citizen, headers, staff, supervisor, ticket_id_of

MATTER = "DG-HUKOU-MOVE"  # handled in 441900, accepted in 440300; 照片 is non-core (容缺)
RECEIVING, HANDLING, UNRELATED = "SZ-GOV", "DG-GOV", "ZH-GOV"
RECEIVING_CITY, HANDLING_CITY, UNRELATED_CITY, PROVINCE = "440300", "441900", "440400", "440000"
OWNER, OTHER = "alice", "mallory"

# role name → request headers (None: no Authorization header at all)
ACTORS: dict[str, dict[str, str]] = {
    "anonymous": {"Content-Type": "application/json"},
    "owner": citizen(OWNER),
    "other_citizen": citizen(OTHER),
    "staff_receiving": staff(RECEIVING),
    "staff_handling": staff(HANDLING),
    "staff_unrelated": staff(UNRELATED),
    "supervisor_related": supervisor(RECEIVING_CITY),
    "supervisor_unrelated": supervisor(UNRELATED_CITY),
    "provincial": supervisor(PROVINCE),
}


def body_for(method: str = "MAIL", id_seed: int = 7, **overrides: Any) -> dict[str, Any]:
    """An application of the world's matter at the receiving office, with every material provided."""
    return application(matter_id=MATTER, office_id=RECEIVING, method=method, id_seed=id_seed,
                       provided=["身份证", "户口簿", "迁入地证明", "照片"], **overrides)


@dataclass
class World:
    cases: dict[str, str] = field(default_factory=dict)  # state name → case_no
    query_codes: dict[str, str] = field(default_factory=dict)  # case_no → query code
    ticket_id: str = ""
    ticket_case: str = ""
    id_numbers: set[str] = field(default_factory=set)
    id_number_of: dict[str, str] = field(default_factory=dict)  # case_no → the applicant's identity number
    phones: set[str] = field(default_factory=set)
    parcel_id: str = ""  # a sealed consolidated parcel (合包) SZ-GOV → DG-GOV holding the IN_TRANSIT case

    def __getitem__(self, state: str) -> str:
        return self.cases[state]

    def all_cases(self) -> list[str]:
        return list(dict.fromkeys(self.cases.values()))


def _ok(status: int, data: Any, *expected: int) -> Any:
    assert status in (expected or (200,)), (status, data)
    return data


def build_world(client: Any, pump: Any) -> World:
    """Every state of the lifecycle once (a few twice, for routes that change them)."""
    world = World()
    seq = iter(range(100, 1000))

    def apply(state: str, method: str = "MAIL", missing_photo: bool = False) -> str:
        body = body_for(method, id_seed=next(seq))
        if missing_photo:
            body["materials"] = [m for m in body["materials"] if m["name"] != "照片"]
        data = _ok(*call(client, "POST", "/cases", citizen(OWNER), body), 201)
        world.cases[state] = data["case_no"]
        world.query_codes[data["case_no"]] = data["query_code"]
        world.id_numbers.add(body["applicant"]["id_number"])
        world.id_number_of[data["case_no"]] = body["applicant"]["id_number"]
        world.phones.add(body["applicant"]["phone"])
        return str(data["case_no"])

    def post(case_no: str, action: str, hdrs: dict[str, str], body: Any = None, *expected: int) -> Any:
        return _ok(*call(client, "POST", f"/cases/{case_no}/{action}", hdrs, body if body is not None else {}),
                   *(expected or (200,)))

    def receive(case_no: str) -> None:
        post(case_no, "receive", staff(RECEIVING), {"missing": []})

    def routed(case_no: str) -> None:
        receive(case_no)
        forward_and_route(client, pump, case_no, RECEIVING)

    def accepted(case_no: str) -> None:
        routed(case_no)
        post(case_no, "sign", staff(HANDLING))

    apply("SUBMITTED")
    apply("SUBMITTED_2")
    receive(apply("RECEIVED"))
    case_no = apply("RECEIVED_MISSING", missing_photo=True)
    post(case_no, "receive", staff(RECEIVING), {"missing": ["照片"]})
    post(apply("REFUSED"), "refuse", staff(RECEIVING), {"reason": "户口簿 is a copy"})
    post(apply("WITHDRAWN"), "withdraw", citizen(OWNER))
    routed(apply("IN_TRANSIT"))
    routed(apply("IN_TRANSIT_2"))
    accepted(apply("ACCEPTED"))
    accepted(apply("ACCEPTED_2"))
    case_no = apply("RETURNED")
    accepted(case_no)
    post(case_no, "return", staff(HANDLING), {"reason": "照片 is blurred"})
    case_no = apply("APPROVED")
    accepted(case_no)
    post(case_no, "decide", staff(HANDLING), {"approved": True})
    case_no = apply("RESULT_IN_TRANSIT")
    accepted(case_no)
    post(case_no, "decide", staff(HANDLING), {"approved": True})
    post(case_no, "ship-result", staff(HANDLING))
    pump.run_until_idle()
    case_no = apply("READY_FOR_PICKUP", method="PICKUP_RECEIVING")
    accepted(case_no)
    post(case_no, "decide", staff(HANDLING), {"approved": False, "note": "not eligible"})
    post(case_no, "ship-result", staff(HANDLING))
    pump.run_until_idle()
    result = [leg for leg in legs_of(client, case_no) if leg["kind"] == "RESULT"]
    deliver(client, pump, result[-1]["waybill"], start=100)
    case_no = apply("COMPLETED")
    accepted(case_no)
    post(case_no, "decide", staff(HANDLING), {"approved": True})
    post(case_no, "ship-result", staff(HANDLING))
    pump.run_until_idle()
    result = [leg for leg in legs_of(client, case_no) if leg["kind"] == "RESULT"]
    deliver(client, pump, result[-1]["waybill"], start=200)

    # A bad review of the receiving stage opens a ticket for SZ-GOV (city 440300).
    case_no = apply("REVIEWED")
    receive(case_no)
    post(case_no, "reviews", citizen(OWNER),
         {"stage": "receiving", "rating": 1, "tags": ["态度差"], "comment": "waited two hours"}, 201)
    pump.run_until_idle()
    world.ticket_case = case_no
    world.ticket_id = ticket_id_of(client, case_no, "receiving")
    _ok(*call(client, "GET", f"/tickets/{world.ticket_id}", supervisor(RECEIVING_CITY)))

    # Last, so that no pump runs after it: the router has not run yet (no handling office, no parcel).
    case_no = apply("IN_TRANSIT_UNROUTED")
    receive(case_no)
    post(case_no, "forward", staff(RECEIVING))

    for state, case_no in world.cases.items():  # the world is what it says it is
        expected = state.split("_2")[0].replace("_MISSING", "").replace("_UNROUTED", "")
        expected = "RECEIVED" if expected == "REVIEWED" else expected
        data = _ok(*call(client, "GET", f"/cases/{case_no}", citizen(OWNER)))
        assert data["status"] == expected, (state, data["status"])
    world.parcel_id = _sealed_parcel(world.cases["IN_TRANSIT"])
    return world


def _sealed_parcel(case_no: str) -> str:
    """A parcel sealed with the case on its handover list, stored as the sealing job stores one."""
    from datetime import timedelta

    from chalicelib.adapters.reference_store import catalogue
    from chalicelib.bootstrap import unit_of_work
    from chalicelib.domain.parcels import open_parcel
    from chalicelib.domain.shipping import LegKind
    from chalicelib.domain.workdays import utcnow

    cat, at = catalogue(), utcnow() - timedelta(days=1)
    parcel = open_parcel(LegKind.MATERIALS, cat.office(RECEIVING), HANDLING, at)
    parcel.join(case_no, at)
    route = cat.route_between(RECEIVING, HANDLING)
    parcel.seal(at, waybill="EMS000000000777", route=route)
    with unit_of_work() as uow:
        uow.parcels.add(parcel)
        uow.legs.add(parcel.leg(cat.office(RECEIVING), route))
        uow.commit()
    return parcel.parcel_id


def fresh_case(client: Any, state: str = "SUBMITTED", id_seed: int = 900) -> str:
    """One more case of the world's applicant (for tests that spend one)."""
    data = _ok(*call(client, "POST", "/cases", citizen(OWNER), body_for(id_seed=id_seed)), 201)
    if state == "RECEIVED":
        _ok(*call(client, "POST", f"/cases/{data['case_no']}/receive", staff(RECEIVING), {}))
    return str(data["case_no"])


__all__ = ["ACTORS", "World", "body_for", "build_world", "fresh_case", "headers"]
