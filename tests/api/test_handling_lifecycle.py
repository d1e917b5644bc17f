"""A case's whole life through the routes and the queue handlers (as Lambda runs them), for every ordered
pair of cities and every way the result comes back; and the electronic matter."""
from __future__ import annotations

import pytest

from chalicelib.reference import load_files
from chalicelib.services.notifications import sent_for
from tests.shipping_support import case_of, deliver, forward_and_route, legs_of
from tests.support import MATTER_OF_CITY, OFFICE_OF_CITY, call, received_case, staff

SZ, DG, ZH = "440300", "441900", "440400"
ALL_MATERIALS = {m["matter_id"]: [x["name"] for x in m["materials"]] for m in load_files()["matters"]}
PAIRS = [(SZ, DG), (SZ, ZH), (DG, SZ), (DG, ZH), (ZH, SZ), (ZH, DG)]
METHODS = ["MAIL", "PICKUP_RECEIVING", "PICKUP_HANDLING"]


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize(("receiving_city", "handling_city"), PAIRS)
def test_full_lifecycle(client, pump, receiving_city, handling_city, method):
    receiving, handling = OFFICE_OF_CITY[receiving_city], OFFICE_OF_CITY[handling_city]
    matter = MATTER_OF_CITY[handling_city]
    case = received_case(client, matter_id=matter, office_id=receiving, method=method,
                         address_city=receiving_city, provided=ALL_MATERIALS[matter])
    case_no = case["case_no"]

    routed = forward_and_route(client, pump, case_no, receiving)
    assert routed["status"] == "IN_TRANSIT" and routed["handling_office_id"] == handling
    [materials] = legs_of(client, case_no)
    assert (materials["kind"], materials["from_office_id"], materials["to_office_id"]) == (
        "MATERIALS", receiving, handling)
    assert materials["status"] == "CREATED" and materials["expected_arrival"]

    deliver(client, pump, materials["waybill"])
    accepted = case_of(client, case_no)
    assert accepted["status"] == "ACCEPTED" and accepted["promised_by"]
    assert legs_of(client, case_no)[0]["status"] == "DELIVERED"

    assert call(client, "POST", f"/cases/{case_no}/decide", staff(handling), {"approved": True})[1][
        "status"] == "APPROVED"
    status, shipped = call(client, "POST", f"/cases/{case_no}/ship-result", staff(handling))
    assert status == 200
    pump.run_until_idle()
    legs = legs_of(client, case_no)

    if method == "PICKUP_HANDLING":
        assert shipped["status"] == "READY_FOR_PICKUP" and len(legs) == 1  # no parcel
        pickup_office = handling
    else:
        assert shipped["status"] == "RESULT_IN_TRANSIT"
        result = legs[1]
        assert (result["kind"], result["from_office_id"]) == ("RESULT", handling)
        if method == "MAIL":
            assert result["to_office_id"] is None and result["to_city"] == receiving_city
            assert result["to_address"]["phone"] == "13800138000"  # the applicant sees their own address
        else:
            assert result["to_office_id"] == receiving
        deliver(client, pump, result["waybill"], start=100)
        pickup_office = receiving

    final = case_of(client, case_no)
    if method != "MAIL":
        assert final["status"] == "READY_FOR_PICKUP" and final["pickup_office_id"] == pickup_office
        other = handling if pickup_office == receiving else receiving
        assert call(client, "POST", f"/cases/{case_no}/pickup", staff(other))[0] == 403
        status, final = call(client, "POST", f"/cases/{case_no}/pickup", staff(pickup_office))
        assert status == 200
        pump.run_until_idle()
    assert final["status"] == "COMPLETED"

    status, timeline = call(client, "GET", f"/cases/{case_no}/timeline", staff(receiving))
    statuses = [e["to_status"] for e in timeline["items"]]
    assert statuses[:5] == ["SUBMITTED", "RECEIVED", "IN_TRANSIT", "IN_TRANSIT", "ACCEPTED"]
    assert statuses[-1] == "COMPLETED"
    sent = [n["event_type"] for n in sent_for(case_no)]
    finishing = {"MAIL": "case.deliver_result", "PICKUP_RECEIVING": "case.pickup",
                 "PICKUP_HANDLING": "case.pickup"}[method]
    for expected in ("case.receive", "case.sign", "case.decide", "case.ship_result", finishing):
        assert expected in sent
    if method == "PICKUP_RECEIVING":
        assert "case.result_at_pickup_office" in sent


@pytest.mark.emulator
def test_full_lifecycle_on_dynamodb(client, pump):
    """The same life on moto: every lifecycle route and queue handler through the DynamoDB adapters."""
    test_full_lifecycle(client, pump, SZ, DG, "MAIL")


def test_electronic_matter_needs_no_parcel(client, pump):
    case = received_case(client, matter_id="ZH-HOUSING-RECORD", office_id="SZ-GOV", method="MAIL")
    routed = forward_and_route(client, pump, case["case_no"], "SZ-GOV")
    assert routed["status"] == "ACCEPTED" and routed["handling_office_id"] == "ZH-GOV"
    assert routed["promised_by"]
    assert legs_of(client, case["case_no"]) == []
    assert "case.route" in [n["event_type"] for n in sent_for(case["case_no"])]

    call(client, "POST", f"/cases/{case['case_no']}/decide", staff("ZH-GOV"), {"approved": False, "note": "无记录"})
    assert call(client, "POST", f"/cases/{case['case_no']}/ship-result", staff("ZH-GOV"))[1]["status"] == \
        "RESULT_IN_TRANSIT"
    pump.run_until_idle()
    [result] = legs_of(client, case["case_no"])
    deliver(client, pump, result["waybill"])
    final = case_of(client, case["case_no"])
    assert final["status"] == "COMPLETED" and final["decision"] == "DENIED"
