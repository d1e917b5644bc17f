"""The supervisors' reads over HTTP: the reviewer's contact (full name and phone, only for the ticket's
supervisors, each read in the access log before it is answered), the access log (provincial), the city
overview, and the statistics grouped by month for the dashboard."""
from __future__ import annotations

import json

import pytest

from chalicelib.domain.workdays import cst_date, utcnow
from tests.support import call, citizen, received_case, staff, supervisor, ticket_id_of

BAD = {"stage": "receiving", "rating": 1, "tags": ["态度差"], "comment": "窗口人员不耐烦"}


def _ticket(client, pump, sub="alice"):
    case = received_case(client, sub)
    assert call(client, "POST", f"/cases/{case['case_no']}/reviews", citizen(sub), BAD)[0] == 201
    pump.run_until_idle()
    return case["case_no"], ticket_id_of(client, case["case_no"], "receiving")


@pytest.mark.emulator  # this route on moto as well (tests/api/conftest.py)
def test_reviewer_contact_is_logged_and_only_for_the_tickets_supervisors(client, pump):
    case_no, ticket_id = _ticket(client, pump)
    path = f"/tickets/{ticket_id}/reviewer-contact"
    sz = supervisor("440300")
    assert call(client, "GET", f"{path}?reason=核实", None)[0] == 401
    for hdrs in (staff("SZ-GOV"), staff("DG-GOV"), citizen(), supervisor("440400"), supervisor("441900")):
        assert call(client, "GET", f"{path}?reason=核实", hdrs)[0] == 403
    for query in ("", "?reason=", "?reason=x", "?reason=" + "长" * 201, "?reason=%01%02"):
        status, err = call(client, "GET", f"{path}{query}", sz)
        assert status == 400 and err["field"] == "reason", (query, err)
    assert call(client, "GET", "/tickets/TK-none-receiving/reviewer-contact?reason=核实", sz)[0] == 404
    # nothing was logged for refused reads
    status, log = call(client, "GET", "/access-log", supervisor("440000"))
    assert status == 200 and log["items"] == []

    resp = client.http.get(f"{path}?reason=核实差评情况", headers=sz)
    assert resp.status_code == 200 and resp.headers["Cache-Control"] == "no-store"
    contact = json.loads(resp.body)
    assert (contact["name"], contact["phone"], contact["case_no"]) == ("张三", "13800138000", case_no)
    status, again = call(client, "GET", f"{path}?reason=回访", supervisor("440000"))
    assert status == 200 and again["phone"] == "13800138000"

    status, log = call(client, "GET", "/access-log", supervisor("440000"))
    assert status == 200 and log["month"] == f"{cst_date(utcnow()):%Y-%m}"
    assert [(e["reader_sub"], e["reason"], e["ticket_id"], e["case_no"], e["what"]) for e in log["items"]] == [
        ("supervisor-440000", "回访", ticket_id, case_no, "reviewer_contact"),  # newest first
        ("supervisor-440300", "核实差评情况", ticket_id, case_no, "reviewer_contact"),
    ]
    assert log["items"][1]["entry_id"] == contact["entry_id"] and log["items"][1]["at"] == contact["logged_at"]
    assert "13800138000" not in json.dumps(log, ensure_ascii=False)  # the log says who read, not what

    # the rated office never learns who rated it, on any of its routes
    for route in (f"/tickets/{ticket_id}", f"/cases/{case_no}/reviews"):
        raw = client.http.get(route, headers=staff("SZ-GOV")).body.decode()
        assert "13800138000" not in raw and "张三" not in raw and "alice" not in raw


@pytest.mark.emulator  # on moto: DynamoDB's cursor over the access log
def test_access_log_is_provincial_pages_and_checks_its_parameters(client, pump):
    _, ticket_id = _ticket(client, pump)
    for i in range(3):
        path = f"/tickets/{ticket_id}/reviewer-contact?reason=回访{i}"
        assert call(client, "GET", path, supervisor("440300"))[0] == 200
    for hdrs in (supervisor("440300"), staff("SZ-GOV"), citizen()):
        assert call(client, "GET", "/access-log", hdrs)[0] == 403
    province = supervisor("440000")
    status, page1 = call(client, "GET", "/access-log?limit=2", province)
    assert status == 200 and len(page1["items"]) == 2 and page1["next_cursor"]
    status, page2 = call(client, "GET", f"/access-log?limit=2&cursor={page1['next_cursor']}", province)
    assert status == 200 and [e["reason"] for e in page1["items"] + page2["items"]] == ["回访2", "回访1", "回访0"]
    status, err = call(client, "GET", f"/access-log?month=2020-01&cursor={page1['next_cursor']}", province)
    assert status == 400 and err["field"] == "cursor"
    for month in ("2026-13", "2026-1", "202611", "abcd-ef"):
        status, err = call(client, "GET", f"/access-log?month={month}", province)
        assert status == 400 and err["field"] == "month"
    status, empty = call(client, "GET", "/access-log?month=2020-01", province)
    assert status == 200 and empty["items"] == [] and empty["next_cursor"] is None


