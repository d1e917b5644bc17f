"""The intake routes of DESIGN §6 through chalice's test client: status codes, error shapes, scope, masking."""
from __future__ import annotations

import json

import pytest

from tests.support import (
    application,
    apply_case,
    call,
    citizen,
    headers,
    received_case,
    resident_id,
    service_apply,
    staff,
    supervisor,
)


def test_reference_data_is_public(client):
    status, offices = call(client, "GET", "/offices")
    assert status == 200
    assert {"SZ-GOV", "SZ-NS", "DG-GOV", "ZH-GOV"} <= {o["office_id"] for o in offices["items"]}
    assert all(o["mail_cutoff"] and o["address"] for o in offices["items"])
    status, matters = call(client, "GET", "/matters?city=441900")
    assert status == 200
    assert {m["matter_id"] for m in matters["items"]} == {"SZ-BIZ-CHANGE", "SZ-PF-WITHDRAW", "ZH-DRIVER-RENEW",
                                                          "ZH-HOUSING-RECORD"}
    assert call(client, "GET", "/matters?city=abc")[0] == 400


def test_apply_returns_201_with_number_and_query_code(client):
    status, case = call(client, "POST", "/cases", citizen(), application())
    assert status == 201
    assert case["case_no"].startswith("KC440300") and len(case["case_no"]) == 21
    assert case["status"] == "SUBMITTED" and len(case["query_code"]) == 6
    assert case["applicant"]["phone"] == "13800138000"  # the applicant sees their own data


def test_idempotency_key_makes_retries_safe(client):
    hdrs = citizen() | {"Idempotency-Key": "retry-1"}
    first = call(client, "POST", "/cases", hdrs, application())
    second = call(client, "POST", "/cases", hdrs, application())
    assert first[0] == 201 and second[0] == 201  # the same answer (DESIGN §6: 201)
    assert first[1]["case_no"] == second[1]["case_no"]


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda b: b.pop("matter_id"), "matter_id"),
        (lambda b: b["applicant"].update(id_number="110105194912310021"), "applicant.id_number"),
        (lambda b: b["applicant"].update(phone="23800138000"), "applicant.phone"),
        (lambda b: b["applicant"].update(phone=13800138000), "applicant.phone"),
        (lambda b: b["delivery"].update(method="DRONE"), "delivery.method"),
        (lambda b: b["delivery"].pop("address"), "delivery.address"),
        (lambda b: b.update(matter_id="NOPE"), "matter_id"),
        (lambda b: b.update(receiving_office_id="XX-GOV"), "receiving_office_id"),
        (lambda b: b.update(surprise=1), "surprise"),
        (lambda b: b["materials"].append({"name": "护照", "provided": True}), "materials[2].name"),
        (lambda b: b["applicant"].update(name="张\x00三"), "applicant.name"),
    ],
)
def test_bad_input_is_400_naming_the_field(client, mutate, field):
    body = application()
    mutate(body)
    status, error = call(client, "POST", "/cases", citizen(), body)
    assert status == 400, error
    assert error["code"] == "invalid_input" and error["field"] == field and field in error["message"]


@pytest.mark.parametrize("raw", ["{not json", "[1,2]", "", "null"])
def test_malformed_json_is_400(client, raw):
    status, error = call(client, "POST", "/cases", citizen(), raw)
    assert status == 400 and error["field"] == "body"


def test_invalid_utf8_and_oversized_bodies_are_rejected(client):
    assert call(client, "POST", "/cases", citizen(), b'{"matter_id": "\xff"}')[0] == 400
    body = application()
    body["applicant"]["name"] = "张" * 70000
    status, error = call(client, "POST", "/cases", citizen(), json.dumps(body))
    assert status == 413 and error["code"] == "payload_too_large"


def test_rules_are_422(client):
    status, error = call(client, "POST", "/cases", citizen(), application(matter_id="SZ-PF-WITHDRAW",
                                                                          office_id="SZ-GOV"))
    assert status == 422 and error["code"] == "not_cross_city"
    case = apply_case(client, provided=["身份证"])  # 申请表 (core) not provided
    status, error = call(client, "POST", f"/cases/{case['case_no']}/receive", staff("SZ-GOV"), {})
    assert status == 422 and error["code"] == "missing_core_material" and "申请表" in error["message"]


def test_authentication_and_roles(client):
    assert call(client, "POST", "/cases", {}, application())[0] == 401
    assert call(client, "POST", "/cases", {"Authorization": "Bearer nonsense"}, application())[0] == 401
    forged = headers("citizen") | {"Authorization": "Bearer " + _forged_token()}
    assert call(client, "POST", "/cases", forged, application())[0] == 401
    assert call(client, "POST", "/cases", supervisor("440300"), application())[0] == 403
    assert call(client, "POST", "/cases", staff("DG-GOV"), application(office_id="SZ-GOV"))[0] == 403


