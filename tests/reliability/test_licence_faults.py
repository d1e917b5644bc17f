"""Faults injected into the licence service (outages, timeouts, lost replies) through its real HTTP client and
the simulator on a free port, under the whole app (moto, the pump): no application is ever lost or doubled, and
no result licence is ever issued twice, however the calls fail and are retried."""
from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import pytest

from chalicelib.adapters.licences import DEV_APP_ID, DEV_LICENCE_KEY, HttpProvincialServices
from tests.licence_support import demo_application
from tests.support import call, citizen, headers, staff
from tools.licence_sim import Registry, Simulator

MODES = ("error", "timeout", "lost_reply")


@pytest.fixture
def sim() -> Iterator[Simulator]:
    from chalicelib import bootstrap

    simulator = Simulator(Registry.seeded(), slow_seconds=0.6).start()
    bootstrap.use_services(HttpProvincialServices(simulator.url, DEV_APP_ID, DEV_LICENCE_KEY, timeout=0.3,
                                                  attempts=2, backoff=0.01, deadline=2.0))
    yield simulator
    bootstrap.use_services(None)
    simulator.stop()


def _cases_of(client: Any, sub: str) -> list[dict[str, Any]]:
    status, page = call(client, "GET", "/me/cases?limit=100", citizen(sub))
    assert status == 200, page
    return list(page["items"])


@pytest.mark.parametrize("mode", MODES)
def test_a_fault_at_application_never_loses_or_doubles_it(client: Any, sim: Simulator, mode: str) -> None:
    sim.registry.fail_always(mode)
    hdrs = {**citizen("alice"), "Idempotency-Key": f"k-{mode}"}
    status, case = call(client, "POST", "/cases", hdrs, demo_application())
    assert status == 201, case
    assert case["licence_unavailable"] == ["身份证"] and case["electronic"] is False
    sim.registry.heal()
    status, again = call(client, "POST", "/cases", hdrs, demo_application())  # the client retries
    assert status == 201 and again["case_no"] == case["case_no"]
    assert [c["case_no"] for c in _cases_of(client, "alice")] == [case["case_no"]]


def test_random_faults_over_many_applications_lose_none(client: Any, sim: Simulator) -> None:
    rnd = random.Random(17)
    made = []
    for i in range(12):
        sim.registry.heal()
        if rnd.random() < 0.6:
            sim.registry.fail_next(rnd.randint(1, 3), rnd.choice(MODES))
        status, case = call(client, "POST", "/cases", {**citizen("alice"), "Idempotency-Key": f"r-{i}"},
                            demo_application())
        assert status == 201, case
        made.append(case["case_no"])
        item = next(m for m in case["materials"] if m["name"] == "身份证")
        # Either read from the licence (and paperless) or told to bring it: never half of each.
        assert (item["source"] == "licence") == case["electronic"] == (case["licence_unavailable"] == [])
    assert sorted(c["case_no"] for c in _cases_of(client, "alice")) == sorted(made)


def test_issue_after_lost_replies_yields_one_licence(client: Any, pump: Any, sim: Simulator) -> None:
    body = demo_application(sub="bob", requested_period={"from": "2025-01", "to": "2025-06"})  # a gap: a person
    status, case = call(client, "POST", "/cases", citizen("bob"), body)
    assert status == 201, case
    no = case["case_no"]
    for step in ("receive", "forward"):
        assert call(client, "POST", f"/cases/{no}/{step}", staff("SZ-GOV"), {})[0] == 200
    pump.run_until_idle()
    handling = headers("staff", office="DG-GOV")
    status, seen = call(client, "GET", f"/cases/{no}", handling)
    assert seen["status"] == "ACCEPTED" and seen["rule_check"]["outcome"] == "no_match", seen
    assert call(client, "POST", f"/cases/{no}/decide", handling, {"approved": True})[0] == 200
    sim.registry.fail_always("lost_reply")  # each issue is done at the library and its reply lost
    status, err = call(client, "POST", f"/cases/{no}/ship-result", handling, {})
    assert status == 503 and err["code"] == "service_unavailable", err
    status, err = call(client, "POST", f"/cases/{no}/ship-result", handling, {})
    assert status == 503, err
    sim.registry.heal()
    status, done = call(client, "POST", f"/cases/{no}/ship-result", handling, {})
    assert status == 200 and done["status"] == "COMPLETED", done
    issued = sim.registry.issued_to(no)
    assert len(issued) == 1 and done["result_licence"]["licence_no"] == issued[0].licence_no
    status, _ = call(client, "POST", f"/cases/{no}/ship-result", handling, {})
    assert status == 409 and len(sim.registry.issued_to(no)) == 1
    pump.run_until_idle()
    status, timeline = call(client, "GET", f"/cases/{no}/timeline", handling)
    assert [e["action"] for e in timeline["items"]].count("issue_result") == 1