def test_city_overview_counts_cases_by_status_per_office(client):
    received_case(client, "alice")  # SZ-GOV receives, DG-GOV handles (not yet forwarded)
    received_case(client, "bob")
    status, sz = call(client, "GET", "/overview/cases", supervisor("440300"))
    assert status == 200 and sz["city"] == "440300"
    by_office = {o["office_id"]: o for o in sz["offices"]}
    assert set(by_office) == {"SZ-GOV", "SZ-NS"}
    assert by_office["SZ-GOV"]["by_status"]["RECEIVED"] == 2 and by_office["SZ-GOV"]["total"] == 2
    assert by_office["SZ-GOV"]["overdue"] == 0 and by_office["SZ-NS"]["total"] == 0
    status, province = call(client, "GET", "/overview/cases", supervisor("440000"))
    assert status == 200 and province["city"] is None
    assert {o["office_id"] for o in province["offices"]} == {"SZ-GOV", "SZ-NS", "DG-GOV", "ZH-GOV"}
    assert call(client, "GET", "/overview/cases?city=440300", supervisor("440400"))[0] == 403
    assert call(client, "GET", "/overview/cases?city=12", supervisor("440000"))[0] == 400
    for hdrs in (staff("SZ-GOV"), citizen()):
        assert call(client, "GET", "/overview/cases", hdrs)[0] == 403
    assert "张三" not in json.dumps(province, ensure_ascii=False)


def test_stats_grouped_by_month_match_the_period_total(client, pump):
    _ticket(client, pump)
    today = cst_date(utcnow())
    year, month = (today.year, today.month - 11) if today.month == 12 else (today.year - 1, today.month + 1)
    first = today.replace(year=year, month=month, day=1)  # the first day of the 12th month back
    query = f"/stats/reviews?from={first.isoformat()}&to={today.isoformat()}&group=month"
    status, stats = call(client, "GET", query, supervisor("440000"))
    assert status == 200 and len(stats["months"]) == 12
    assert stats["months"][-1]["month"] == f"{today:%Y-%m}" and stats["months"][0]["month"] == f"{first:%Y-%m}"
    assert sum(m["reviews"] for m in stats["months"]) == stats["reviews"] == 1
    assert stats["months"][-1]["bad_reviews"] == 1 and stats["months"][0]["bad_rate"] is None
    status, plain = call(client, "GET", query.replace("&group=month", ""), supervisor("440000"))
    assert "months" not in plain and plain["reviews"] == 1


@pytest.mark.parametrize("query", ["group=week", "group=MONTH"])
def test_stats_group_is_checked(client, query):
    status, err = call(client, "GET", f"/stats/reviews?{query}", supervisor("440000"))
    assert status == 400 and err["field"] == "group"


def test_worklist_rows_carry_deadlines_and_history_names_who_acted(client, pump):
    _, ticket_id = _ticket(client, pump)
    status, listed = call(client, "GET", "/reviews?bad=true", supervisor("440300"))
    summary = listed["items"][0]["ticket"]
    assert summary["ticket_id"] == ticket_id and summary["escalated"] is False
    assert summary["verify_due"] < summary["rectify_due"]
    assert 0 <= summary["verify_working_days_left"] <= 3 and 7 <= summary["rectify_working_days_left"] <= 10
    status, ticket = call(client, "POST", f"/tickets/{ticket_id}/verify", supervisor("440300"),
                          {"valid": True, "finding": "属实"})
    assert status == 200 and ticket["verify_working_days_left"] is None
    last = ticket["history"][-1]
    assert (last["actor_role"], last["actor_sub"], last["action"]) == ("supervisor", "supervisor-440300", "verify")


def test_review_listing_takes_a_period_of_cst_days(client, pump):
    _ticket(client, pump)
    today = cst_date(utcnow()).isoformat()
    sz = supervisor("440300")
    status, listed = call(client, "GET", f"/reviews?from={today}&to={today}", sz)
    assert status == 200 and len(listed["items"]) == 1
    status, before = call(client, "GET", "/reviews?to=2020-01-01", sz)
    assert status == 200 and before["items"] == []
    status, err = call(client, "GET", f"/reviews?from={today}&to=2020-01-01", sz)
    assert status == 400 and err["field"] == "from"
    assert call(client, "GET", "/reviews?from=yesterday", sz)[1]["field"] == "from"
