"""The signed courier webhook and the courier-events consumer: signatures, validation, duplicates and
out-of-order events, exceptions with alerts, and re-shipping."""
from __future__ import annotations

import json

import pytest

from tests.shipping_support import (
    AlertsProbe,
    at,
    case_of,
    courier_event,
    deliver,
    forward_and_route,
    legs_of,
    queue_depth,
)
from tests.support import call, received_case, staff


@pytest.fixture
def in_transit(client, pump):
    """A DG-SI-CERT case received in Shenzhen, forwarded and routed: its materials leg is on the way."""
    case = received_case(client)
    forward_and_route(client, pump, case["case_no"], "SZ-GOV")
    [leg] = legs_of(client, case["case_no"])
    return case["case_no"], leg["waybill"]


def test_bad_or_missing_signature_is_401_and_queues_nothing(client, pump, in_transit):
    case_no, waybill = in_transit
    status, body = courier_event(client, waybill, "DELIVERED", at(5), signature="0" * 64)
    assert status == 401 and body["code"] == "unauthenticated"
    raw = json.dumps({"waybill": waybill, "event": "DELIVERED", "at": at(5)})
    resp = client.http.post("/webhooks/courier", body=raw, headers={"Content-Type": "application/json"})
    assert resp.status_code == 401
    assert queue_depth("courier-events") == 0
    pump.run_until_idle()
    assert case_of(client, case_no)["status"] == "IN_TRANSIT"
    assert legs_of(client, case_no)[0]["status"] == "CREATED"


@pytest.mark.parametrize(("body", "field"), [
    ({"event": "DELIVERED", "at": "2026-03-02T09:00:00+08:00"}, "waybill"),
    ({"waybill": "EMS000000000001", "event": "ARRIVED", "at": "2026-03-02T09:00:00+08:00"}, "event"),
    ({"waybill": "EMS000000000001", "event": "DELIVERED", "at": "2 March, 9am"}, "at"),
    ({"waybill": "EMS000000000001", "event": "DELIVERED", "at": "2026-03-02T25:00:00"}, "at"),
    ({"waybill": "EMS000000000001", "event": "DELIVERED"}, "at"),
])
def test_signed_but_invalid_event_is_400_naming_the_field(client, body, field):
    from chalicelib.adapters.courier import signed_body

    raw, sig = signed_body(body)
    resp = client.http.post("/webhooks/courier", body=raw,
                            headers={"Content-Type": "application/json", "X-Signature": sig})
    assert resp.status_code == 400, resp.body
    assert json.loads(resp.body)["message"].startswith(field)
    assert queue_depth("courier-events") == 0


def test_unknown_waybill_is_accepted_then_dropped_not_retried(client, pump):
    status, _ = courier_event(client, "EMS999999999999", "DELIVERED", at(1))
    assert status == 202
    pump.run_until_idle()
    assert queue_depth("courier-events") == 0 and queue_depth("courier-events-dlq") == 0


def _outcome(client, case_no):
    legs = legs_of(client, case_no, staff("SZ-GOV"))
    _, timeline = call(client, "GET", f"/cases/{case_no}/timeline", staff("SZ-GOV"))
    # CREATED is stamped when the leg was planned (a moment apart for the two cases); the rest came from here
    return ([(leg["status"], [(e["event"], e["at"]) for e in leg["events"] if e["event"] != "CREATED"])
             for leg in legs],
            case_of(client, case_no, staff("SZ-GOV"))["status"],
            [(e["action"], e["to_status"]) for e in timeline["items"]])


def test_duplicate_and_out_of_order_events_leave_the_in_order_state(client, pump):
    in_order, shuffled = (received_case(client, sub=s, id_seed=i) for i, s in enumerate(("ann", "bob")))
    legs = {}
    for case in (in_order, shuffled):
        forward_and_route(client, pump, case["case_no"], "SZ-GOV")
        legs[case["case_no"]] = legs_of(client, case["case_no"], staff("SZ-GOV"))[0]["waybill"]
    events = [("PICKED_UP", at(1)), ("IN_TRANSIT", at(2)), ("DELIVERED", at(3))]

    for event, when in events:
        courier_event(client, legs[in_order["case_no"]], event, when)
        pump.run_until_idle()

    waybill = legs[shuffled["case_no"]]
    for event, when in [events[2], events[0], events[2]]:  # DELIVERED first, then twice in one batch
        assert courier_event(client, waybill, event, when)[0] == 202
    pump.run_until_idle()
    for event, when in [events[1], events[0], events[2]]:
        courier_event(client, waybill, event, when)
        pump.run_until_idle()

    legs_a, status_a, timeline_a = _outcome(client, in_order["case_no"])
    legs_b, status_b, timeline_b = _outcome(client, shuffled["case_no"])
    assert status_a == status_b == "ACCEPTED"
    assert legs_a == legs_b and legs_a[0][0] == "DELIVERED" and len(legs_a[0][1]) == 3
    assert timeline_a == timeline_b and [a for a, _ in timeline_a].count("sign") == 1


