"""Figure: electronic licences and 秒批 (issue 17).

- ``no_parcel_share``: demo applications seeded for the three demo citizens, every matter at every window that
  accepts it, each with the authorization of every licence material and the matter's records, the result as a
  licence where the matter allows it (else to the receiving window), all taken to 办结 in process (in-memory
  unit of work, the seeded licence simulator, the same services and consumers): the share of cases with no
  parcel at all, against the same applications on paper.
- ``seconds_to_completion``: application → 办结 of DG-SI-CERT on the local stack (``make run`` as a subprocess,
  its pump and simulated licence library: the pump's delays included), approved by rule (秒批), against the
  same matter decided by a person (a rule that does not match; a scripted person who decides and issues the
  moment the case is accepted: so the figure is the machinery's, the real person's wait comes on top).
"""
from __future__ import annotations

import importlib
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any


def _complete(db: Any, case_no: str) -> None:
    """Take a case through the window, the router and the handling office as the queues would."""
    from chalicelib.domain.actor import Actor, Role
    from chalicelib.domain.lifecycle import Status
    from chalicelib.services import handling, routing
    from tests.licence_support import outbox_event
    from tests.storage import Cases

    cases = Cases()
    case = cases.get(case_no)
    receiving = Actor(f"staff-{case.receiving_office_id}", Role.STAFF, office_id=case.receiving_office_id)
    from chalicelib.services import intake

    intake.receive(receiving, case_no, [])
    forwarded = handling.forward(receiving, case_no)
    routing.handle_routing_event(outbox_event(db, case_no, forwarded.version))
    case = cases.get(case_no)
    office = Actor(f"staff-{case.handling_office_id}", Role.STAFF, office_id=case.handling_office_id)
    if case.status is Status.IN_TRANSIT:
        signed = handling.sign(office, case_no)
        routing.handle_routing_event(outbox_event(db, case_no, signed.version))
    else:
        routing.handle_routing_event(outbox_event(db, case_no, case.version))
    case = cases.get(case_no)
    if case.status is Status.ACCEPTED:
        handling.decide(office, case_no, True)
        case = cases.get(case_no)
    if case.status is Status.APPROVED:
        shipped = handling.ship_result(office, case_no)
        if shipped.status is Status.RESULT_IN_TRANSIT:
            routing.handle_routing_event(outbox_event(db, case_no, shipped.version))


def no_parcel_share() -> dict[str, Any]:
    import time as clock

    from chalicelib import bootstrap
    from chalicelib.adapters import reference_store
    from chalicelib.domain.actor import Actor, Role
    from chalicelib.domain.reference import Catalogue
    from chalicelib.reference import load_files
    # Imported by name: mypy checks bench/, and the test doubles are not held to its settings.
    Database = importlib.import_module("tests.fakes").Database
    from tests.support import service_apply
    from tools.licence_sim import DEMO_HOLDERS, Registry

    cat = Catalogue.from_rows(load_files())
    results: dict[str, Any] = {}
    for variant in ("licences", "paper"):
        db = Database()
        bootstrap.use(db.uow)
        bootstrap.use_services(Registry.seeded())
        reference_store._cache = (clock.monotonic() + 10**6, cat)
        made: list[str] = []
        try:
            for sub, holder in DEMO_HOLDERS.items():
                for matter in cat.matters.values():
                    for office in (o for o in cat.offices.values()
                                   if o.city in matter.accepted_in and "receiving" in o.kinds):
                        method = ("ELECTRONIC" if variant == "licences" and "ELECTRONIC" in matter.deliveries
                                  else "PICKUP_RECEIVING")
                        body: dict[str, Any] = {
                            "matter_id": matter.matter_id, "receiving_office_id": office.office_id,
                            "applicant": {"name": holder["name"], "id_type": "RESIDENT_ID",
                                          "id_number": holder["id_number"], "phone": "13800138000"},
                            "materials": [{"name": m.name, "provided": True} for m in matter.materials],
                            "delivery": {"method": method}}
                        if variant == "licences":
                            body["licence_authorization"] = {
                                "materials": list(matter.licence_materials()), "records": bool(matter.approval_rule)}
                        case, _ = service_apply(Actor(sub, Role.CITIZEN, name=holder["name"]), body)
                        _complete(db, case.case_no)
                        made.append(case.case_no)
        finally:
            bootstrap.use(None)
            bootstrap.use_services(None)
            reference_store.invalidate()
        # A parcel: a leg booked for the case, or a consolidated parcel (合包) it travels in (sealed at the cut-off).
        with_parcel = {leg.case_no for leg in db.legs.values()} | {no for no in made if db.cases[no].parcels}
        completed = sum(1 for no in made if db.cases[no].status.value == "COMPLETED")
        results[variant] = {"cases": len(made), "completed_in_process": completed,  # mail legs wait for a courier
                            "no_parcel": sum(1 for no in made if no not in with_parcel),
                            "share_no_parcel": round(sum(1 for no in made if no not in with_parcel) / len(made), 3),
                            "legs": len(db.legs), "consolidated_parcels": len(getattr(db, "parcels", {})),
                            "decided_by_rule": sum(1 for no in made if (db.cases[no].rule_check or {})
                                                   .get("outcome") == "approved")}
    return results


