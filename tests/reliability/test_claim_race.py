"""认领 under real concurrency (threads against the emulator server): several citizens who all know a walk-in
case's query code and identity number claim it at once — exactly one gets it, every other gets the same 404
as any mismatch, the timeline has one claim; the same citizen claiming twice at once gets it both times."""
from __future__ import annotations

from collections import Counter

from tests.reliability.test_races import _race, isolated_dynamodb  # noqa: F401 - the fixture is used by name
from tests.review_support import citizen_actor, staff_actor
from tests.support import application, service_apply

CLAIMANTS = 8


def test_concurrent_claims_have_one_winner(isolated_dynamodb):  # noqa: F811
    from chalicelib.services import citizen_cases
    from tests.storage import Cases

    body = application(office_id="SZ-GOV", id_seed=61)
    case, _ = service_apply(staff_actor("SZ-GOV"), body)
    id_number = body["applicant"]["id_number"]
    subs = [f"claimant-{i}" for i in range(CLAIMANTS)]
    statuses = _race([
        (lambda sub=sub: citizen_cases.claim(citizen_actor(sub), case.case_no, case.query_code, id_number,
                                             caller=sub))
        for sub in subs])
    assert statuses == Counter({200: 1, 404: CLAIMANTS - 1}), statuses
    stored = Cases().get(case.case_no)
    assert stored.applicant.sub in subs
    claims = [e for e in Cases().timeline(case.case_no) if e["action"] == "claim"]
    assert len(claims) == 1 and claims[0]["actor_sub"] == stored.applicant.sub

    # The winner again, twice at once: both answered with the case, still one claim on the timeline.
    winner = citizen_actor(stored.applicant.sub)
    again = _race([lambda: citizen_cases.claim(winner, case.case_no, case.query_code, id_number)] * 2)
    assert again == Counter({200: 2})
    assert len([e for e in Cases().timeline(case.case_no) if e["action"] == "claim"]) == 1
