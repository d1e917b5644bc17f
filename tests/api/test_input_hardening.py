"""Bad input that used to get through (issue 12): other scripts' digits, token claims of the wrong type,
idempotency keys that collided across callers, passport numbers half shown, courier events dated at the edge
of the calendar. Each case was a 500, a silent conversion or a leak before."""
from __future__ import annotations

import time
from datetime import timedelta

import jwt
import pytest

from chalicelib.adapters.courier import signed_body
from chalicelib.config import settings
from chalicelib.domain.workdays import iso, utcnow
from tests.support import application, apply_case, call, citizen, staff


def _token(**claims: object) -> dict[str, str]:
    now = int(time.time())
    body = {"sub": "alice", "role": "citizen", "iat": now, "exp": now + 600, **claims}
    return {"Authorization": f"Bearer {jwt.encode(body, settings().auth_dev_secret, algorithm='HS256')}",
            "Content-Type": "application/json"}


# ---------------------------------------------------------------- digits from other scripts


def test_query_parameters_take_ascii_digits_only(client):
    case = apply_case(client)
    for limit in ["²", "１０", "٣", "-1", "0", "101", "1e1"]:  # "²" and "１０" were 500 and 10
        status, body = call(client, "GET", f"/me/cases?limit={limit}", citizen())
        assert status == 400 and body["field"] == "limit", (limit, body)
    for code in ["１２３４５６", "١٢٣٤٥٦", "12345²"]:
        status, body = call(client, "GET", f"/track/{case['case_no']}?code={code}")
        assert status == 400 and body["field"] == "code", (code, body)
    for city in ["４４０３００", "44030０", "¹40300"]:
        status, body = call(client, "GET", f"/matters?city={city}")
        assert status == 400 and body["field"] == "city", (city, body)


@pytest.mark.parametrize("field, value", [
    ("id_number", "４４０３０５１９９００１０１００１X"),
    ("id_number", "E１２３４５６７８"),
    ("phone", "１３８００１３８０００"),
    ("phone", "1380013800٠"),
])
def test_identity_numbers_and_mobiles_are_never_stored_as_sent(client, field, value):
    body = application()
    body["applicant"][field] = value
    if field == "id_number":
        body["applicant"]["id_type"] = "PASSPORT"  # no GB 11643 check to catch it
    status, err = call(client, "POST", "/cases", citizen(), body)
    assert status == 400 and err["field"] == f"applicant.{field}", err


def test_claim_takes_ascii_digits_only(client):
    case = apply_case(client)
    status, err = call(client, "POST", f"/cases/{case['case_no']}/claim", citizen("bob"),
                       {"query_code": "１２３４５６", "id_number": "110105194912310021"})
    assert status == 400 and err["field"] == "query_code", err


# ---------------------------------------------------------------- token claims


WRONG_CLAIMS: list[dict[str, object]] = [
    {"sub": "x" * 5000},
    {"sub": ["alice"]},
    {"sub": {"id": "alice"}},
    {"sub": 42},
    {"sub": "ali ce"},
    {"role": ["citizen"]},
    {"role": "staff", "office_id": ["SZ-GOV"]},
    {"role": "staff", "office_id": {"id": "SZ-GOV"}},
    {"role": "staff", "office_id": "SZ-GOV" * 100},
    {"role": "supervisor", "city": ["440300"]},
    {"role": "supervisor", "city": {"code": "440300"}},
    {"role": "supervisor", "city": "４４０３００"},
    {"name": ["张三"]},
    {"name": "张" * 5000},
]


@pytest.mark.parametrize("path", ["/me/cases", "/offices/SZ-GOV/cases", "/reviews", "/stats/reviews"])
def test_claims_of_the_wrong_type_or_length_are_401(client, path):
    for claims in WRONG_CLAIMS:
        status, body = call(client, "GET", path, _token(**claims))
        assert status == 401 and body["code"] == "unauthenticated", (claims, body)


def test_well_formed_claims_still_pass(client):
    assert call(client, "GET", "/me/cases", _token(name="张三"))[0] == 200
    assert call(client, "GET", "/offices/SZ-GOV/cases", _token(role="staff", office_id="SZ-GOV"))[0] == 200


# ---------------------------------------------------------------- idempotency keys


def test_idempotency_keys_of_different_callers_never_meet(client):
    # Stored as sub#key, alice's "K#t" and the key "t" of a caller whose sub is "alice#K" were one record: the
    # second caller got alice's case, query code and identity in clear.
    status, first = call(client, "POST", "/cases", citizen("alice") | {"Idempotency-Key": "K#t"},
                         application(id_seed=1))
    assert status == 201
    status, second = call(client, "POST", "/cases", citizen("alice#K") | {"Idempotency-Key": "t"},
                          application(id_seed=1))
    assert status == 201, second
    assert second["case_no"] != first["case_no"] and "Idempotent-Replayed" not in str(second)


