import pytest

from tests.support import call, citizen, received_case, staff


def test_health(client):
    assert call(client, "GET", "/health") == (200, {"status": "ok"})


@pytest.mark.emulator  # this route on moto as well (tests/api/conftest.py)
def test_apply_receive_and_relay(client, pump):
    case = received_case(client, matter_id="DG-HUKOU-MOVE", provided=["身份证", "户口簿", "迁入地证明"])
    assert case["status"] == "RECEIVED"
    assert case["missing"] == ["照片"]
    pump.run_until_idle()
    from chalicelib.services.notifications import sent_for

    sent = sent_for(case["case_no"])
    assert [n["event_type"] for n in sent] == ["case.receive"]
    assert "照片" in sent[0]["text"]
    status, timeline = call(client, "GET", f"/cases/{case['case_no']}/timeline", citizen())
    assert status == 200 and [e["to_status"] for e in timeline["items"]] == ["SUBMITTED", "RECEIVED"]
    assert call(client, "GET", f"/cases/{case['case_no']}", staff("DG-GOV"))[0] == 403


def test_correlation_id_is_echoed(client):
    resp = client.http.get("/health", headers={"X-Correlation-Id": "abc-123"})
    assert resp.headers["X-Correlation-Id"] == "abc-123"


def test_a_body_without_json_content_type_is_still_read_as_json(client):
    from tests.support import application, citizen

    hdrs = {k: v for k, v in citizen().items() if k != "Content-Type"}
    hdrs["Content-Type"] = "application/x-www-form-urlencoded"
    status, case = call(client, "POST", "/cases", hdrs, application())
    assert status == 201 and case["status"] == "SUBMITTED"
    hdrs["Content-Type"] = "text/plain"
    status, error = call(client, "POST", "/cases", hdrs, "matter_id=DG-SI-CERT")
    assert status == 400 and error["field"] == "body"
