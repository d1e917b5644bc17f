"""The outside checker of DESIGN §6: drives the real local stack over HTTP through exactly the documented
routes, bodies, fields and status codes, with tokens minted as any outside client would (PyJWT, HS256, the
documented claims) and courier webhooks signed as documented. Everything it needs (waybills, ticket ids,
query codes) it discovers from documented responses. docs/reliability/contract.md lists what it covers."""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import threading
import time
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import jwt
import pytest
import requests

from tests.e2e.conftest import wait_for
from tests.e2e.test_full_case_e2e import _wait_for as wait_status
from tests.support import resident_id

pytestmark = pytest.mark.e2e

SECRET = os.environ.get("AUTH_DEV_SECRET", "local-dev-secret-change-me-0123456789")
COURIER_SECRET = b"dev-courier-secret"
CST = timezone(timedelta(hours=8))
# DESIGN §6's example body, verbatim (with the corrected identity number: the first print's 44190019900101123X
# failed the GB 11643 check digit, which is 1 and which the same section requires to be validated).
DESIGN_EXAMPLE = {"matter_id": "DG-SI-CERT", "receiving_office_id": "SZ-GOV",
                  "applicant": {"name": "张三", "id_type": "RESIDENT_ID",
                                "id_number": "441900199001011231", "phone": "13800138000"},
                  "materials": [{"name": "身份证", "provided": True}, {"name": "申请表", "provided": True}],
                  "delivery": {"method": "MAIL", "address": {"city": "440300", "detail": "南山区科技园…",
                                                             "recipient": "张三", "phone": "13800138000"}}}
VALID_ID = DESIGN_EXAMPLE["applicant"]["id_number"]


def mint(role: str, sub: str, office_id: str | None = None, city: str | None = None, name: str = "") -> str:
    claims: dict[str, Any] = {"sub": sub, "role": role, "name": name, "exp": int(time.time()) + 3600}
    if office_id:
        claims["office_id"] = office_id
    if city:
        claims["city"] = city
    return jwt.encode(claims, SECRET, algorithm="HS256")


STAFF = {o: mint("staff", f"contract-{o.lower()}", office_id=o, name="窗口") for o in
         ("SZ-GOV", "SZ-NS", "DG-GOV", "ZH-GOV")}
SUPERVISOR = {c: mint("supervisor", f"contract-sup-{c}", city=c, name="督办") for c in
              ("440300", "441900", "440400", "440000")}


class Api:
    def __init__(self, base: str) -> None:
        self.base = base

    def call(self, method: str, path: str, tok: str | None = None, body: Any = None,
             params: dict[str, Any] | None = None, headers: dict[str, str] | None = None,
             raw: bytes | None = None) -> tuple[int, Any, Any]:
        hdrs = dict(headers or {})
        if tok:
            hdrs["Authorization"] = f"Bearer {tok}"
        resp = requests.request(method, self.base + path, json=body if raw is None else None, data=raw,
                                params=params, headers=hdrs, timeout=15)
        return resp.status_code, resp.json(), resp.headers

    def ok(self, method: str, path: str, tok: str | None = None, body: Any = None, status: int = 200,
           **kw: Any) -> Any:
        code, data, _ = self.call(method, path, tok, body, **kw)
        assert code == status, (method, path, code, data)
        return data

    def error(self, status: int, method: str, path: str, tok: str | None = None, body: Any = None,
              **kw: Any) -> dict[str, Any]:
        """The documented error: the status and a ``{"code", "message"}`` body."""
        code, data, _ = self.call(method, path, tok, body, **kw)
        assert code == status, (method, path, code, data)
        assert isinstance(data.get("code"), str) and isinstance(data.get("message"), str), data
        return dict(data)

    def courier(self, waybill: str, event: str, signature: str | None = None) -> tuple[int, Any]:
        raw = json.dumps({"waybill": waybill, "event": event, "at": datetime.now(UTC).isoformat()}).encode()
        sig = signature if signature is not None else hmac.new(COURIER_SECRET, raw, hashlib.sha256).hexdigest()
        code, data, _ = self.call("POST", "/webhooks/courier", raw=raw,
                                  headers={"Content-Type": "application/json", "X-Signature": sig})
        return code, data

    def legs(self, case_no: str, tok: str, count: int) -> list[dict[str, Any]]:
        """Waits for the case's ``count``-th parcel leg (planned on the routing queue) and returns the legs."""
        def planned() -> list[dict[str, Any]] | None:
            items = self.ok("GET", f"/cases/{case_no}/shipments", tok)["items"]
            return items if len(items) >= count else None
        return list(wait_for(planned))


