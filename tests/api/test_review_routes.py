"""Reviews, tickets and statistics over HTTP (chalice test client): roles, scope, status codes, the
reviewer's identity, and the ticket's closed loop."""
from __future__ import annotations

import json
import re

import pytest

from tests.review_support import complete
from tests.support import call, citizen, headers, received_case, staff, supervisor, ticket_id_of

BAD = {"stage": "receiving", "rating": 1, "tags": ["态度差"], "comment": "窗口人员不耐烦"}


def _bad_review_ticket(client, pump, sub="alice", **kwargs):
    case = received_case(client, sub, **kwargs)
    status, body = call(client, "POST", f"/cases/{case['case_no']}/reviews", citizen(sub), BAD)
    assert status == 201, body
    pump.run_until_idle()
    return case["case_no"], ticket_id_of(client, case["case_no"], "receiving")


@pytest.mark.emulator  # this route on moto as well (tests/api/conftest.py)
def test_applicant_reviews_with_validation(client):
    case = received_case(client)
    path = f"/cases/{case['case_no']}/reviews"
    assert call(client, "POST", path, None, {"stage": "receiving", "rating": 5})[0] == 401
    for hdrs in (citizen("mallory"), staff("SZ-GOV"), supervisor("440300")):
        assert call(client, "POST", path, hdrs, {"stage": "receiving", "rating": 5})[0] == 403
    for body, field in (({"stage": "receiving", "rating": 6}, "rating"), ({"stage": "x", "rating": 5}, "stage"),
                        ({"stage": "receiving"}, "rating"),
                        ({"stage": "receiving", "rating": 2, "comment": "差"}, "tags"),
                        ({"stage": "receiving", "rating": 1, "tags": ["慢"]}, "comment"),
                        ({"stage": "receiving", "rating": 5, "extra": 1}, "extra")):
        status, err = call(client, "POST", path, citizen(), body)
        assert status == 400 and field in err["message"], (body, err)
    assert call(client, "POST", path, citizen(), "{not json")[0] == 400
    status, err = call(client, "POST", path, citizen(), {"stage": "handling", "rating": 5})
    assert status == 409 and err["current_status"] == "RECEIVED"
    status, review = call(client, "POST", path, citizen(), {"stage": "receiving", "rating": 4, "comment": "好"})
    assert status == 201 and review["rating"] == 4 and review["office_id"] == "SZ-GOV"
    assert call(client, "POST", path, citizen(), {"stage": "receiving", "rating": 5})[0] == 409
    assert call(client, "POST", "/cases/KC4403002026010100099/reviews", citizen(),
                {"stage": "receiving", "rating": 5})[0] == 404
    follow = f"{path}/receiving/follow-up"
    assert call(client, "POST", follow, citizen("mallory"), {"comment": "x"})[0] == 403
    assert call(client, "POST", follow, citizen(), {"comment": ""})[0] == 400
    assert call(client, "POST", follow, citizen(), {"comment": "补充说明"})[0] == 201
    assert call(client, "POST", follow, citizen(), {"comment": "再说"})[0] == 409
    status, mine = call(client, "GET", path, citizen())
    assert status == 200 and mine["items"][0]["follow_up"] == "补充说明"
    assert call(client, "GET", path, citizen("mallory"))[0] == 403


def test_handling_stage_after_completion(client):
    case = received_case(client)
    from chalicelib.domain.workdays import utcnow

    complete(case["case_no"], utcnow())
    status, review = call(client, "POST", f"/cases/{case['case_no']}/reviews", citizen(),
                          {"stage": "handling", "rating": 2, "tags": ["超时"], "comment": "太慢"})
    assert status == 201 and review["office_id"] == "DG-GOV" and review["bad"] is True


def test_ticket_visibility_and_reviewer_identity(client, pump):
    _, ticket_id = _bad_review_ticket(client, pump)
    for hdrs in (supervisor("440300"), supervisor("440000")):
        status, ticket = call(client, "GET", f"/tickets/{ticket_id}", hdrs)
        assert status == 200 and ticket["review"]["reviewer"] == {"sub": "alice", "name": "张三"}
        assert ticket["status"] == "OPEN" and ticket["office_id"] == "SZ-GOV"
    resp = client.http.get(f"/tickets/{ticket_id}", headers=staff("SZ-GOV"))
    assert resp.status_code == 200
    as_staff = json.loads(resp.body)
    assert as_staff["review"]["comment"] == BAD["comment"] and "reviewer" not in as_staff["review"]
    assert b"alice" not in resp.body and "张三" not in resp.body.decode()
    for hdrs in (supervisor("440400"), supervisor("441900"), staff("DG-GOV"), staff("SZ-NS"), citizen()):
        assert call(client, "GET", f"/tickets/{ticket_id}", hdrs)[0] == 403
    assert call(client, "GET", "/tickets/TK-nothing-receiving", supervisor("440000"))[0] == 404


