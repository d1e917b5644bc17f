"""The handling routes refuse clearly: wrong office 403, wrong state 409 (with the current state),
rule 422, unknown case 404, bad body 400 naming the field, no token 401."""
from __future__ import annotations

import pytest

from tests.shipping_support import deliver, forward_and_route, legs_of
from tests.support import call, citizen, received_case, staff

UNKNOWN = "KC4403002026030200999"


@pytest.fixture
def accepted(client, pump):
    case = received_case(client)
    forward_and_route(client, pump, case["case_no"], "SZ-GOV")
    [leg] = legs_of(client, case["case_no"])
    deliver(client, pump, leg["waybill"])
    return case["case_no"]


@pytest.mark.parametrize(("path", "who", "body"), [
    ("forward", "DG-GOV", None),  # only the receiving office forwards
    ("sign", "SZ-GOV", None),  # only the handling office signs
    ("decide", "SZ-GOV", {"approved": True}),
    ("return", "ZH-GOV", {"reason": "x"}),
])
def test_wrong_office_is_403(client, pump, path, who, body):
    case = received_case(client)
    if path != "forward":
        forward_and_route(client, pump, case["case_no"], "SZ-GOV")
    status, data = call(client, "POST", f"/cases/{case['case_no']}/{path}", staff(who), body)
    assert status == 403 and data["code"] == "forbidden"


def test_citizens_cannot_use_staff_routes_and_tokens_are_required(client):
    case = received_case(client)
    assert call(client, "POST", f"/cases/{case['case_no']}/forward", citizen())[0] == 403
    assert call(client, "POST", f"/cases/{case['case_no']}/forward")[0] == 401
    assert call(client, "GET", f"/cases/{case['case_no']}/shipments")[0] == 401


def test_wrong_state_is_409_with_the_current_state(client, pump, accepted):
    status, data = call(client, "POST", f"/cases/{accepted}/ship-result", staff("DG-GOV"))
    assert status == 409 and data["current_status"] == "ACCEPTED"
    status, data = call(client, "POST", f"/cases/{accepted}/sign", staff("DG-GOV"))
    assert status == 409 and data["current_status"] == "ACCEPTED"
    status, data = call(client, "POST", f"/cases/{accepted}/forward", staff("SZ-GOV"))
    assert status == 409 and data["current_status"] == "ACCEPTED"
    status, data = call(client, "POST", f"/cases/{accepted}/reship", staff("SZ-GOV"))
    assert status == 409 and data["current_status"] == "ACCEPTED"


def test_pickup_before_the_result_is_there_is_409(client, pump):
    case = received_case(client, method="PICKUP_RECEIVING")
    status, data = call(client, "POST", f"/cases/{case['case_no']}/pickup", staff("SZ-GOV"))
    assert status == 409 and data["current_status"] == "RECEIVED"


def test_decide_while_a_material_is_missing_is_422_until_supplemented(client, pump):
    case = received_case(client, matter_id="DG-HUKOU-MOVE", provided=["身份证", "户口簿", "迁入地证明"])
    case_no = case["case_no"]
    assert case["missing"] == ["照片"]
    forward_and_route(client, pump, case_no, "SZ-GOV")
    assert call(client, "POST", f"/cases/{case_no}/sign", staff("DG-GOV"))[1]["status"] == "ACCEPTED"
    status, data = call(client, "POST", f"/cases/{case_no}/decide", staff("DG-GOV"), {"approved": True})
    assert status == 422 and data["code"] == "materials_outstanding" and data["materials"] == ["照片"]
    call(client, "POST", f"/cases/{case_no}/supplements", citizen(), {"material": "照片"})
    status, data = call(client, "POST", f"/cases/{case_no}/decide", staff("DG-GOV"), {"approved": True})
    assert status == 200 and data["status"] == "APPROVED"


def test_return_for_correction_and_supplement_back_to_accepted(client, pump, accepted):
    status, data = call(client, "POST", f"/cases/{accepted}/return", staff("DG-GOV"), {"reason": "申请表未签名"})
    assert status == 200 and data["status"] == "RETURNED" and data["return_reason"] == "申请表未签名"
    assert data["correction_due"] and data["supplement_due"] is None  # its own deadline; no 容缺 pending
    status, data = call(client, "POST", f"/cases/{accepted}/supplements", citizen(), {"material": "申请表"})
    assert status == 200 and data["status"] == "ACCEPTED"
    pump.run_until_idle()
    assert call(client, "POST", f"/cases/{accepted}/decide", staff("DG-GOV"), {"approved": True})[0] == 200


@pytest.mark.parametrize(("method", "path"), [
    ("POST", "forward"), ("POST", "sign"), ("POST", "ship-result"), ("POST", "pickup"), ("POST", "reship"),
    ("GET", "shipments"),
])
def test_unknown_case_is_404(client, method, path):
    for case_no in (UNKNOWN, "not-a-case"):
        status, data = call(client, method, f"/cases/{case_no}/{path}", staff("SZ-GOV"))
        assert status == 404 and data["code"] == "not_found"
    status, _ = call(client, "POST", f"/cases/{UNKNOWN}/decide", staff("DG-GOV"), {"approved": True})
    assert status == 404


@pytest.mark.parametrize(("path", "body", "field"), [
    ("decide", {}, "approved"),
    ("decide", {"approved": "yes"}, "approved"),
    ("decide", {"approved": True, "verdict": "ok"}, "verdict"),
    ("decide", "[1, 2]", "body"),
    ("decide", "{not json", "body"),
    ("return", {}, "reason"),
    ("return", {"reason": ""}, "reason"),
    ("forward", {"note": 5}, "note"),
    ("reship", {"waybill": "EMS 0001"}, "waybill"),
])
def test_bad_body_is_400_naming_the_field(client, path, body, field):
    case_no = received_case(client)["case_no"]  # the body is checked before the case
    status, data = call(client, "POST", f"/cases/{case_no}/{path}", staff("DG-GOV"), body)
    assert status == 400 and data["code"] == "invalid_input"
    assert data["message"].startswith(field), data