def application(matter: str, office: str, method: str, id_number: str, provided: list[str],
                not_provided: tuple[str, ...] = ()) -> dict[str, Any]:
    body: dict[str, Any] = {
        "matter_id": matter, "receiving_office_id": office,
        "applicant": {"name": "张三", "id_type": "RESIDENT_ID", "id_number": id_number, "phone": "13800138000"},
        "materials": [{"name": n, "provided": True} for n in provided]
        + [{"name": n, "provided": False} for n in not_provided],
        "delivery": {"method": method},
    }
    if method == "MAIL":
        body["delivery"]["address"] = {"city": "440300", "detail": "南山区科技园科苑路15号", "recipient": "张三",
                                       "phone": "13800138000"}
    return body


def assert_no_personal_data(data: Any, *values: str) -> None:
    text = json.dumps(data, ensure_ascii=False)
    for value in ("13800138000", "张三", "科苑路", "南山区科技园", *values):
        assert value not in text, f"{value!r} in {text[:500]}"


@pytest.fixture(scope="module")
def api(local_stack: str) -> Api:
    return Api(local_stack)


# ---------------------------------------------------------------- public reference data


def test_public_reference_data(api: Api) -> None:
    assert api.ok("GET", "/health") == {"status": "ok"}
    offices = {o["office_id"]: o for o in api.ok("GET", "/offices")["items"]}
    assert {"SZ-GOV": "440300", "SZ-NS": "440300", "DG-GOV": "441900", "ZH-GOV": "440400"}.items() <= {
        k: o["city"] for k, o in offices.items()}.items()
    for office in offices.values():
        assert office["name"] and office["address"] and office["phone"] and office["opening_hours"]
        assert office["mail_cutoff"]
    matters = {m["matter_id"]: m for m in api.ok("GET", "/matters")["items"]}
    expected = {"DG-SI-CERT": ("441900", 3, False), "DG-HUKOU-MOVE": ("441900", 10, False),
                "SZ-BIZ-CHANGE": ("440300", 5, False), "SZ-PF-WITHDRAW": ("440300", 5, False),
                "ZH-DRIVER-RENEW": ("440400", 5, False), "ZH-HOUSING-RECORD": ("440400", 2, True)}
    for matter_id, (city, limit, electronic) in expected.items():
        m = matters[matter_id]
        assert (m["handling_city"], m["time_limit_working_days"], m["electronic"]) == (city, limit, electronic)
        assert city not in m["accepted_in"] and len(m["accepted_in"]) == 2
    assert {(x["name"], x["core"]) for x in matters["DG-HUKOU-MOVE"]["materials"]} == {
        ("身份证", True), ("户口簿", True), ("迁入地证明", True), ("照片", False)}
    in_shenzhen = {m["matter_id"] for m in api.ok("GET", "/matters", params={"city": "440300"})["items"]}
    assert in_shenzhen == {"DG-SI-CERT", "DG-HUKOU-MOVE", "ZH-DRIVER-RENEW", "ZH-HOUSING-RECORD"}
    assert "city" in api.error(400, "GET", "/matters", params={"city": "shenzhen"})["message"]


# ---------------------------------------------------------------- apply, read, track; the error statuses