@pytest.mark.emulator  # this route on moto as well (tests/api/conftest.py)
def test_exception_alerts_and_the_sending_office_reships(client, pump, in_transit):
    case_no, waybill = in_transit
    probe = AlertsProbe()
    courier_event(client, waybill, "PICKED_UP", at(1))
    courier_event(client, waybill, "EXCEPTION", at(2))
    courier_event(client, waybill, "EXCEPTION", at(2))
    pump.run_until_idle()
    assert case_of(client, case_no)["status"] == "IN_TRANSIT"
    alerts = [a for a in probe.received() if a["type"] == "case.shipment_exception"]
    assert len(alerts) == 1 and alerts[0]["details"]["waybill"] == waybill

    assert call(client, "POST", f"/cases/{case_no}/reship", staff("DG-GOV"))[0] == 403  # not the sender
    status, body = call(client, "POST", f"/cases/{case_no}/reship", staff("SZ-GOV"), {"note": "重新寄出"})
    assert status == 202 and body["status"] == "IN_TRANSIT"
    pump.run_until_idle()
    pump.run_until_idle()
    old, new = legs_of(client, case_no)
    assert old["waybill"] == waybill and old["superseded_by"] == new["waybill"]
    assert new["replaces"] == waybill and new["status"] == "CREATED" and new["to_office_id"] == "DG-GOV"

    # the new leg is fine: nothing to re-ship
    status, body = call(client, "POST", f"/cases/{case_no}/reship", staff("SZ-GOV"))
    assert status == 409 and body["current_status"] == "CREATED"

    courier_event(client, waybill, "DELIVERED", at(9))  # the lost parcel turns up: superseded, no effect
    pump.run_until_idle()
    assert case_of(client, case_no)["status"] == "IN_TRANSIT"
    deliver(client, pump, new["waybill"], start=10)
    assert case_of(client, case_no)["status"] == "ACCEPTED"


def test_returned_result_is_reshipped_by_the_handling_office(client, pump, in_transit):
    case_no, waybill = in_transit
    deliver(client, pump, waybill)
    call(client, "POST", f"/cases/{case_no}/decide", staff("DG-GOV"), {"approved": True})
    call(client, "POST", f"/cases/{case_no}/ship-result", staff("DG-GOV"))
    pump.run_until_idle()
    result = legs_of(client, case_no)[1]
    courier_event(client, result["waybill"], "RETURNED_TO_SENDER", at(50))
    pump.run_until_idle()
    assert case_of(client, case_no)["status"] == "RESULT_IN_TRANSIT"
    assert call(client, "POST", f"/cases/{case_no}/reship", staff("SZ-GOV"))[0] == 403
    status, _ = call(client, "POST", f"/cases/{case_no}/reship", staff("DG-GOV"), {"waybill": result["waybill"]})
    assert status == 202
    pump.run_until_idle()
    new = legs_of(client, case_no)[2]
    assert new["kind"] == "RESULT" and new["to_city"] == "440300" and new["replaces"] == result["waybill"]
    deliver(client, pump, new["waybill"], start=60)
    assert case_of(client, case_no)["status"] == "COMPLETED"


def test_shipments_mask_the_recipient_for_staff_and_hide_it_from_tracking(client, pump, in_transit):
    case_no, waybill = in_transit
    deliver(client, pump, waybill)
    call(client, "POST", f"/cases/{case_no}/decide", staff("DG-GOV"), {"approved": True})
    call(client, "POST", f"/cases/{case_no}/ship-result", staff("DG-GOV"))
    pump.run_until_idle()
    result = legs_of(client, case_no, staff("DG-GOV"))[1]
    assert result["to_address"]["phone"] == "138****8000" and result["to_address"]["recipient"] == "张*"
    assert call(client, "GET", f"/cases/{case_no}/shipments", staff("ZH-GOV"))[0] == 403
    code = case_of(client, case_no)["query_code"]
    status, tracked = call(client, "GET", f"/track/{case_no}?code={code}")
    assert status == 200 and [s["kind"] for s in tracked["shipments"]] == ["MATERIALS", "RESULT"]
    assert "to_address" not in tracked["shipments"][1] and "13800138000" not in json.dumps(tracked)


def test_a_courier_time_without_an_offset_is_china_standard_time():
    from chalicelib.adapters.courier import parse_event

    event = parse_event({"waybill": "EMS000000000001", "event": "DELIVERED", "at": "2026-03-02T09:00:00"})
    assert event.at.isoformat() == "2026-03-02T01:00:00+00:00"
    assert parse_event({"waybill": "EMS000000000001", "event": "DELIVERED",
                        "at": "2026-03-02T09:00:00Z"}).at.isoformat() == "2026-03-02T09:00:00+00:00"
