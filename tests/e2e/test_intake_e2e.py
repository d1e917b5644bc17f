"""A new user's first session over real HTTP: apply → receive (容缺) → track, with the SMS on record."""
from __future__ import annotations

from pathlib import Path

import pytest
import requests

from tests.e2e.conftest import wait_for
from tests.support import application, citizen, resident_id, staff

pytestmark = pytest.mark.e2e


def test_apply_receive_track_over_http(local_stack):
    base = local_stack
    assert requests.get(f"{base}/health", timeout=5).json() == {"status": "ok"}
    body = application(matter_id="DG-HUKOU-MOVE", provided=["身份证", "户口簿", "迁入地证明"], id_seed=7)
    resp = requests.post(f"{base}/cases", json=body, headers=citizen("e2e-alice") | {"Idempotency-Key": "e2e-1"},
                         timeout=10)
    assert resp.status_code == 201, resp.text
    case = resp.json()
    case_no, code = case["case_no"], case["query_code"]

    resp = requests.post(f"{base}/cases/{case_no}/receive", json={"missing": ["照片"], "note": "承诺书已签"},
                         headers=staff("SZ-GOV"), timeout=10)
    assert resp.status_code == 200, resp.text
    assert resp.json()["status"] == "RECEIVED" and resp.json()["applicant"]["phone"] == "138****8000"

    tracked = requests.get(f"{base}/track/{case_no}", params={"code": code}, timeout=10).json()
    assert tracked["status"] == "RECEIVED" and tracked["missing"] == ["照片"]
    assert [e["label"] for e in tracked["timeline"]] == ["已申请", "已收件"]

    queue = requests.get(f"{base}/offices/SZ-GOV/cases", params={"status": "RECEIVED"}, headers=staff("SZ-GOV"),
                         timeout=10).json()
    assert case_no in [c["case_no"] for c in queue["items"]]

    # The pump relays the outbox to the notifications queue; the SMS is logged with the phone masked.
    log = Path(__import__("os").environ["E2E_STACK_LOG"])
    line = wait_for(lambda: next((ln for ln in log.read_text(errors="replace").splitlines()
                                  if "sms sent" in ln and case_no in ln), None))
    assert "138****8000" in line and "照片" in line
    text = log.read_text(errors="replace")
    assert "13800138000" not in text and resident_id(7) not in text