def test_the_ticket_number_is_opaque_and_the_rated_office_never_reads_the_case_number(client, pump):
    case_no, ticket_id = _bad_review_ticket(client, pump)
    assert re.fullmatch(r"TK-[0-9A-HJKMNP-TV-Z]{26}", ticket_id) and case_no not in ticket_id
    resp = client.http.get(f"/tickets/{ticket_id}", headers=staff("SZ-GOV"))
    assert resp.status_code == 200 and case_no not in resp.body.decode()
    as_staff = json.loads(resp.body)
    assert "case_no" not in as_staff and "case_no" not in as_staff["review"]
    status, appealed = call(client, "POST", f"/tickets/{ticket_id}/appeal", staff("SZ-GOV"), {"grounds": "有录像"})
    assert status == 200 and "case_no" not in appealed and case_no not in json.dumps(appealed)
    # Nor does the case's review list give staff the ticket's number (it would tie the ticket to the case).
    status, listed = call(client, "GET", f"/cases/{case_no}/reviews", staff("SZ-GOV"))
    assert status == 200 and listed["items"][0]["ticket"]["status"] == "OPEN"
    assert "ticket_id" not in listed["items"][0]["ticket"] and ticket_id not in json.dumps(listed)
    status, seen = call(client, "GET", f"/tickets/{ticket_id}", supervisor("440300"))
    assert status == 200 and seen["case_no"] == case_no and seen["review"]["case_no"] == case_no
    # A first-release number (TK-{case_no}-{stage}) still leads a supervisor to the ticket; never the staff.
    legacy = f"/tickets/TK-{case_no}-receiving"
    status, seen = call(client, "GET", legacy, supervisor("440000"))
    assert status == 200 and seen["ticket_id"] == ticket_id
    assert call(client, "GET", legacy, staff("SZ-GOV"))[0] == 404


@pytest.mark.emulator  # this route on moto as well (tests/api/conftest.py)
def test_ticket_closed_loop_and_forbidden_steps(client, pump):
    _, ticket_id = _bad_review_ticket(client, pump)
    base = f"/tickets/{ticket_id}"
    sz = supervisor("440300")
    assert call(client, "POST", f"{base}/rectify", sz, {"actions": "x"})[0] == 409
    assert call(client, "POST", f"{base}/feedback", sz, {"contacted": True, "satisfied": True})[0] == 409
    assert call(client, "POST", f"{base}/verify", supervisor("440400"), {"valid": True, "finding": "x"})[0] == 403
    assert call(client, "POST", f"{base}/verify", staff("SZ-GOV"), {"valid": True, "finding": "x"})[0] == 403
    status, err = call(client, "POST", f"{base}/verify", sz, {"valid": "yes", "finding": "x"})
    assert status == 400 and "valid" in err["message"]
    status, t = call(client, "POST", f"{base}/verify", sz, {"valid": True, "finding": "经核实属实"})
    assert status == 200 and t["status"] == "VERIFIED" and t["valid"] is True
    status, err = call(client, "POST", f"{base}/verify", sz, {"valid": True, "finding": "again"})
    assert status == 409 and err["current_status"] == "VERIFIED"
    status, t = call(client, "POST", f"{base}/rectify", sz, {"actions": "窗口人员培训，增设引导员"})
    assert status == 200 and t["status"] == "RECTIFIED"
    status, err = call(client, "POST", f"{base}/feedback", sz, {"contacted": True})
    assert status == 400 and "satisfied" in err["message"]
    status, t = call(client, "POST", f"{base}/feedback", sz, {"contacted": True, "satisfied": True, "note": "满意"})
    assert status == 200 and t["status"] == "CLOSED" and t["feedback"]["satisfied"] is True
    assert [h["action"] for h in t["history"]] == ["open", "verify", "rectify", "feedback"]
    status, listed = call(client, "GET", "/reviews?ticket_status=CLOSED", sz)
    assert status == 200 and [r["ticket"]["ticket_id"] for r in listed["items"]] == [ticket_id]