def _walk(base: str, sub: str, person: bool, timeout: float = 120.0) -> float:
    import requests

    from tests.licence_support import demo_application
    from tests.support import token

    def h(role: str, who: str | None = None, office: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {token(role, who, office)}"}

    body = demo_application(sub=sub)
    if person:  # a period with a gap in the record: the rule does not match, a person decides
        body["requested_period"] = {"from": "2025-01", "to": "2025-06"}
    started = time.perf_counter()
    resp = requests.post(f"{base}/cases", json=body, headers=h("citizen", sub), timeout=30)
    resp.raise_for_status()
    no = resp.json()["case_no"]
    for step in ("receive", "forward"):
        requests.post(f"{base}/cases/{no}/{step}", json={}, headers=h("staff", office="SZ-GOV"),
                      timeout=30).raise_for_status()
    handler = h("staff", office="DG-GOV")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        case = requests.get(f"{base}/cases/{no}", headers=h("citizen", sub), timeout=30).json()
        if case["status"] == "COMPLETED":
            return time.perf_counter() - started
        if person and case["status"] == "ACCEPTED" and case.get("rule_check"):
            requests.post(f"{base}/cases/{no}/decide", json={"approved": True}, headers=handler, timeout=30)
        elif person and case["status"] == "APPROVED":
            requests.post(f"{base}/cases/{no}/ship-result", json={}, headers=handler, timeout=30)
        time.sleep(0.1)
    raise TimeoutError(f"{no} not completed in {timeout:.0f} s")


def seconds_to_completion(runs: int = 3) -> dict[str, Any]:
    from bench.env import apply_env
    from tools.local_stack import spawned

    apply_env()  # local dev tokens for the scripted citizen and staff

    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_ENDPOINT_URL")}
    env.update(RESOURCE_PREFIX="kc-bench-licences", PYTHONUNBUFFERED="1")
    log = Path(tempfile.mkdtemp()) / "local_stack.log"
    with spawned(log, env, "--sweep-seconds", "10", "--courier-delay", "2") as base:
        _walk(base, "alice", person=False)  # warm-up: the API's and the pump's first imports and clients
        by_rule = [_walk(base, "alice", person=False) for _ in range(runs)]
        by_person = [_walk(base, "bob", person=True) for _ in range(runs)]
    return {"runs": runs, "by_rule_s": [round(s, 2) for s in by_rule], "by_person_s": [round(s, 2) for s in by_person],
            "by_rule_median_s": round(statistics.median(by_rule), 2),
            "by_person_median_s": round(statistics.median(by_person), 2),
            "note": "the person is scripted to act the moment the case is ready: a real person's wait comes on "
                    "top (DG-SI-CERT promises 3 working days)"}


def measure() -> dict[str, Any]:
    return {"no_parcel": no_parcel_share(),
            "seconds_to_completion": seconds_to_completion(int(os.environ.get("BENCH_LICENCE_RUNS", "3")))}


if __name__ == "__main__":
    import json

    print(json.dumps(measure(), ensure_ascii=False, indent=1))