def test_apply_read_and_track_as_documented(api: Api) -> None:
    citizen = mint("citizen", "contract-zhang", name="张三")
    # The first print's identity number (wrong check digit): 400 naming the field, never a 500.
    misprint = json.loads(json.dumps(DESIGN_EXAMPLE))
    misprint["applicant"]["id_number"] = "44190019900101123X"
    assert "applicant.id_number" in api.error(400, "POST", "/cases", citizen, misprint)["message"]
    body = json.loads(json.dumps(DESIGN_EXAMPLE))  # the example as printed is accepted
    key = {"Idempotency-Key": "contract-apply-1"}
    status, case, _ = api.call("POST", "/cases", citizen, body, headers=key)
    assert status == 201, case
    case_no, code = case["case_no"], case["query_code"]
    assert case["status"] == "SUBMITTED" and len(code) == 6 and code.isdigit()
    assert case_no.startswith("KC440300") and len(case_no) == 21 and case_no[2:].isdigit()
    assert case_no[8:16] == datetime.now(CST).strftime("%Y%m%d")
    # A retry is safe: the same answer, the same case.
    status, again, headers = api.call("POST", "/cases", citizen, body, headers=key)
    assert status == 201 and again["case_no"] == case_no and headers.get("Idempotent-Replayed") == "true"
    changed = {**body, "delivery": {"method": "PICKUP_RECEIVING"}}
    api.error(422, "POST", "/cases", citizen, changed, headers=key)
    # Window staff enter a walk-in application at their own window and get the query code to hand over.
    walk_in = api.ok("POST", "/cases", STAFF["SZ-GOV"], body, status=201)
    assert len(walk_in["query_code"]) == 6 and "*" in walk_in["applicant"]["id_number"]
    api.error(403, "POST", "/cases", STAFF["DG-GOV"], body)
    api.error(403, "POST", "/cases", SUPERVISOR["440300"], body)
    api.error(401, "POST", "/cases", None, body)
    expired = jwt.encode({"sub": "contract-zhang", "role": "citizen", "exp": int(time.time()) - 3600}, SECRET,
                         algorithm="HS256")
    api.error(401, "GET", f"/cases/{case_no}", expired)
    bad = {**body, "applicant": {**body["applicant"], "phone": "12345"}}
    assert "applicant.phone" in api.error(400, "POST", "/cases", citizen, bad)["message"]
    assert "delivery.method" in api.error(400, "POST", "/cases", citizen, {
        **body, "delivery": {"method": "DRONE"}})["message"]

    # Detail: in clear for the applicant only; staff of its offices and supervisors of its cities see it masked.
    own = api.ok("GET", f"/cases/{case_no}", citizen)
    assert own["applicant"]["id_number"] == VALID_ID and own["query_code"] == code
    for tok in (STAFF["SZ-GOV"], SUPERVISOR["440300"], SUPERVISOR["441900"], SUPERVISOR["440000"]):
        seen = api.ok("GET", f"/cases/{case_no}", tok)
        assert seen["applicant"]["id_number"] != VALID_ID and "*" in seen["applicant"]["id_number"]
        assert "13800138000" not in json.dumps(seen) and "query_code" not in seen
    for tok in (mint("citizen", "contract-mallory"), STAFF["ZH-GOV"], SUPERVISOR["440400"]):
        api.error(403, "GET", f"/cases/{case_no}", tok)
    api.error(404, "GET", "/cases/KC4403002026112300017", citizen)

    timeline = api.ok("GET", f"/cases/{case_no}/timeline", citizen)["items"]
    assert [e["action"] for e in timeline] == ["apply"] and timeline[0]["label"] == "已申请"
    tracked = api.ok("GET", f"/track/{case_no}", params={"code": code})
    assert tracked["status"] == "SUBMITTED" and [e["label"] for e in tracked["timeline"]] == ["已申请"]
    assert tracked["shipments"] == []
    assert_no_personal_data(tracked, VALID_ID)
    api.error(400, "GET", f"/track/{case_no}")
    wrong = "000000" if code != "000000" else "111111"
    # Guessing query codes is rate limited per caller across every case: a caller of its own (the local stack
    # has no gateway to tell addresses apart), so that the other tests' tracking is not blocked.
    guesser = {"X-Local-Caller": "e2e-guesser"}
    api.error(404, "GET", f"/track/{case_no}", params={"code": wrong}, headers=guesser)
    for _ in range(11):
        status, _data, _ = api.call("GET", f"/track/{case_no}", params={"code": wrong}, headers=guesser)
    assert status == 429
    assert api.error(429, "GET", f"/track/{case_no}", params={"code": code}, headers=guesser)["code"]
    assert api.ok("GET", f"/track/{case_no}", params={"code": code})["status"] == "SUBMITTED"  # others still track


# ---------------------------------------------------------------- MAIL: 容缺, courier webhook, return loop, reviews