def test_explained_ticket_and_the_applicants_view(client, pump):
    case_no, ticket_id = _bad_review_ticket(client, pump)
    status, t = call(client, "POST", f"/tickets/{ticket_id}/verify", supervisor("440000"),
                     {"valid": False, "finding": "材料不全依法不予受理，已向您说明"})
    assert status == 200 and t["status"] == "EXPLAINED"
    assert call(client, "POST", f"/tickets/{ticket_id}/rectify", supervisor("440300"), {"actions": "x"})[0] == 409
    status, mine = call(client, "GET", f"/cases/{case_no}/reviews", citizen())
    assert mine["items"][0]["ticket"]["explanation"] == "材料不全依法不予受理，已向您说明"


def test_appeal_once_decided_by_the_province(client, pump):
    _, ticket_id = _bad_review_ticket(client, pump)
    base = f"/tickets/{ticket_id}"
    grounds = {"grounds": "申请人未带材料却给差评，有窗口录像"}
    for hdrs in (staff("SZ-NS"), staff("DG-GOV"), supervisor("440300"), citizen()):
        assert call(client, "POST", f"{base}/appeal", hdrs, grounds)[0] == 403
    status, t = call(client, "POST", f"{base}/appeal", staff("SZ-GOV"), grounds)
    assert status == 200 and t["appeal"]["status"] == "PENDING" and "reviewer" not in t["review"]
    assert call(client, "POST", f"{base}/appeal", staff("SZ-GOV"), grounds)[0] == 409
    decision = {"upheld": True, "note": "录像显示窗口人员依规办理"}
    assert call(client, "POST", f"{base}/appeal-decision", supervisor("440300"), decision)[0] == 403
    assert call(client, "POST", f"{base}/appeal-decision", staff("SZ-GOV"), decision)[0] == 403
    assert call(client, "POST", f"{base}/appeal-decision", supervisor("440000"), {"upheld": True})[0] == 400
    status, t = call(client, "POST", f"{base}/appeal-decision", supervisor("440000"), decision)
    assert status == 200 and t["appeal"]["status"] == "UPHELD" and t["excluded_from_statistics"] is True
    assert call(client, "POST", f"{base}/appeal-decision", supervisor("440000"), decision)[0] == 409
    status, stats = call(client, "GET", "/stats/reviews?office_id=SZ-GOV", supervisor("440300"))
    assert (stats["reviews"], stats["bad_reviews"], stats["excluded_reviews"]) == (0, 0, 1)
    status, listed = call(client, "GET", "/reviews?office_id=SZ-GOV", supervisor("440300"))
    assert listed["items"][0]["excluded_from_statistics"] is True  # kept, with the evidence on the ticket


def test_review_listing_is_scoped_by_city(client, pump):
    received_case(client, "alice")  # at SZ-GOV (Shenzhen)
    dg = received_case(client, "bob", matter_id="SZ-PF-WITHDRAW", office_id="DG-GOV")  # at DG-GOV (Dongguan)
    sz_case = received_case(client, "carol")
    for sub, case_no in (("bob", dg["case_no"]), ("carol", sz_case["case_no"])):
        assert call(client, "POST", f"/cases/{case_no}/reviews", citizen(sub), BAD)[0] == 201
    pump.run_until_idle()
    zh = supervisor("440400")
    assert call(client, "GET", "/reviews?city=441900", zh)[0] == 403
    assert call(client, "GET", "/reviews?office_id=DG-GOV", zh)[0] == 403
    assert call(client, "GET", "/reviews?city=440000", zh)[0] == 403
    assert call(client, "GET", "/stats/reviews?city=441900", zh)[0] == 403
    assert call(client, "GET", "/stats/reviews?office_id=DG-GOV", zh)[0] == 403
    status, own = call(client, "GET", "/reviews", zh)
    assert status == 200 and own["items"] == [] and own["next_cursor"] is None
    status, stats = call(client, "GET", "/stats/reviews", zh)
    assert status == 200 and stats["reviews"] == 0 and [o["office_id"] for o in stats["offices"]] == ["ZH-GOV"]
    status, dg_view = call(client, "GET", "/reviews", supervisor("441900"))
    assert [r["case_no"] for r in dg_view["items"]] == [dg["case_no"]]
    assert dg_view["items"][0]["reviewer"]["sub"] == "bob"
    for hdrs in (staff("SZ-GOV"), citizen()):
        assert call(client, "GET", "/reviews", hdrs)[0] == 403
        assert call(client, "GET", "/stats/reviews", hdrs)[0] == 403
    status, province = call(client, "GET", "/reviews?bad=true", supervisor("440000"))
    assert {r["case_no"] for r in province["items"]} == {dg["case_no"], sz_case["case_no"]}
    assert call(client, "GET", "/reviews?bad=maybe", zh)[0] == 400
    assert call(client, "GET", "/reviews?ticket_status=LOST", zh)[0] == 400
    assert call(client, "GET", "/reviews?city=44", zh)[0] == 400
    status, open_ones = call(client, "GET", "/reviews?ticket_status=OPEN", supervisor("440300"))
    assert [r["case_no"] for r in open_ones["items"]] == [sz_case["case_no"]]