def test_tokens_without_exp_expired_ones_and_ones_without_subject_are_refused(client):
    import time

    import jwt

    secret = "local-dev-secret-change-me-0123456789"
    # `exp` is required (issue 12): a local token without one would stay valid for ever.
    plain = jwt.encode({"sub": "alice", "role": "citizen", "name": "Alice"}, secret, algorithm="HS256")
    expired = jwt.encode({"sub": "alice", "role": "citizen", "exp": int(time.time()) - 3600}, secret,
                         algorithm="HS256")
    nobody = jwt.encode({"role": "citizen", "exp": int(time.time()) + 3600}, secret, algorithm="HS256")
    fresh = jwt.encode({"sub": "alice", "role": "citizen", "exp": int(time.time()) + 3600}, secret,
                       algorithm="HS256")
    assert call(client, "POST", "/cases", {"Authorization": f"Bearer {plain}"}, application())[0] == 401
    assert call(client, "POST", "/cases", {"Authorization": f"Bearer {expired}"}, application())[0] == 401
    assert call(client, "POST", "/cases", {"Authorization": f"Bearer {nobody}"}, application())[0] == 401
    assert call(client, "POST", "/cases", {"Authorization": f"Bearer {fresh}"}, application())[0] == 201


def _forged_token() -> str:
    import jwt

    claims = {"sub": "alice", "role": "admin", "exp": 9999999999}
    return jwt.encode(claims, "wrong-secret-of-the-right-length-0123456789", algorithm="HS256")


def test_case_detail_scope_and_masking(client):
    case = received_case(client)
    path = f"/cases/{case['case_no']}"
    status, own = call(client, "GET", path, citizen())
    assert status == 200 and own["applicant"]["id_number"] == resident_id(1)
    for hdrs in (staff("SZ-GOV"), supervisor("440300"), supervisor("441900"), supervisor("440000")):
        status, seen = call(client, "GET", path, hdrs)
        assert status == 200
        assert "*" in seen["applicant"]["id_number"] and seen["applicant"]["phone"] == "138****8000"
        assert "query_code" not in seen
    for hdrs in (citizen("mallory"), staff("ZH-GOV"), supervisor("440400")):
        assert call(client, "GET", path, hdrs)[0] == 403
    assert call(client, "GET", "/cases/KC4403002026010100001", citizen())[0] == 404
    assert call(client, "GET", "/cases/not-a-case", citizen())[0] == 404


def test_transitions_are_guarded(client):
    case = apply_case(client)
    path = f"/cases/{case['case_no']}"
    assert call(client, "POST", f"{path}/receive", staff("ZH-GOV"), {})[0] == 403
    assert call(client, "POST", f"{path}/receive", citizen(), {})[0] == 403
    assert call(client, "POST", f"{path}/receive", staff("SZ-GOV"), {})[0] == 200
    status, error = call(client, "POST", f"{path}/refuse", staff("SZ-GOV"), {"reason": "late"})
    assert status == 409 and error["current_status"] == "RECEIVED"
    assert call(client, "POST", f"{path}/withdraw", citizen("mallory"), {})[0] == 403
    status, withdrawn = call(client, "POST", f"{path}/withdraw", citizen(), {})
    assert status == 200 and withdrawn["status"] == "WITHDRAWN"


def test_refuse_needs_a_reason(client):
    case = apply_case(client)
    status, error = call(client, "POST", f"/cases/{case['case_no']}/refuse", staff("SZ-GOV"), {})
    assert status == 400 and error["field"] == "reason"
    status, refused = call(client, "POST", f"/cases/{case['case_no']}/refuse", staff("SZ-GOV"),
                           {"reason": "请携带申请表原件"})
    assert status == 200 and refused["status"] == "REFUSED" and refused["refusal_reason"] == "请携带申请表原件"


def test_容缺_receive_and_supplement(client):
    case = received_case(client, missing=["照片"], matter_id="DG-HUKOU-MOVE",
                         provided=["身份证", "户口簿", "迁入地证明", "照片"])
    assert case["missing"] == ["照片"] and case["supplement_due"]
    path = f"/cases/{case['case_no']}/supplements"
    status, error = call(client, "POST", path, citizen(), {"material": "身份证"})
    assert status == 422 and error["code"] == "material_not_missing"
    status, done = call(client, "POST", path, citizen(), {"material": "照片"})
    assert status == 200 and done["missing"] == [] and done["supplement_due"] is None


def test_track_by_query_code_shows_no_personal_data(client):
    case = received_case(client)
    status, tracked = call(client, "GET", f"/track/{case['case_no']}?code={case['query_code']}")
    assert status == 200
    assert [e["status"] for e in tracked["timeline"]] == ["SUBMITTED", "RECEIVED"]
    text = json.dumps(tracked, ensure_ascii=False)
    assert "13800138000" not in text and "张三" not in text and resident_id(1) not in text
    wrong = "000000" if case["query_code"] != "000000" else "111111"
    assert call(client, "GET", f"/track/{case['case_no']}?code={wrong}")[0] == 404
    assert call(client, "GET", f"/track/{case['case_no']}")[0] == 400