def test_the_same_caller_and_key_still_replay(client):
    hdrs = citizen("alice#K") | {"Idempotency-Key": "t"}
    first = call(client, "POST", "/cases", hdrs, application())[1]
    status, again = call(client, "POST", "/cases", hdrs, application())
    assert status == 201 and again["case_no"] == first["case_no"]


# ---------------------------------------------------------------- masking by document type


def test_a_passport_number_shows_only_its_last_four_to_staff(client):
    body = application()
    body["applicant"].update(id_type="PASSPORT", id_number="E12345678")
    case = call(client, "POST", "/cases", staff("SZ-GOV"), body)[1]
    assert case["applicant"]["id_number"] == "*****5678"
    status, seen = call(client, "GET", f"/cases/{case['case_no']}", staff("SZ-GOV"))
    assert status == 200 and seen["applicant"]["id_number"] == "*****5678"


# ---------------------------------------------------------------- courier webhook dates


def test_signed_events_dated_far_from_now_are_400(client):
    for at in ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00",
               "2000-01-01T00:00:00+08:00", "2200-01-01T00:00:00Z"]:  # the first two were 500
        raw, sig = signed_body({"waybill": "EMS000000000001", "event": "DELIVERED", "at": at})
        resp = client.http.post("/webhooks/courier", body=raw,
                                headers={"Content-Type": "application/json", "X-Signature": sig})
        assert resp.status_code == 400 and b'"field": "at"' in resp.body, (at, resp.body)


def test_signed_events_of_the_last_months_are_accepted(client):
    at = iso(utcnow() - timedelta(days=300))
    raw, sig = signed_body({"waybill": "EMS000000000001", "event": "DELIVERED", "at": at})
    resp = client.http.post("/webhooks/courier", body=raw,
                            headers={"Content-Type": "application/json", "X-Signature": sig})
    assert resp.status_code == 202, resp.body


# ---------------------------------------------------------------- invisible characters and blank names

INVISIBLE = ["\x01", "\x85", "\x9b", "\u200b", "\u200d", "\ufeff", "\u202a", "\u202e", "\u2066", "\u2069", "\u2060",
             "\u2028"]


def test_names_notes_and_reasons_refuse_invisible_characters_and_blanks(client):
    for char in INVISIBLE:
        body = application()
        body["applicant"]["name"] = f"张{char}三"
        status, err = call(client, "POST", "/cases", citizen(), body)
        assert status == 400 and err["field"] == "applicant.name", (char, err)
        body = application()
        body["delivery"]["address"]["recipient"] = f"{char}李四"
        status, err = call(client, "POST", "/cases", citizen(), body)
        assert status == 400 and err["field"] == "delivery.address.recipient", (char, err)
    for blank in [" ", "\u3000", "\u3000 \u3000", "\t", "\n"]:
        body = application()
        body["applicant"]["name"] = blank
        status, err = call(client, "POST", "/cases", citizen(), body)
        assert status == 400 and err["field"] == "applicant.name", (blank, err)
    body = application()
    body["applicant"]["name"] = "张\n三"  # a name is one line
    status, err = call(client, "POST", "/cases", citizen(), body)
    assert status == 400 and err["field"] == "applicant.name", err

    case = apply_case(client)
    for reason in ["\u3000", "  ", "材料\u202e不全", "材料\u200b不全"]:
        status, err = call(client, "POST", f"/cases/{case['case_no']}/refuse", staff("SZ-GOV"), {"reason": reason})
        assert status == 400 and err["field"] == "reason", (reason, err)
    status, err = call(client, "POST", f"/cases/{case['case_no']}/receive", staff("SZ-GOV"),
                       {"note": "ok\u2066hidden\u2069"})
    assert status == 400 and err["field"] == "note", err
    status, err = call(client, "GET", "/offices/SZ-GOV/cases?status=SUBMITTED%E2%80%8B", staff("SZ-GOV"))
    assert status in (400,) and err["field"] == "status", err
    # Ordinary multi-line notes and names with a middle dot or a space still pass.
    body = application()
    body["applicant"]["name"] = "阿依古丽·买买提"
    assert call(client, "POST", "/cases", citizen("dilnur"), body)[0] == 201
    status, received = call(client, "POST", f"/cases/{case['case_no']}/receive", staff("SZ-GOV"),
                            {"note": "第一行\n第二行"})
    assert status == 200, received
