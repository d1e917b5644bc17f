"""End to end over real HTTP: the local stack (moto server, chalice local, pump, simulated courier) as a
subprocess, and a case from apply to COMPLETED with no manual sign: the courier's webhook events move the
parcels."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.support import application, token

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 120.0
STEP_TIMEOUT = 60.0

pytestmark = pytest.mark.e2e


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = _free_port()
    log = tmp_path_factory.mktemp("stack") / "local_stack.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_ENDPOINT_URL")}
    env.update(RESOURCE_PREFIX="kc-local", STAGE="local", PYTHONUNBUFFERED="1")
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "tools.local_stack", "--port", str(port), "--sweep-seconds", "1",
             "--courier-delay", "0.2"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if proc.poll() is not None:
                pytest.fail(f"local stack exited ({proc.returncode}):\n{log.read_text(errors='replace')[-3000:]}")
            try:
                if requests.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"local stack did not answer /health:\n{log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.3)
        yield url
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)


def _call(url: str, method: str, path: str, tok: str, body: Any = None) -> tuple[int, Any]:
    resp = requests.request(method, url + path, json=body, timeout=10,
                            headers={"Authorization": f"Bearer {tok}"})
    return resp.status_code, resp.json()


def _wait_for(url: str, case_no: str, tok: str, status: str) -> dict[str, Any]:
    """Poll the case until it reaches ``status`` (bounded: fails after STEP_TIMEOUT)."""
    deadline = time.monotonic() + STEP_TIMEOUT
    seen = None
    while time.monotonic() < deadline:
        code, case = _call(url, "GET", f"/cases/{case_no}", tok)
        assert code == 200, case
        seen = case["status"]
        if seen == status:
            return dict(case)
        time.sleep(0.2)
    pytest.fail(f"case {case_no} stayed {seen}, never reached {status}")


def _to_decision(url: str, method: str, sub: str, seed: int) -> tuple[str, str]:
    citizen = token("citizen", sub)
    status, case = _call(url, "POST", "/cases", citizen, application(method=method, id_seed=seed))
    assert status == 201, case
    case_no = case["case_no"]
    sz, dg = token("staff", office="SZ-GOV"), token("staff", office="DG-GOV")
    assert _call(url, "POST", f"/cases/{case_no}/receive", sz, {})[0] == 200
    assert _call(url, "POST", f"/cases/{case_no}/forward", sz, {})[0] == 200
    accepted = _wait_for(url, case_no, citizen, "ACCEPTED")  # routed, then delivered by the courier
    assert accepted["handling_office_id"] == "DG-GOV"
    status, decided = _call(url, "POST", f"/cases/{case_no}/decide", dg, {"approved": True, "note": "符合条件"})
    assert status == 200 and decided["status"] == "APPROVED", decided
    status, shipped = _call(url, "POST", f"/cases/{case_no}/ship-result", dg, {})
    assert status == 200 and shipped["status"] == "RESULT_IN_TRANSIT", shipped
    return case_no, citizen


def test_mail_case_runs_from_apply_to_completed(api: str) -> None:
    case_no, citizen = _to_decision(api, "MAIL", "e2e-mail", 11)
    done = _wait_for(api, case_no, citizen, "COMPLETED")
    assert done["completed_at"]
    status, legs = _call(api, "GET", f"/cases/{case_no}/shipments", citizen)
    assert status == 200
    assert [(leg["kind"], leg["status"]) for leg in legs["items"]] == [("MATERIALS", "DELIVERED"),
                                                                        ("RESULT", "DELIVERED")]
    assert [e["event"] for e in legs["items"][0]["events"]] == ["CREATED", "PICKED_UP", "IN_TRANSIT", "DELIVERED"]
    _, timeline = _call(api, "GET", f"/cases/{case_no}/timeline", citizen)
    actions = [e["action"] for e in timeline["items"]]
    assert actions == ["apply", "receive", "forward", "route", "sign", "decide", "ship_result", "deliver_result"]
    assert timeline["items"][4]["actor_role"] == "system"  # the courier's DELIVERED signed it in


def test_pickup_at_the_receiving_office(api: str) -> None:
    case_no, citizen = _to_decision(api, "PICKUP_RECEIVING", "e2e-pickup", 12)
    ready = _wait_for(api, case_no, citizen, "READY_FOR_PICKUP")
    assert ready["pickup_office_id"] == "SZ-GOV"
    assert _call(api, "POST", f"/cases/{case_no}/pickup", token("staff", office="DG-GOV"), {})[0] == 403
    status, done = _call(api, "POST", f"/cases/{case_no}/pickup", token("staff", office="SZ-GOV"), {})
    assert status == 200 and done["status"] == "COMPLETED", done