def test_review_listing_pages_and_cursors_stay_in_scope(client, pump):
    subs = [f"user{i}" for i in range(5)]
    for i, sub in enumerate(subs):
        case = received_case(client, sub, id_seed=i)
        assert call(client, "POST", f"/cases/{case['case_no']}/reviews", citizen(sub),
                    {"stage": "receiving", "rating": 5})[0] == 201
    seen, cursor = [], None
    for _ in range(10):
        path = "/reviews?limit=2" + (f"&cursor={cursor}" if cursor else "")
        status, page = call(client, "GET", path, supervisor("440000"))
        assert status == 200 and len(page["items"]) <= 2
        seen += [r["reviewer"]["sub"] for r in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted(subs)
    status, first = call(client, "GET", "/reviews?limit=2", supervisor("440300"))
    assert first["next_cursor"]
    # A Shenzhen cursor replayed by Zhuhai's supervisor does not reach Shenzhen's partition.
    status, err = call(client, "GET", f"/reviews?limit=2&cursor={first['next_cursor']}", supervisor("440400"))
    assert status == 400 and "cursor" in err["message"]
    assert call(client, "GET", "/reviews?cursor=%%%", supervisor("440300"))[0] == 400


@pytest.mark.parametrize(("query", "field"), [("from=2026-13-01", "from"), ("to=20260301", "to"),
                                              ("from=2026-03-05&to=2026-03-01", "from"),
                                              ("office_id=NOPE", "office_id"), ("city=ABC", "city")])
def test_stats_parameters_are_checked(client, query, field):
    status, err = call(client, "GET", f"/stats/reviews?{query}", supervisor("440000"))
    assert status == 400 and field in err["message"]


def test_supervisor_token_needs_a_city(client):
    hdrs = headers("supervisor", "nobody")
    assert call(client, "GET", "/reviews", hdrs)[0] == 401


def test_real_lifecycle_opens_both_stages_for_review(client, pump):
    """Through the handling routes: the pickup completes the case, the handling stage gets its slot, a
    bad handling review opens a ticket for the handling office (Zhuhai), seen by Zhuhai's supervisor."""
    from datetime import timedelta

    from chalicelib.domain.workdays import utcnow
    from chalicelib.services import sweeper
    from tests.shipping_support import forward_and_route

    case = received_case(client, matter_id="ZH-HOUSING-RECORD", office_id="SZ-GOV", method="PICKUP_HANDLING")
    case_no = case["case_no"]
    assert forward_and_route(client, pump, case_no, "SZ-GOV")["status"] == "ACCEPTED"
    assert call(client, "POST", f"/cases/{case_no}/decide", staff("ZH-GOV"), {"approved": True})[0] == 200
    assert call(client, "POST", f"/cases/{case_no}/ship-result", staff("ZH-GOV"))[1]["status"] == "READY_FOR_PICKUP"
    assert call(client, "POST", f"/cases/{case_no}/pickup", staff("ZH-GOV"))[1]["status"] == "COMPLETED"
    status, _ = call(client, "POST", f"/cases/{case_no}/reviews", citizen(),
                     {"stage": "handling", "rating": 2, "tags": ["材料反复要求"], "comment": "多次补件"})
    assert status == 201
    pump.run_until_idle()
    status, listed = call(client, "GET", "/reviews?bad=true", supervisor("440400"))
    assert [(r["stage"], r["office_id"], r["ticket"]["status"]) for r in listed["items"]] == [
        ("handling", "ZH-GOV", "OPEN")]
    ticket_id = ticket_id_of(client, case_no, "handling")
    assert call(client, "GET", f"/tickets/{ticket_id}", staff("ZH-GOV"))[0] == 200
    assert call(client, "GET", f"/tickets/{ticket_id}", supervisor("440300"))[0] == 403
    # The receiving stage was left unrated: the sweeper rates it by default when its window closes.
    sweeper.sweep(utcnow() + timedelta(days=17))
    status, mine = call(client, "GET", f"/cases/{case_no}/reviews", citizen())
    assert {(r["stage"], r["rating"], r["default"]) for r in mine["items"]} == {
        ("receiving", 3, True), ("handling", 2, False)}


def test_the_rated_office_reads_the_citizens_free_text_with_numbers_masked(client, pump):
    case = received_case(client, "dora")
    comment = "窗口态度差，请回电 13912345678，我的身份证 11010519491231002X"
    body = {"stage": "receiving", "rating": 1, "tags": ["态度"], "comment": comment}
    assert call(client, "POST", f"/cases/{case['case_no']}/reviews", citizen("dora"), body)[0] == 201
    pump.run_until_idle()
    ticket = f"/tickets/{ticket_id_of(client, case['case_no'], 'receiving')}"
    status, seen_by_staff = call(client, "GET", ticket, staff("SZ-GOV"))
    assert status == 200 and "reviewer" not in seen_by_staff["review"]
    masked = seen_by_staff["review"]["comment"]
    assert "13912345678" not in masked and "11010519491231002X" not in masked and "窗口态度差" in masked
    status, seen_by_supervisor = call(client, "GET", ticket, supervisor("440300"))
    assert status == 200 and seen_by_supervisor["review"]["comment"] == comment
    status, mine = call(client, "GET", f"/cases/{case['case_no']}/reviews", citizen("dora"))
    assert status == 200 and mine["items"][0]["comment"] == comment


@pytest.mark.parametrize("query,field", [
    ("from=0001-01-01", "from"), ("to=0001-01-01", "to"), ("to=9999-12-31", "to"), ("from=1999-12-31", "from"),
    ("from=２０２６-01-01", "from"), ("to=2026-02-30", "to")])
def test_dates_at_the_calendars_edges_are_a_400_naming_the_field(client, query, field):
    for path in ("/reviews", "/stats/reviews"):
        status, err = call(client, "GET", f"{path}?{query}", supervisor("440000"))
        assert status == 400 and err["field"] == field, (path, query, err)


def test_overdue_tickets_reach_the_provincial_worklist_as_a_query(client, pump, monkeypatch):
    from datetime import timedelta

    from chalicelib.adapters.models import TicketRecord
    from chalicelib.domain.workdays import utcnow
    from chalicelib.services import sweeper

    _, late = _bad_review_ticket(client, pump, "erin")
    _, in_time = _bad_review_ticket(client, pump, "finn")
    assert call(client, "POST", f"/tickets/{in_time}/verify", supervisor("440300"),
                {"valid": True, "finding": "属实"})[0] == 200
    assert call(client, "GET", "/tickets?escalated=true", supervisor("440000"))[1]["items"] == []
    sweeper.sweep(utcnow() + timedelta(days=8))  # past the verify deadline (3 WD) of the one still OPEN
    monkeypatch.setattr(TicketRecord, "scan", lambda *a, **k: (_ for _ in ()).throw(AssertionError("a scan")))
    for hdrs in (supervisor("440000"), supervisor("440300")):
        status, listed = call(client, "GET", "/tickets?escalated=true", hdrs)
        assert status == 200 and [t["ticket_id"] for t in listed["items"]] == [late], listed
        assert listed["items"][0]["overdue"] == ["verify"] and listed["items"][0]["case_no"]
    status, page = call(client, "GET", "/tickets?escalated=true&limit=1", supervisor("440000"))
    assert status == 200 and len(page["items"]) == 1
    assert call(client, "GET", "/tickets?escalated=true&city=440300", supervisor("440000"))[1]["items"]
    assert call(client, "GET", "/tickets?escalated=true&city=441900", supervisor("440000"))[1]["items"] == []
    assert call(client, "GET", "/tickets?escalated=true", supervisor("441900"))[1]["items"] == []
    assert call(client, "GET", "/tickets?escalated=true&city=440300", supervisor("441900"))[0] == 403
    for hdrs in (staff("SZ-GOV"), citizen("erin")):
        assert call(client, "GET", "/tickets?escalated=true", hdrs)[0] == 403
    for query in ("", "?escalated=false"):
        status, err = call(client, "GET", f"/tickets{query}", supervisor("440000"))
        assert status == 400 and err["field"] == "escalated"
    assert call(client, "GET", "/tickets?escalated=true&cursor=abc", supervisor("440000"))[0] == 400
    # Answered (explained), the ticket leaves the worklist.
    assert call(client, "POST", f"/tickets/{late}/verify", supervisor("440000"),
                {"valid": False, "finding": "已解释"})[0] == 200
    assert call(client, "GET", "/tickets?escalated=true", supervisor("440000"))[1]["items"] == []


@pytest.mark.emulator  # on moto: the roll-up items of the DynamoDB adapter
def test_stats_of_a_whole_month_equal_the_city_and_province_roll_ups(client, pump):
    """Over HTTP: a bad review whose appeal is upheld and a good review; the statistics of the whole month, for
    the province and for the city, are their roll-ups' figures (the same in every counter) and their offices'
    figures summed."""
    from datetime import timedelta

    from chalicelib.bootstrap import unit_of_work
    from chalicelib.domain.rollups import city, province
    from chalicelib.domain.statistics import COUNTERS, figures
    from chalicelib.domain.workdays import cst_date, utcnow

    _, ticket_id = _bad_review_ticket(client, pump)
    assert call(client, "POST", f"/tickets/{ticket_id}/appeal", staff("SZ-GOV"), {"grounds": "有录像为证"})[0] == 200
    assert call(client, "POST", f"/tickets/{ticket_id}/appeal-decision", supervisor("440000"),
                {"upheld": True, "note": "维持申诉"})[0] == 200
    good = received_case(client, "bob")
    assert call(client, "POST", f"/cases/{good['case_no']}/reviews", citizen("bob"),
                {"stage": "receiving", "rating": 5})[0] == 201
    today = cst_date(utcnow())
    first, month = today.replace(day=1), today.isoformat()[:7]
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    for hdrs, scope, level in ((supervisor("440000"), "", province()),
                               (supervisor("440300"), "city=440300&", city("440300"))):
        status, stats = call(client, "GET", f"/stats/reviews?{scope}from={first}&to={last}&group=month", hdrs)
        assert status == 200, stats
        rolled = unit_of_work().reviews.rollup_counts(level, [month])
        assert rolled is not None
        assert stats["months"] == [{"month": month, **figures(rolled[month])}]
        assert stats["counts"] == rolled[month] == {k: sum(o["counts"][k] for o in stats["offices"]) for k in COUNTERS}
        assert (stats["reviews"], stats["excluded_reviews"], stats["good_reviews"]) == (1, 1, 1)


def test_the_dashboards_trend_comes_from_the_scheduled_snapshot_and_says_as_of_when(client, pump):
    """Under moto, through app.py's schedule handler: before a snapshot the trend is read live (as of now);
    after it, the year's trend is the snapshot's, equal to the live answer, and a review made since counts in
    the contract's figures at once and in the trend at the next snapshot."""
    from datetime import timedelta

    from chalicelib.domain.workdays import cst_date, utcnow

    good = received_case(client, "bob")
    assert call(client, "POST", f"/cases/{good['case_no']}/reviews", citizen("bob"),
                {"stage": "receiving", "rating": 5})[0] == 201
    today = cst_date(utcnow())
    first = (today.replace(day=1) - timedelta(days=330)).replace(day=1)
    year = f"/stats/reviews?from={first}&to={today}"
    province = supervisor("440000")
    live = call(client, "GET", f"{year}&group=month", province)[1]
    assert live["reviews"] == 1 and len(live["months"]) == 12
    assert pump.refresh_stats() == {"offices": len(live["offices"]), "stored": 1}
    snap = call(client, "GET", f"{year}&group=month", province)[1]
    assert snap["as_of"] >= live["as_of"]
    assert {k: v for k, v in snap.items() if k != "as_of"} == {k: v for k, v in live.items() if k != "as_of"}

    other = received_case(client, "carol")
    assert call(client, "POST", f"/cases/{other['case_no']}/reviews", citizen("carol"),
                {"stage": "receiving", "rating": 4})[0] == 201
    assert call(client, "GET", year, province)[1]["reviews"] == 2  # the contract's figures: live
    assert call(client, "GET", f"{year}&group=month", province)[1]["reviews"] == 1  # the snapshot's trend
    pump.refresh_stats()
    assert call(client, "GET", f"{year}&group=month", province)[1]["reviews"] == 2