def test_guessing_query_codes_is_rate_limited(client):
    case = apply_case(client)
    wrong = "000000" if case["query_code"] != "000000" else "111111"
    statuses = [call(client, "GET", f"/track/{case['case_no']}?code={wrong}")[0] for _ in range(12)]
    assert statuses[:10] == [404] * 10 and statuses[-1] == 429
    assert call(client, "GET", f"/track/{case['case_no']}?code={case['query_code']}")[0] == 429


def test_a_guesser_locks_out_only_itself_until_a_crowd_guesses(fake):
    from chalicelib.domain.errors import NotFound, TooManyRequests
    from chalicelib.services import queries
    from tests.review_support import citizen_actor

    case, _ = service_apply(citizen_actor("alice"), application())
    wrong = "000000" if case.query_code != "000000" else "111111"
    for _ in range(queries.TRACK_FAILURES_PER_CALLER):
        with pytest.raises(NotFound):
            queries.track(case.case_no, wrong, caller="203.0.113.9")
    with pytest.raises(TooManyRequests):  # the 11th wrong guess from that address
        queries.track(case.case_no, wrong, caller="203.0.113.9")
    with pytest.raises(TooManyRequests):  # and now even the right code, from that address only
        queries.track(case.case_no, case.query_code, caller="203.0.113.9")
    assert queries.track(case.case_no, case.query_code, caller="198.51.100.7")[0].case_no == case.case_no
    # A crowd of addresses guessing: at the per-case ceiling, the case's anonymous tracking closes for the hour
    # (the blocked address above was no longer counted).
    guesses = queries.TRACK_FAILURES_PER_CASE - queries.TRACK_FAILURES_PER_CALLER
    for i in range(guesses):
        with pytest.raises(NotFound):
            queries.track(case.case_no, wrong, caller=f"192.0.2.{i % 250}")
    with pytest.raises(TooManyRequests):
        queries.track(case.case_no, wrong, caller="192.0.2.251")
    with pytest.raises(TooManyRequests):
        queries.track(case.case_no, case.query_code, caller="198.51.100.7")


def test_office_work_queue_is_paginated_and_scoped(client):
    numbers = [apply_case(client, sub=f"c{i}")["case_no"] for i in range(5)]
    call(client, "POST", f"/cases/{numbers[0]}/receive", staff("SZ-GOV"), {})
    seen: list[str] = []
    cursor = None
    for _ in range(5):
        path = "/offices/SZ-GOV/cases?limit=2" + (f"&cursor={cursor}" if cursor else "")
        status, page = call(client, "GET", path, staff("SZ-GOV"))
        assert status == 200 and len(page["items"]) <= 2
        seen += [c["case_no"] for c in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted(numbers)
    status, received = call(client, "GET", "/offices/SZ-GOV/cases?status=RECEIVED", staff("SZ-GOV"))
    assert [c["case_no"] for c in received["items"]] == [numbers[0]]
    assert call(client, "GET", "/offices/SZ-GOV/cases", staff("DG-GOV"))[0] == 403
    assert call(client, "GET", "/offices/SZ-GOV/cases?status=NOPE", staff("SZ-GOV"))[0] == 400
    assert call(client, "GET", "/offices/SZ-GOV/cases?limit=100000", staff("SZ-GOV"))[0] == 400
    assert call(client, "GET", "/offices/SZ-GOV/cases?cursor=%%%", staff("SZ-GOV"))[0] == 400


def test_public_timeline_shows_status_changes_not_in_place_steps(client):
    case = received_case(client, missing=["照片"], matter_id="DG-HUKOU-MOVE",
                         provided=["身份证", "户口簿", "迁入地证明"])
    call(client, "POST", f"/cases/{case['case_no']}/supplements", citizen(), {"material": "照片"})
    status, tracked = call(client, "GET", f"/track/{case['case_no']}?code={case['query_code']}")
    assert status == 200 and [e["label"] for e in tracked["timeline"]] == ["已申请", "已收件"]
    status, full = call(client, "GET", f"/cases/{case['case_no']}/timeline", citizen())
    assert [e["action"] for e in full["items"]] == ["apply", "receive", "supplement"]


def test_locally_one_guesser_does_not_close_tracking_of_other_cases(client):
    # `chalice local` reports 127.0.0.1 for every caller: locally a caller is the address and the case asked
    # about, so guessing one case's code never blocks anonymous tracking of another case (an outside checker
    # driving the local stack from one address relies on it). In the cloud the budget spans all cases.
    guessed, other = apply_case(client, sub="g1"), apply_case(client, sub="g2")
    wrong = "000000" if guessed["query_code"] != "000000" else "111111"
    statuses = [call(client, "GET", f"/track/{guessed['case_no']}?code={wrong}")[0] for _ in range(11)]
    assert statuses[-1] == 429
    status, tracked = call(client, "GET", f"/track/{other['case_no']}?code={other['query_code']}")
    assert status == 200 and tracked["case_no"] == other["case_no"]
