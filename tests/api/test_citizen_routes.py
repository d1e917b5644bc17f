"""The citizen's own cases (DESIGN §6, second release): ``GET /me/cases`` (newest first, paginated, cursors
checked) and ``POST /cases/{case_no}/claim`` (a walk-in case becomes the signed-in citizen's, with every right
the applicant has; any mismatch is the same 404 and spends the tracking guessing budget)."""
from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest

from chalicelib.services.queries import TRACK_FAILURES_PER_CALLER
from tests.support import application, apply_case, call, citizen, received_case, staff, supervisor, ticket_id_of

HUKOU = dict(matter_id="DG-HUKOU-MOVE", provided=["身份证", "户口簿", "迁入地证明", "照片"])


def _cursor(value: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


def walk_in(client, office="SZ-GOV", id_seed=41, **kwargs):
    """Window staff enter an application for someone at the counter: returns (case, its identity number)."""
    body = application(office_id=office, id_seed=id_seed, **kwargs)
    status, case = call(client, "POST", "/cases", staff(office), body)
    assert status == 201, case
    assert case["applicant"]["id_number"] != body["applicant"]["id_number"]  # masked for staff
    return case, body["applicant"]["id_number"]


def claim(client, case_no, code, id_number, sub="bob"):
    return call(client, "POST", f"/cases/{case_no}/claim", citizen(sub), {"query_code": code, "id_number": id_number})


# ---------------------------------------------------------------- GET /me/cases


def test_my_cases_newest_first_paginated_and_only_mine(client):
    mine = [apply_case(client, "alice", id_seed=i)["case_no"] for i in range(5)]
    apply_case(client, "mallory", id_seed=9)
    seen, cursor = [], None
    for _ in range(5):
        status, page = call(client, "GET", "/me/cases?limit=2" + (f"&cursor={cursor}" if cursor else ""), citizen())
        assert status == 200 and len(page["items"]) <= 2, page
        seen += [c["case_no"] for c in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == list(reversed(mine))  # newest first (case numbers grow with time), nobody else's
    status, page = call(client, "GET", "/me/cases", citizen())
    item = page["items"][0]
    assert item["applicant"]["id_number"] and "*" not in item["applicant"]["id_number"]  # the owner's, in clear
    assert item["query_code"] and item["next_actions"] == ["withdraw", "supplement"]
    assert call(client, "GET", "/me/cases", citizen("nobody"))[1] == {"items": [], "next_cursor": None}


def test_my_cases_is_for_citizens(client):
    assert call(client, "GET", "/me/cases", None)[0] == 401
    for hdrs in (staff("SZ-GOV"), supervisor("440000")):
        assert call(client, "GET", "/me/cases", hdrs)[0] == 403
    for query, field in (("limit=0", "limit"), ("limit=101", "limit"), ("limit=x", "limit")):
        status, err = call(client, "GET", f"/me/cases?{query}", citizen())
        assert status == 400 and err["field"] == field


@pytest.mark.emulator  # on moto: DynamoDB's cursor keys (forged from a real one)
def test_my_cases_refuses_cursors_it_did_not_issue(client):
    for i in range(3):
        apply_case(client, "alice", id_seed=i)
    apply_case(client, "mallory", id_seed=7)
    status, page = call(client, "GET", "/me/cases?limit=1", citizen())
    issued = page["next_cursor"]
    key = json.loads(base64.urlsafe_b64decode(issued.partition(".")[0] + "==="))["k"]
    other = {**key, "applicant_sub": {"S": "mallory"}}
    forged = [
        "%%%", "bm90IGpzb24", _cursor([1, 2]), _cursor({}), _cursor({"k": None}), _cursor({"k": "x"}),
        _cursor({"k": key, "extra": 1}), _cursor({"k": {**key, "case_no": {"N": "1"}}}),
        _cursor({"k": {"applicant_sub": {"S": "alice"}}}), _cursor({"k": {**key, "case_no": {"S": "x"}}}),
        _cursor({"k": other}),  # well-formed, but another citizen's partition: no peeking
        _cursor({"i": 0, "k": None}),  # a work-queue cursor
        _cursor({"k": key}) + "." + issued.partition(".")[2],  # the issued position, its signature moved over
        _cursor({"k": other}) + "." + issued.partition(".")[2],
    ]
    for cursor in forged:
        status, err = call(client, "GET", f"/me/cases?cursor={cursor}", citizen())
        assert status == 400 and err["field"] == "cursor", (cursor, status, err)
    # The issued cursor belongs to alice: replayed by mallory it is refused too.
    status, err = call(client, "GET", f"/me/cases?cursor={issued}", citizen("mallory"))
    assert status == 400 and err["field"] == "cursor"
    assert call(client, "GET", f"/me/cases?cursor={issued}", citizen())[0] == 200


@pytest.mark.emulator  # on moto: DynamoDB's cursor keys (forged from a real one)
def test_work_queue_refuses_forged_cursors(client):
    for i in range(3):
        apply_case(client, "alice", id_seed=i)
    status, page = call(client, "GET", "/offices/SZ-GOV/cases?limit=1", staff("SZ-GOV"))
    issued = json.loads(base64.urlsafe_b64decode(page["next_cursor"].partition(".")[0] + "==="))
    key = issued["k"]  # the last entry consumed: created_at#case_no
    case_no = key.rpartition("#")[2]
    forged = [
        {"i": "x", "k": None}, {"i": [], "k": None}, {"i": True, "k": None}, {"i": 7, "k": None}, {"k": key},
        {"i": 0, "k": "x"}, {"i": 0, "k": {"S": key}}, {"i": 0, "k": key.replace("KC", "XX")},
        {"i": 0, "k": f"not-an-instant#{case_no}"}, {"i": 1, "k": key, "n": 0},
    ]
    for cursor in forged:
        status, err = call(client, "GET", f"/offices/SZ-GOV/cases?cursor={_cursor(cursor)}", staff("SZ-GOV"))
        assert status == 400 and err["field"] == "cursor", (cursor, status, err)
    # A cursor issued without a status filter does not fit a filtered listing (it is signed for its filters).
    status, err = call(client, "GET", f"/offices/SZ-GOV/cases?status=RECEIVED&cursor={page['next_cursor']}",
                       staff("SZ-GOV"))
    assert status == 400 and err["field"] == "cursor"
    assert call(client, "GET", f"/offices/SZ-GOV/cases?cursor={page['next_cursor']}", staff("SZ-GOV"))[0] == 200


# ---------------------------------------------------------------- POST /cases/{case_no}/claim


def test_claim_links_a_walk_in_case_once(client):
    case, id_number = walk_in(client)
    case_no, code = case["case_no"], case["query_code"]
    assert call(client, "GET", f"/cases/{case_no}", citizen("bob"))[0] == 403  # not theirs yet
    status, claimed = claim(client, case_no, code, id_number.lower())  # a lower-case x is the same number
    assert status == 200, claimed
    assert claimed["applicant"]["id_number"] == id_number and claimed["query_code"] == code  # now in clear
    assert claimed["next_actions"] == ["withdraw", "supplement"]
    status, again = claim(client, case_no, code, id_number)  # idempotent: no second event
    assert status == 200 and again["version"] == claimed["version"]
    status, timeline = call(client, "GET", f"/cases/{case_no}/timeline", citizen("bob"))
    assert [e["action"] for e in timeline["items"]] == ["apply", "claim"]
    assert timeline["items"][1]["actor_sub"] == "bob" and timeline["items"][1]["to_status"] == "SUBMITTED"
    assert [c["case_no"] for c in call(client, "GET", "/me/cases", citizen("bob"))[1]["items"]] == [case_no]
    # Now bob's: another citizen with the very same code and number gets what any mismatch gets.
    status, err = claim(client, case_no, code, id_number, sub="carol")
    assert status == 404 and err["code"] == "not_found"
    # Staff still see the case, masked.
    status, seen = call(client, "GET", f"/cases/{case_no}", staff("SZ-GOV"))
    assert status == 200 and seen["applicant"]["id_number"] != id_number


def test_every_mismatch_is_the_same_404(client):
    case, id_number = walk_in(client)
    online = apply_case(client, "alice", id_seed=5)
    online_id = application(id_seed=5)["applicant"]["id_number"]
    wrong_code = f"{(int(case['query_code']) + 1) % 1_000_000:06d}"
    other_id = application(id_seed=77)["applicant"]["id_number"]
    answers = [
        claim(client, case["case_no"], wrong_code, id_number),
        claim(client, case["case_no"], case["query_code"], other_id),
        claim(client, "KC4403002026010100099", case["query_code"], id_number),
        claim(client, online["case_no"], online["query_code"], online_id),  # applied online by alice
    ]
    assert {(s, e["code"]) for s, e in answers} == {(404, "not_found")}
    assert len({e["message"].replace(c, "") for (s, e), c in zip(
        answers, [case["case_no"]] * 2 + ["KC4403002026010100099", online["case_no"]], strict=True)}) == 1
    # Not a case number at all: bad input, refused before any guess is counted.
    status, err = claim(client, "nonsense", case["query_code"], id_number)
    assert status == 400 and err["field"] == "case_no"
    # Nothing changed: the walk-in case is still unclaimed, alice's case still alice's.
    assert call(client, "GET", "/me/cases", citizen("bob"))[1]["items"] == []
    assert call(client, "GET", f"/cases/{online['case_no']}", citizen())[0] == 200
    assert claim(client, online["case_no"], online["query_code"], online_id, sub="alice")[0] == 200  # her own


def test_claim_input_and_roles(client):
    case, id_number = walk_in(client)
    path = f"/cases/{case['case_no']}/claim"
    good = {"query_code": case["query_code"], "id_number": id_number}
    assert call(client, "POST", path, None, good)[0] == 401
    for hdrs in (staff("SZ-GOV"), supervisor("440300")):
        assert call(client, "POST", path, hdrs, good)[0] == 403
    for body, field in (({"id_number": id_number}, "query_code"), ({"query_code": "12345", "id_number": id_number},
                        "query_code"), ({"query_code": case["query_code"]}, "id_number"),
                        ({**good, "id_number": "1"}, "id_number"), ({**good, "extra": 1}, "extra")):
        status, err = call(client, "POST", path, citizen("bob"), body)
        assert status == 400 and err["field"] == field, (body, err)
    assert call(client, "POST", path, citizen("bob"), "{nope")[0] == 400


def test_claim_shares_the_tracking_guessing_budget(client):
    case, id_number = walk_in(client)
    case_no, code = case["case_no"], case["query_code"]
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(TRACK_FAILURES_PER_CALLER // 2):
        assert claim(client, case_no, wrong, id_number)[0] == 404
        assert call(client, "GET", f"/track/{case_no}?code={wrong}")[0] == 404
    assert claim(client, case_no, code, "110105194912310021")[0] == 429  # one miss too many
    assert call(client, "GET", f"/track/{case_no}?code={code}")[0] == 429  # even with the right code
    status, err = claim(client, case_no, code, id_number)
    assert status == 429 and err["code"]
    assert call(client, "GET", "/me/cases", citizen("bob"))[1]["items"] == []


def test_the_claimant_has_every_right_of_the_applicant(client, pump):
    # Withdraw.
    case, id_number = walk_in(client, id_seed=51)
    assert claim(client, case["case_no"], case["query_code"], id_number)[0] == 200
    path = f"/cases/{case['case_no']}/withdraw"
    assert call(client, "POST", path, citizen("carol"), {})[0] == 403
    status, withdrawn = call(client, "POST", path, citizen("bob"), {})
    assert status == 200 and withdrawn["status"] == "WITHDRAWN"

    # Supplement a 容缺 material, rate the receiving stage, follow the review up, read every view unmasked.
    body_materials = [m for m in HUKOU["provided"] if m != "照片"]
    case, id_number = walk_in(client, id_seed=52, matter_id=HUKOU["matter_id"], provided=body_materials)
    case_no = case["case_no"]
    status, received = call(client, "POST", f"/cases/{case_no}/receive", staff("SZ-GOV"), {"missing": ["照片"]})
    assert status == 200 and received["missing"] == ["照片"]
    # Before the claim the walk-in applicant has no account: no citizen may supplement or rate.
    assert call(client, "POST", f"/cases/{case_no}/supplements", citizen("bob"), {"material": "照片"})[0] == 403
    assert call(client, "POST", f"/cases/{case_no}/reviews", citizen("bob"),
                {"stage": "receiving", "rating": 5})[0] == 403
    assert claim(client, case_no, case["query_code"], id_number)[0] == 200
    status, supplemented = call(client, "POST", f"/cases/{case_no}/supplements", citizen("bob"), {"material": "照片"})
    assert status == 200 and supplemented["missing"] == []
    review = {"stage": "receiving", "rating": 1, "tags": ["态度差"], "comment": "等了两小时"}
    assert call(client, "POST", f"/cases/{case_no}/reviews", citizen("carol"), review)[0] == 403
    status, rated = call(client, "POST", f"/cases/{case_no}/reviews", citizen("bob"), review)
    assert status == 201 and rated["rating"] == 1
    follow = f"/cases/{case_no}/reviews/receiving/follow-up"
    assert call(client, "POST", follow, citizen("carol"), {"comment": "x"})[0] == 403
    assert call(client, "POST", follow, citizen("bob"), {"comment": "补充说明"})[0] == 201
    for suffix in ("", "/timeline", "/shipments", "/reviews"):
        status, data = call(client, "GET", f"/cases/{case_no}{suffix}", citizen("bob"))
        assert status == 200, (suffix, data)
        assert call(client, "GET", f"/cases/{case_no}{suffix}", citizen("carol"))[0] == 403
    status, view = call(client, "GET", f"/cases/{case_no}", citizen("bob"))
    assert view["applicant"]["id_number"] == id_number and view["applicant"]["phone"] == "13800138000"
    pump.run_until_idle()  # the bad review opens its ticket as for any applicant
    status, ticket = call(client, "GET", f"/tickets/{ticket_id_of(client, case_no, 'receiving')}",
                          supervisor("440300"))
    assert status == 200 and ticket["review"]["reviewer"]["sub"] == "bob"


# ---------------------------------------------------------------- GET /track/{case_no} additions


def test_tracking_gives_reasons_missing_materials_and_dates_without_personal_data(client, pump):
    refused = apply_case(client, "alice", id_seed=1)
    call(client, "POST", f"/cases/{refused['case_no']}/refuse", staff("SZ-GOV"),
         {"reason": "申请表未签名，请联系 13912345678"})
    status, tracked = call(client, "GET", f"/track/{refused['case_no']}?code={refused['query_code']}")
    assert status == 200 and tracked["status"] == "REFUSED"
    assert tracked["refusal_reason"].startswith("申请表未签名") and "13912345678" not in tracked["refusal_reason"]
    assert tracked["return_reason"] is None and tracked["termination_reason"] is None

    missing = received_case(client, "alice", missing=["照片"], matter_id="DG-HUKOU-MOVE", id_seed=2,
                            provided=["身份证", "户口簿", "迁入地证明"])
    status, tracked = call(client, "GET", f"/track/{missing['case_no']}?code={missing['query_code']}")
    assert tracked["missing"] == ["照片"] and tracked["supplement_due"]

    from chalicelib.domain.workdays import utcnow
    from chalicelib.services import sweeper

    sweeper.sweep(utcnow() + timedelta(days=30))
    status, tracked = call(client, "GET", f"/track/{missing['case_no']}?code={missing['query_code']}")
    assert tracked["status"] == "TERMINATED"
    assert "照片" in tracked["termination_reason"] and tracked["supplement_due"] in tracked["termination_reason"]
    text = json.dumps(tracked, ensure_ascii=False)
    assert "13800138000" not in text and "张三" not in text


def test_tracking_gives_the_return_reason_and_promised_date(client, pump):
    from tests.shipping_support import forward_and_route

    case = received_case(client, "alice", id_seed=3)
    forward_and_route(client, pump, case["case_no"], "SZ-GOV")
    assert call(client, "POST", f"/cases/{case['case_no']}/sign", staff("DG-GOV"), {})[0] == 200
    assert call(client, "POST", f"/cases/{case['case_no']}/return", staff("DG-GOV"), {"reason": "照片模糊"})[0] == 200
    _, tracked = call(client, "GET", f"/track/{case['case_no']}?code={case['query_code']}")
    assert tracked["status"] == "RETURNED" and tracked["return_reason"] == "照片模糊"
    assert tracked["promised_by"] and tracked["correction_due"] and tracked["supplement_due"] is None


@pytest.mark.parametrize("sub", ["alice"])
def test_a_citizen_sees_a_claimed_case_among_their_own(client, sub):
    own = apply_case(client, sub, id_seed=11)
    case, id_number = walk_in(client, id_seed=12)
    assert claim(client, case["case_no"], case["query_code"], id_number, sub=sub)[0] == 200
    items = call(client, "GET", "/me/cases", citizen(sub))[1]["items"]
    assert {c["case_no"] for c in items} == {own["case_no"], case["case_no"]}
