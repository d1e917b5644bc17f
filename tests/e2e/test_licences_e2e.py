"""End to end over real HTTP on the local stack (its simulated licence library included): a Shenzhen citizen
applies at a Shenzhen window for Dongguan's social-insurance certificate (DG-SI-CERT) and authorizes the
lookups; the case is approved by rule (秒批), its result issued as an electronic licence, and it is 办结 with no
parcel and no person deciding. The timeline says why."""
from __future__ import annotations

from typing import Any

import pytest
import requests

from tests.e2e.conftest import wait_for
from tests.licence_support import demo_application
from tests.support import token

pytestmark = pytest.mark.e2e


def _h(role: str, sub: str | None = None, office: str | None = None, city: str | None = None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token(role, sub, office, city)}", "Content-Type": "application/json"}


def _get(base: str, path: str, headers: dict[str, str]) -> Any:
    resp = requests.get(base + path, headers=headers, timeout=10)
    assert resp.status_code == 200, resp.text
    return resp.json()


def test_secure_apply_approved_by_rule_issued_electronically_with_no_parcel(local_stack: str) -> None:
    alice, window = _h("citizen", "alice"), _h("staff", office="SZ-GOV")
    resp = requests.post(f"{local_stack}/cases", json=demo_application(), headers=alice, timeout=30)
    assert resp.status_code == 201, resp.text
    case = resp.json()
    no = case["case_no"]
    id_card = next(m for m in case["materials"] if m["name"] == "身份证")
    assert id_card["source"] == "licence" and id_card["licence"]["issuer"] == "东莞市公安局"
    assert case["electronic"] is True  # nothing left to carry: 申请表 was filled online

    for step in ("receive", "forward"):
        resp = requests.post(f"{local_stack}/cases/{no}/{step}", json={}, headers=window, timeout=30)
        assert resp.status_code == 200, resp.text

    done = wait_for(lambda: (c := _get(local_stack, f"/cases/{no}", alice))["status"] == "COMPLETED" and c,
                    timeout=60)
    assert done["decision"] == "APPROVED" and done["result_licence"]["licence_type"] == "社会保险参保缴费证明"
    assert done["rule_check"]["outcome"] == "approved" and done["rule_check"]["rule_id"] == "DG-SI-CONTRIB"
    assert _get(local_stack, f"/cases/{no}/shipments", alice)["items"] == []  # no parcel, either way

    timeline = _get(local_stack, f"/cases/{no}/timeline", alice)["items"]
    actions = [e["action"] for e in timeline]
    assert actions[:5] == ["apply", "read_licences", "receive", "forward", "route"]
    decide = next(e for e in timeline if e["action"] == "decide")
    assert decide["actor_role"] == "system" and decide["details"]["rule"]["rule_version"] == 1
    assert decide["details"]["rule"]["inputs"]["months_missing"] == 0
    assert not [e for e in timeline if e["actor_role"] == "staff" and e["action"] in ("decide", "issue_result")]
    assert timeline[-1]["action"] == "issue_result" and timeline[-1]["to_status"] == "COMPLETED"

    # Supervisors see the share of automatic decisions; the province sees each use of the data in the log.
    shares = _get(local_stack, "/stats/decisions?city=441900", _h("supervisor", city="441900"))
    row = next(r for r in shares["items"] if r["matter_id"] == "DG-SI-CERT")
    assert row["automatic"] >= 1 and row["automatic_share"] > 0
    log = _get(local_stack, "/access-log?limit=100", _h("supervisor", city="440000"))["items"]
    assert {e["what"] for e in log if e["case_no"] == no} == {"licence:身份证", "records:社保缴费记录"}
