"""Issue 13, the rules a user sees: the walk-in SMS, reasons in the SMS and in tracking, the correction deadline,
the window's finding at receive, and DESIGN §6's example application accepted as printed."""
from __future__ import annotations

import json
import logging

from tests.support import application, apply_case, call, citizen, received_case, staff

# DESIGN §6's `POST /cases` example, verbatim (with the corrected identity number, check digit 1).
DESIGN_EXAMPLE = """
{"matter_id": "DG-SI-CERT", "receiving_office_id": "SZ-GOV",
 "applicant": {"name": "张三", "id_type": "RESIDENT_ID",
               "id_number": "441900199001011231", "phone": "13800138000"},
 "materials": [{"name": "身份证", "provided": true},
               {"name": "申请表", "provided": true}],
 "delivery": {"method": "MAIL", "address": {"city": "440300",
              "detail": "南山区科技园…", "recipient": "张三",
              "phone": "13800138000"}}}
"""


def sms() -> list[tuple[str, str]]:
    """Every SMS the emulated SNS (or the in-memory bus) accepted: (phone, text)."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.sns.models import sns_backends

    from tests.shipping_support import in_memory_bus

    if (bus := in_memory_bus()) is not None:
        return list(bus.sms)

    return list(sns_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sms_messages.values())


def texts_for(case_no: str) -> list[str]:
    return [text for _, text in sms() if case_no in text]


def test_designs_example_application_is_accepted_as_printed(client):
    status, case = call(client, "POST", "/cases", citizen("zhang"), json.loads(DESIGN_EXAMPLE))
    assert status == 201, case
    assert case["status"] == "SUBMITTED" and case["applicant"]["id_number"] == "441900199001011231"


# ---------------------------------------------------------------- walk-ins


def test_a_walk_in_applicant_gets_case_number_code_and_link_by_sms_on_their_own_phone_only(
        client, pump, caplog):
    body = application(id_seed=51)
    body["applicant"]["phone"] = "13912345678"
    body["delivery"]["address"]["phone"] = "13700001111"  # the recipient's phone is not the applicant's
    status, case = call(client, "POST", "/cases", staff("SZ-GOV"), body)
    assert status == 201
    with caplog.at_level(logging.DEBUG, logger="cross-city"):
        pump.run_until_idle()
    case_no, code = case["case_no"], case["query_code"]
    welcome = [(phone, text) for phone, text in sms() if case_no in text and code in text]
    assert len(welcome) == 1
    phone, text = welcome[0]
    assert phone == "+8613912345678"
    assert f"/track?case_no={case_no}&code={code}" in text
    assert any("sms sent" in r.getMessage() for r in caplog.records)
    assert code not in caplog.text  # never logged
    from chalicelib.services.notifications import sent_for
    assert all(code not in n["text"] for n in sent_for(case_no))  # nor stored in clear


def test_a_citizens_own_application_gets_no_welcome_sms(client, pump):
    case = apply_case(client, "alice", id_seed=52)
    pump.run_until_idle()
    assert not [t for t in texts_for(case["case_no"]) if case["query_code"] in t]


# ---------------------------------------------------------------- reasons reach the applicant


def test_a_refusal_says_why_and_what_to_bring(client, pump):
    case = apply_case(client, "alice", id_seed=53, provided=["身份证"])
    status, _ = call(client, "POST", f"/cases/{case['case_no']}/refuse", staff("SZ-GOV"),
                     {"reason": "缺少申请表"})
    assert status == 200
    pump.run_until_idle()
    (text,) = [t for t in texts_for(case["case_no"]) if "不予收件" in t]
    assert "缺少申请表" in text and "申请表" in text.split("携带")[1]


def test_a_return_says_what_to_correct_and_by_when_in_sms_and_tracking(client, pump):
    from tests.shipping_support import forward_and_route

    case = received_case(client, "alice", id_seed=54)
    forward_and_route(client, pump, case["case_no"], "SZ-GOV")
    assert call(client, "POST", f"/cases/{case['case_no']}/sign", staff("DG-GOV"), {})[0] == 200
    status, returned = call(client, "POST", f"/cases/{case['case_no']}/return", staff("DG-GOV"),
                            {"reason": "申请表签名缺失，请补签"})
    assert status == 200 and returned["correction_due"]
    pump.run_until_idle()
    (text,) = [t for t in texts_for(case["case_no"]) if "需补正" in t]
    assert "申请表签名缺失，请补签" in text and returned["correction_due"] in text
    _, tracked = call(client, "GET", f"/track/{case['case_no']}?code={case['query_code']}")
    assert tracked["return_reason"] == "申请表签名缺失，请补签"
    assert tracked["correction_due"] == returned["correction_due"]


# ---------------------------------------------------------------- receiving: the window's finding


def test_the_windows_missing_list_replaces_the_forms_and_the_timeline_records_both(client):
    case = apply_case(client, "alice", id_seed=55, matter_id="DG-HUKOU-MOVE",
                      provided=["身份证", "户口簿", "迁入地证明"])  # the form: no photo
    status, received = call(client, "POST", f"/cases/{case['case_no']}/receive", staff("SZ-GOV"),
                            {"missing": [], "note": "照片当场提供"})
    assert status == 200
    assert received["missing"] == [] and all(m["provided"] for m in received["materials"])
    _, timeline = call(client, "GET", f"/cases/{case['case_no']}/timeline", staff("SZ-GOV"))
    receive = next(e for e in timeline["items"] if e["action"] == "receive")
    assert receive["details"]["form_missing"] == ["照片"]


def test_without_a_missing_list_the_forms_list_stands(client):
    case = apply_case(client, "alice", id_seed=56, matter_id="DG-HUKOU-MOVE",
                      provided=["身份证", "户口簿", "迁入地证明"])
    status, received = call(client, "POST", f"/cases/{case['case_no']}/receive", staff("SZ-GOV"), {})
    assert status == 200 and received["missing"] == ["照片"] and received["supplement_due"]


# ---------------------------------------------------------------- parcels


def _in_transit(client, pump, seed):
    from tests.shipping_support import forward_and_route, legs_of

    case = received_case(client, "alice", id_seed=seed)
    forward_and_route(client, pump, case["case_no"], "SZ-GOV")
    [leg] = legs_of(client, case["case_no"])
    return case, leg["waybill"]


def test_a_delivered_after_returned_to_sender_never_signs_the_case(client, pump):
    from tests.shipping_support import at, case_of, courier_event, legs_of

    case, waybill = _in_transit(client, pump, 60)
    for event, minute in (("RETURNED_TO_SENDER", 5), ("DELIVERED", 9), ("RETURNED_TO_SENDER", 5), ("DELIVERED", 9)):
        assert courier_event(client, waybill, event, at(minute))[0] == 202
        pump.run_until_idle()
    assert case_of(client, case["case_no"])["status"] == "IN_TRANSIT"
    [leg] = legs_of(client, case["case_no"], staff("SZ-GOV"))
    assert leg["status"] == "RETURNED_TO_SENDER" and [e["event"] for e in leg["late_events"]] == ["DELIVERED"]
    _, tracked = call(client, "GET", f"/track/{case['case_no']}?code={case['query_code']}")
    assert "DELIVERED" not in [e["event"] for e in tracked["shipments"][0]["events"]]


def test_a_returned_to_sender_after_delivered_leaves_the_signed_case_and_public_tracking_alone(client, pump):
    from tests.shipping_support import at, case_of, courier_event

    case, waybill = _in_transit(client, pump, 61)
    for event, minute in (("DELIVERED", 5), ("RETURNED_TO_SENDER", 9), ("DELIVERED", 5), ("IN_TRANSIT", 30)):
        assert courier_event(client, waybill, event, at(minute))[0] == 202
        pump.run_until_idle()
    assert case_of(client, case["case_no"])["status"] == "ACCEPTED"
    _, tracked = call(client, "GET", f"/track/{case['case_no']}?code={case['query_code']}")
    public = tracked["shipments"][0]
    assert public["status"] == "DELIVERED"
    assert {e["event"] for e in public["events"]} == {"CREATED", "DELIVERED"}  # nothing after the delivery


def test_a_second_reship_after_one_exception_is_409_and_the_timeline_stays_true(client, pump):
    from tests.shipping_support import at, courier_event, legs_of

    case, waybill = _in_transit(client, pump, 62)
    courier_event(client, waybill, "EXCEPTION", at(3))
    pump.run_until_idle()
    assert call(client, "POST", f"/cases/{case['case_no']}/reship", staff("SZ-GOV"))[0] == 202
    status, body = call(client, "POST", f"/cases/{case['case_no']}/reship", staff("SZ-GOV"))  # before routing
    assert status == 409, body
    pump.run_until_idle()
    _, timeline = call(client, "GET", f"/cases/{case['case_no']}/timeline", staff("SZ-GOV"))
    assert [e["action"] for e in timeline["items"]].count("reship") == 1
    assert len(legs_of(client, case["case_no"])) == 2  # one replacement