def test_mail_case_with_missing_photo_return_loop_and_a_bad_review(api: Api) -> None:
    citizen = mint("citizen", "contract-li", name="李四")
    sz, dg = STAFF["SZ-GOV"], STAFF["DG-GOV"]
    body = application("DG-HUKOU-MOVE", "SZ-GOV", "MAIL", resident_id(301), ["身份证", "户口簿", "迁入地证明"],
                       not_provided=("照片",))
    case_no = api.ok("POST", "/cases", citizen, body, status=201)["case_no"]
    path = f"/cases/{case_no}"
    api.error(403, "POST", f"{path}/receive", STAFF["ZH-GOV"], {"missing": ["照片"], "note": ""})
    core = api.error(422, "POST", f"{path}/receive", sz, {"missing": ["户口簿"], "note": ""})
    assert "户口簿" in core["message"]
    received = api.ok("POST", f"{path}/receive", sz, {"missing": ["照片"], "note": "承诺书已签"})
    assert received["status"] == "RECEIVED" and received["missing"] == ["照片"] and received["supplement_due"]
    conflict = api.error(409, "POST", f"{path}/receive", sz, {"missing": [], "note": ""})
    assert conflict["current_status"] == "RECEIVED"
    assert api.ok("POST", f"{path}/forward", sz, {})["status"] == "IN_TRANSIT"

    # The waybill is discovered from the shipments; the documented webhook body, signed, is taken (202).
    leg = api.legs(case_no, citizen, 1)[0]
    assert leg["kind"] == "MATERIALS" and leg["from_office_id"] == "SZ-GOV" and leg["to_office_id"] == "DG-GOV"
    assert api.courier(leg["waybill"], "DELIVERED", signature="0" * 64)[0] == 401
    status, ack = api.courier(leg["waybill"], "DELIVERED")
    assert status == 202, ack
    accepted = wait_status(api.base, case_no, citizen, "ACCEPTED")
    assert accepted["handling_office_id"] == "DG-GOV" and accepted["promised_by"]
    delivered = api.ok("GET", f"{path}/shipments", citizen)["items"][0]
    assert delivered["status"] == "DELIVERED" and "DELIVERED" in [e["event"] for e in delivered["events"]]

    # The handling office cannot decide while a material is missing; supplement, return, supplement, decide.
    assert "照片" in api.error(422, "POST", f"{path}/decide", dg, {"approved": True, "note": "..."})["message"]
    api.error(403, "POST", f"{path}/decide", sz, {"approved": True, "note": "..."})
    assert api.ok("POST", f"{path}/supplements", citizen, {"material": "照片"})["missing"] == []
    returned = api.ok("POST", f"{path}/return", dg, {"reason": "户口簿复印件不清晰"})
    assert returned["status"] == "RETURNED" and returned["return_reason"] == "户口簿复印件不清晰"
    assert api.error(409, "POST", f"{path}/decide", dg, {"approved": True, "note": ""})["current_status"] == "RETURNED"
    assert api.ok("POST", f"{path}/supplements", citizen, {"material": "户口簿"})["status"] == "ACCEPTED"
    decided = api.ok("POST", f"{path}/decide", dg, {"approved": True, "note": "符合迁入条件"})
    assert decided["status"] == "APPROVED"
    api.error(403, "POST", f"{path}/ship-result", sz, {})
    assert api.ok("POST", f"{path}/ship-result", dg, {})["status"] == "RESULT_IN_TRANSIT"
    result_leg = api.legs(case_no, citizen, 2)[1]
    assert result_leg["kind"] == "RESULT" and result_leg["from_office_id"] == "DG-GOV"
    assert api.courier(result_leg["waybill"], "DELIVERED")[0] == 202
    done = wait_status(api.base, case_no, citizen, "COMPLETED")
    assert done["completed_at"]

    code = api.ok("GET", path, citizen)["query_code"]
    tracked = api.ok("GET", f"/track/{case_no}", params={"code": code})
    assert tracked["status"] == "COMPLETED"
    labels = [e["label"] for e in tracked["timeline"]]
    assert labels[:3] == ["已申请", "已收件", "材料寄递中"] and "退回补正" in labels and labels[-1] == "已办结"
    assert [s["kind"] for s in tracked["shipments"]] == ["MATERIALS", "RESULT"]
    assert_no_personal_data(tracked, body["applicant"]["id_number"])
    timeline = api.ok("GET", f"{path}/timeline", dg)["items"]
    assert [e["action"] for e in timeline][:2] == ["apply", "receive"]
    assert [e["at"] for e in timeline] == sorted(e["at"] for e in timeline)  # oldest first

    # Reviews: both stages, by the applicant only, once each; the bad one opens a ticket for DG-GOV's city.
    good = api.ok("POST", f"{path}/reviews", citizen, {"stage": "receiving", "rating": 5, "tags": [], "comment": ""},
                  status=201)
    assert good["office_id"] == "SZ-GOV" and good["bad"] is False
    api.error(403, "POST", f"{path}/reviews", dg, {"stage": "handling", "rating": 5, "tags": [], "comment": ""})
    api.error(400, "POST", f"{path}/reviews", citizen, {"stage": "handling", "rating": 1, "tags": [], "comment": ""})
    bad = api.ok("POST", f"{path}/reviews", citizen,
                 {"stage": "handling", "rating": 1, "tags": ["办理慢"], "comment": "等了很久"}, status=201)
    assert bad["office_id"] == "DG-GOV" and bad["bad"] is True
    api.error(409, "POST", f"{path}/reviews", citizen, {"stage": "handling", "rating": 5, "tags": [], "comment": ""})

    def ticket_listed() -> dict[str, Any] | None:
        items = api.ok("GET", "/reviews", SUPERVISOR["441900"], params={"bad": "true", "office_id": "DG-GOV"})["items"]
        return next((r for r in items if r["case_no"] == case_no and r["ticket"]), None)

    review = wait_for(ticket_listed)
    ticket_id = review["ticket"]["ticket_id"]
    assert review["ticket"]["status"] == "OPEN" and review["rating"] == 1 and review["reviewer"]["sub"] == "contract-li"
    shenzhen = api.ok("GET", "/reviews", SUPERVISOR["440300"], params={"bad": "true"})["items"]
    assert case_no not in [r["case_no"] for r in shenzhen if r["stage"] == "handling"]
    api.error(403, "GET", f"/tickets/{ticket_id}", SUPERVISOR["440300"])
    api.error(403, "GET", "/reviews", STAFF["DG-GOV"])
    api.error(400, "GET", "/reviews", SUPERVISOR["441900"], params={"bad": "maybe"})
    sup = SUPERVISOR["441900"]
    assert api.ok("GET", f"/tickets/{ticket_id}", sup)["status"] == "OPEN"
    api.error(409, "POST", f"/tickets/{ticket_id}/rectify", sup, {"actions": "..."})
    verified = api.ok("POST", f"/tickets/{ticket_id}/verify", sup, {"valid": True, "finding": "确有延误"})
    assert verified["status"] == "VERIFIED"
    assert api.ok("POST", f"/tickets/{ticket_id}/rectify", sup, {"actions": "增设专窗"})["status"] == "RECTIFIED"
    closed = api.ok("POST", f"/tickets/{ticket_id}/feedback", sup, {"contacted": True, "satisfied": True, "note": ""})
    assert closed["status"] == "CLOSED" and closed["feedback"]["satisfied"] is True
    listed = api.ok("GET", "/reviews", sup, params={"bad": "true", "ticket_status": "CLOSED"})["items"]
    assert ticket_id in [r["ticket"]["ticket_id"] for r in listed]

    today = datetime.now(CST).date().isoformat()
    stats = api.ok("GET", "/stats/reviews", sup, params={"city": "441900", "office_id": "DG-GOV", "from": today,
                                                         "to": today})
    assert stats["bad_reviews"] >= 1 and stats["reviews"] >= stats["bad_reviews"]
    for figure in ("good_rate", "active_good_rate", "bad_rate", "unrated_rate", "reply_rate",
                   "rectification_rate", "on_time_rate", "satisfaction_rate"):
        assert figure in stats
    assert stats["rectification_rate"] == 1.0
    api.error(403, "GET", "/stats/reviews", SUPERVISOR["440300"], params={"city": "441900"})
    api.error(400, "GET", "/stats/reviews", sup, params={"from": "yesterday"})


