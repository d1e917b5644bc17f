"""Deviations from DESIGN §6 found by the outside contract walk (tests/e2e/test_contract_e2e.py), each fixed
and pinned here through the API."""
from __future__ import annotations

import json
from typing import Any

from tests.support import application, call, citizen, staff


def test_apply_by_window_staff_returns_the_query_code_for_the_walk_in_applicant(client):
    # §6: POST /cases (citizen, staff) → 201 {case_no, query_code, status, ...}. The staff member hands the
    # code to the applicant, who has no login and tracks the case with it.
    status, case = call(client, "POST", "/cases", staff("SZ-GOV"), application(id_seed=41))
    assert status == 201, case
    assert case["status"] == "SUBMITTED" and len(case["query_code"]) == 6 and case["query_code"].isdigit()
    assert "*" in case["applicant"]["id_number"]  # still masked: staff are not the applicant
    status, tracked = call(client, "GET", f"/track/{case['case_no']}?code={case['query_code']}")
    assert status == 200 and tracked["status"] == "SUBMITTED"
    # Afterwards the case detail does not show it to staff.
    status, seen = call(client, "GET", f"/cases/{case['case_no']}", staff("SZ-GOV"))
    assert status == 200 and "query_code" not in seen


def test_a_retry_with_the_same_idempotency_key_gets_the_same_201(client):
    hdrs = citizen("retrier") | {"Idempotency-Key": "contract-retry-1"}
    first = client.http.post("/cases", headers=hdrs, body=_json(application(id_seed=42)))
    again = client.http.post("/cases", headers=hdrs, body=_json(application(id_seed=42)))
    assert first.status_code == again.status_code == 201
    assert "Idempotent-Replayed" not in first.headers and again.headers["Idempotent-Replayed"] == "true"
    assert _load(first.body)["case_no"] == _load(again.body)["case_no"]
    assert _load(first.body)["query_code"] == _load(again.body)["query_code"]


def _json(body: object) -> str:
    return json.dumps(body, ensure_ascii=False)


def _load(raw: bytes) -> dict[str, Any]:
    return dict(json.loads(raw))