# ---------------------------------------------------------------- PICKUP_RECEIVING: a race, the appeal


def test_pickup_at_the_receiving_office_after_a_race_and_an_upheld_appeal(api: Api) -> None:
    citizen = mint("citizen", "contract-wang", name="王五")
    dg, zh = STAFF["DG-GOV"], STAFF["ZH-GOV"]
    body = application("ZH-DRIVER-RENEW", "DG-GOV", "PICKUP_RECEIVING", resident_id(302),
                       ["身份证", "驾驶证", "体检证明", "照片"])
    case_no = api.ok("POST", "/cases", citizen, body, status=201)["case_no"]
    path = f"/cases/{case_no}"
    assert api.ok("POST", f"{path}/receive", dg, {"missing": [], "note": ""})["status"] == "RECEIVED"
    assert api.ok("POST", f"{path}/forward", dg, {})["status"] == "IN_TRANSIT"
    wait_for(lambda: api.ok("GET", path, citizen)["handling_office_id"] == "ZH-GOV")
    # Staff sign for the parcel while the simulated courier may deliver it: either way, one transition.
    status, signed, _ = api.call("POST", f"{path}/sign", zh, {"note": "材料已签收"})
    assert (status, signed.get("status")) == (200, "ACCEPTED") or (
        status == 409 and signed["current_status"] == "ACCEPTED"), signed
    wait_status(api.base, case_no, citizen, "ACCEPTED")

    # Two decisions at once: exactly one wins, the other is a 409; the outbox keeps flowing afterwards.
    answers: list[tuple[int, Any]] = []

    def decide(approved: bool) -> None:
        code, data, _ = api.call("POST", f"{path}/decide", zh, {"approved": approved, "note": "并发"})
        answers.append((code, data))

    threads = [threading.Thread(target=decide, args=(flag,)) for flag in (True, False)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(code for code, _ in answers) == [200, 409], answers
    winner = next(data for code, data in answers if code == 200)
    assert api.ok("GET", path, citizen)["status"] == winner["status"]
    assert api.ok("POST", f"{path}/ship-result", zh, {})["status"] == "RESULT_IN_TRANSIT"
    ready = wait_status(api.base, case_no, citizen, "READY_FOR_PICKUP")  # the result parcel reached DG-GOV
    assert ready["pickup_office_id"] == "DG-GOV"
    api.error(403, "POST", f"{path}/pickup", zh, {})
    assert api.ok("POST", f"{path}/pickup", dg, {})["status"] == "COMPLETED"
    api.error(409, "POST", f"{path}/pickup", dg, {})

    # A bad review of the receiving window; the office appeals once; the provincial level upholds it.
    api.ok("POST", f"{path}/reviews", citizen, {"stage": "receiving", "rating": 2, "tags": ["态度差"],
                                                "comment": "窗口态度差"}, status=201)

    def ticket() -> str | None:
        query = {"bad": "true", "ticket_status": "OPEN"}
        items = api.ok("GET", "/reviews", SUPERVISOR["441900"], params=query)["items"]
        return next((r["ticket"]["ticket_id"] for r in items if r["case_no"] == case_no and r["ticket"]), None)

    ticket_id = wait_for(ticket)
    api.error(403, "POST", f"/tickets/{ticket_id}/appeal", zh, {"grounds": "..."})
    appealed = api.ok("POST", f"/tickets/{ticket_id}/appeal", dg, {"grounds": "当日窗口录像显示服务规范"})
    assert appealed["appeal"]["status"] == "PENDING"
    api.error(409, "POST", f"/tickets/{ticket_id}/appeal", dg, {"grounds": "again"})
    api.error(403, "POST", f"/tickets/{ticket_id}/appeal-decision", SUPERVISOR["441900"],
              {"upheld": True, "note": "..."})
    upheld = api.ok("POST", f"/tickets/{ticket_id}/appeal-decision", SUPERVISOR["440000"],
                    {"upheld": True, "note": "证据充分"})
    assert upheld["appeal"]["status"] == "UPHELD" and upheld["excluded_from_statistics"] is True


# ---------------------------------------------------------------- electronic transfer, refusal, withdrawal, lists


def test_electronic_pickup_at_the_handling_office_refusal_and_withdrawal(api: Api) -> None:
    citizen = mint("citizen", "contract-zhao", name="赵六")
    sz, zh = STAFF["SZ-GOV"], STAFF["ZH-GOV"]
    body = application("ZH-HOUSING-RECORD", "SZ-GOV", "PICKUP_HANDLING", resident_id(303), ["身份证", "查询申请表"])
    case_no = api.ok("POST", "/cases", citizen, body, status=201)["case_no"]
    path = f"/cases/{case_no}"
    api.ok("POST", f"{path}/receive", sz, {"missing": [], "note": ""})
    api.ok("POST", f"{path}/forward", sz, {})
    assert wait_status(api.base, case_no, citizen, "ACCEPTED")["handling_office_id"] == "ZH-GOV"
    assert api.ok("GET", f"{path}/shipments", citizen)["items"] == []  # 电子流转: no parcel
    denied = api.ok("POST", f"{path}/decide", zh, {"approved": False, "note": "不符合查询条件"})
    assert denied["status"] == "DENIED"
    shipped = api.ok("POST", f"{path}/ship-result", zh, {})
    assert shipped["status"] == "READY_FOR_PICKUP" and shipped["pickup_office_id"] == "ZH-GOV"
    api.error(403, "POST", f"{path}/pickup", sz, {})
    assert api.ok("POST", f"{path}/pickup", zh, {})["status"] == "COMPLETED"
    # Its handling rated (this test's own second review: the province's listing below pages through two).
    api.ok("POST", f"{path}/reviews", citizen, {"stage": "handling", "rating": 5, "tags": [], "comment": ""},
           status=201)

    # A missing core material: 422 on receive, then a refusal with the reason; a bad review of it, explained.
    refused_body = application("DG-SI-CERT", "SZ-GOV", "MAIL", resident_id(304), ["身份证"], not_provided=("申请表",))
    refused_no = api.ok("POST", "/cases", citizen, refused_body, status=201)["case_no"]
    # The window's finding (it replaces the form's list): the application form is not on the counter.
    core = api.error(422, "POST", f"/cases/{refused_no}/receive", sz, {"missing": ["申请表"], "note": ""})
    assert "申请表" in core["message"]
    refused = api.ok("POST", f"/cases/{refused_no}/refuse", sz, {"reason": "缺少申请表，请补齐后再申请"})
    assert refused["status"] == "REFUSED" and refused["refusal_reason"] == "缺少申请表，请补齐后再申请"
    api.error(409, "POST", f"/cases/{refused_no}/withdraw", citizen, {})
    api.ok("POST", f"/cases/{refused_no}/reviews", citizen,
           {"stage": "receiving", "rating": 1, "tags": ["不予收件"], "comment": "白跑一趟"}, status=201)
    api.error(409, "POST", f"/cases/{refused_no}/reviews", citizen,
              {"stage": "handling", "rating": 5, "tags": [], "comment": ""})

    def ticket() -> str | None:
        items = api.ok("GET", "/reviews", SUPERVISOR["440300"], params={"bad": "true", "office_id": "SZ-GOV"})["items"]
        return next((r["ticket"]["ticket_id"] for r in items if r["case_no"] == refused_no and r["ticket"]), None)

    ticket_id = wait_for(ticket)
    explained = api.ok("POST", f"/tickets/{ticket_id}/verify", SUPERVISOR["440300"],
                       {"valid": False, "finding": "申请表为必要材料，依规不予收件"})
    assert explained["status"] == "EXPLAINED"

    # Withdrawal by the applicant, from SUBMITTED and from RECEIVED; not by staff; not twice.
    first = api.ok("POST", "/cases", citizen, application("SZ-PF-WITHDRAW", "DG-GOV", "MAIL", resident_id(305),
                                                          ["身份证", "银行卡"]), status=201)["case_no"]
    api.error(403, "POST", f"/cases/{first}/withdraw", STAFF["DG-GOV"], {})
    assert api.ok("POST", f"/cases/{first}/withdraw", citizen, {})["status"] == "WITHDRAWN"
    api.error(409, "POST", f"/cases/{first}/withdraw", citizen, {})
    second = api.ok("POST", "/cases", citizen, application("SZ-BIZ-CHANGE", "ZH-GOV", "PICKUP_HANDLING",
                                                           resident_id(306), ["身份证", "营业执照", "变更申请书"],
                                                           not_provided=("场所证明",)), status=201)["case_no"]
    api.ok("POST", f"/cases/{second}/receive", zh, {"missing": ["场所证明"], "note": ""})
    assert api.ok("POST", f"/cases/{second}/withdraw", citizen, {})["status"] == "WITHDRAWN"

    # Lists paginate: an office's work queue (cases where it receives or handles), and the reviews.
    seen: list[str] = []
    params: dict[str, Any] = {"limit": 1}
    while True:
        page = api.ok("GET", "/offices/SZ-GOV/cases", sz, params=params)
        assert len(page["items"]) <= 1
        seen += [c["case_no"] for c in page["items"]]
        if not page["next_cursor"]:
            break
        params = {"limit": 1, "cursor": page["next_cursor"]}
    assert {case_no, refused_no} <= set(seen) and len(seen) == len(set(seen))
    assert_no_personal_data(api.ok("GET", "/offices/SZ-GOV/cases", sz), body["applicant"]["id_number"])
    completed = api.ok("GET", "/offices/ZH-GOV/cases", zh, params={"status": "COMPLETED"})["items"]
    assert case_no in [c["case_no"] for c in completed]  # ZH-GOV handled it
    api.error(403, "GET", "/offices/ZH-GOV/cases", sz)
    api.error(400, "GET", "/offices/SZ-GOV/cases", sz, params={"status": "DONE"})
    page = api.ok("GET", "/reviews", SUPERVISOR["440000"], params={"limit": 1})
    assert len(page["items"]) == 1 and page["next_cursor"]
    nxt = api.ok("GET", "/reviews", SUPERVISOR["440000"], params={"limit": 1, "cursor": page["next_cursor"]})
    assert nxt["items"] and nxt["items"][0] != page["items"][0]


# ---------------------------------------------------------------- second release: my cases, claim, tracking, CORS


def test_my_cases_claim_tracking_reasons_and_cors(api: Api) -> None:
    wang, zhao = mint("citizen", "contract-wang", name="王五"), mint("citizen", "contract-zhao", name="赵六")
    own_id, walk_in_id = resident_id(801), resident_id(802)
    own = api.ok("POST", "/cases", wang, application("DG-SI-CERT", "SZ-GOV", "PICKUP_RECEIVING", own_id,
                                                      ["身份证", "申请表"]), status=201)
    # Window staff enter a walk-in application; the applicant later claims it with the query code and their ID.
    walk_in = api.ok("POST", "/cases", STAFF["SZ-GOV"], application(
        "DG-SI-CERT", "SZ-GOV", "PICKUP_RECEIVING", walk_in_id, ["身份证", "申请表"]), status=201)
    case_no, code = walk_in["case_no"], walk_in["query_code"]
    api.error(403, "GET", f"/cases/{case_no}", wang)
    assert "query_code" in api.error(400, "POST", f"/cases/{case_no}/claim", wang,
                                     {"query_code": "12", "id_number": walk_in_id})["message"]
    wrong = "000000" if code != "000000" else "111111"
    api.error(404, "POST", f"/cases/{case_no}/claim", wang, {"query_code": wrong, "id_number": walk_in_id})
    api.error(404, "POST", f"/cases/{case_no}/claim", wang, {"query_code": code, "id_number": own_id})
    api.error(403, "POST", f"/cases/{case_no}/claim", STAFF["SZ-GOV"], {"query_code": code, "id_number": walk_in_id})
    claimed = api.ok("POST", f"/cases/{case_no}/claim", wang, {"query_code": code, "id_number": walk_in_id})
    assert claimed["applicant"]["id_number"] == walk_in_id and claimed["query_code"] == code
    assert api.ok("POST", f"/cases/{case_no}/claim", wang, {"query_code": code, "id_number": walk_in_id})[
        "version"] == claimed["version"]
    api.error(404, "POST", f"/cases/{case_no}/claim", zhao, {"query_code": code, "id_number": walk_in_id})
    assert [e["action"] for e in api.ok("GET", f"/cases/{case_no}/timeline", wang)["items"]] == ["apply", "claim"]

    # 我的办件: newest first, one per page, the cursor carries on; a cursor not issued is a 400 naming it.
    first = api.ok("GET", "/me/cases", wang, params={"limit": 1})
    assert [c["case_no"] for c in first["items"]] == [case_no] and first["next_cursor"]
    second = api.ok("GET", "/me/cases", wang, params={"limit": 1, "cursor": first["next_cursor"]})
    assert [c["case_no"] for c in second["items"]] == [own["case_no"]]
    assert api.error(400, "GET", "/me/cases", zhao, params={"cursor": first["next_cursor"]})["field"] == "cursor"
    assert api.error(400, "GET", "/me/cases", wang, params={"cursor": "forged"})["field"] == "cursor"
    api.error(403, "GET", "/me/cases", STAFF["SZ-GOV"])
    api.error(401, "GET", "/me/cases")

    # The claimant acts as the applicant: withdraws the claimed case; the other is refused with a reason.
    assert api.ok("POST", f"/cases/{case_no}/withdraw", wang, {})["status"] == "WITHDRAWN"
    api.ok("POST", f"/cases/{own['case_no']}/refuse", STAFF["SZ-GOV"], {"reason": "申请表未签名"})
    tracked = api.ok("GET", f"/track/{own['case_no']}", params={"code": own["query_code"]})
    assert tracked["status"] == "REFUSED" and tracked["refusal_reason"] == "申请表未签名"
    assert {"promised_by", "missing", "supplement_due", "return_reason", "termination_reason"} <= set(tracked)
    assert_no_personal_data(tracked, own_id)

    # CORS: the console's origin (local default) gets its preflight answered on every kind of route.
    for path in ("/me/cases", f"/cases/{case_no}/claim", f"/cases/{case_no}", "/health"):
        resp = requests.options(api.base + path, timeout=15, headers={
            "Origin": "http://127.0.0.1:8080", "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization,content-type"})
        assert resp.status_code == 204 and resp.headers["Access-Control-Allow-Origin"] == "http://127.0.0.1:8080"
        assert "authorization" in resp.headers["Access-Control-Allow-Headers"].lower()
        resp = requests.options(api.base + path, timeout=15, headers={"Origin": "https://evil.example"})
        assert resp.status_code == 403 and "Access-Control-Allow-Origin" not in resp.headers
    resp = requests.get(api.base + "/me/cases", timeout=15,
                        headers={"Origin": "http://localhost:8080", "Authorization": f"Bearer {wang}"})
    assert resp.status_code == 200 and resp.headers["Access-Control-Allow-Origin"] == "http://localhost:8080"
