"""Journeys of issues 10 and 11 that the other browser tests set up through the API, driven through the pages
here: a citizen withdraws an application; rates both stages of a finished case, a 1-star review with its
reasons opening a ticket that the supervisor exports (tickets CSV) and whose reviewer contact they read (the
provincial access log page shows it); window staff re-ship a parcel that went wrong, and the citizen sees the
replacement. Every page visited passes axe-core with no serious or critical violation."""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.browser.conftest import DESKTOP, PHONE, Stack
from tests.browser.support import (
    RECEIVER,
    apply_and_forward,
    completed_case,
    hold_parcel,
    materials_leg,
    sign_in,
    wait_for,
)

pytestmark = pytest.mark.e2e


def test_citizen_withdraws_an_application(people: Any, stack: Stack) -> None:
    case_no = apply_and_forward(stack)
    fresh = stack.call("POST", "/cases", "citizen-alice", {
        "matter_id": "DG-SI-CERT", "receiving_office_id": RECEIVER,
        "applicant": {"name": "张三", "id_type": "RESIDENT_ID", "id_number": "11010519491231002X",
                      "phone": "13800138000"},
        "materials": [{"name": "身份证", "provided": True}, {"name": "申请表", "provided": True}],
        "delivery": {"method": "PICKUP_RECEIVING"}})["case_no"]
    alice = people("citizen", PHONE)
    sign_in(alice, "张三", f"/citizen/cases/{case_no}")
    page = alice.page
    page.get_by_role("heading", name="办件详情").wait_for()
    # A forwarded case is past withdrawing: the page does not offer it (and the API would refuse it).
    assert page.get_by_role("button", name="撤回申请").count() == 0

    alice.go(f"/citizen/cases/{fresh}")
    page.get_by_role("button", name="撤回申请").click()
    question = page.get_by_role("region", name="撤回这件申请？")
    question.wait_for()
    assert page.evaluate("document.activeElement.getAttribute('aria-labelledby')") == "withdraw-title"
    alice.check("citizen: withdraw question")
    question.get_by_role("button", name="不撤回").click()
    question.wait_for(state="detached")
    assert stack.call("GET", f"/cases/{fresh}", "citizen-alice")["status"] == "SUBMITTED"

    page.get_by_role("button", name="撤回申请").click()
    page.get_by_role("button", name="确认撤回").click()
    page.get_by_text("申请已撤回").first.wait_for()
    page.locator(".kc-step-error").get_by_text("已撤回").wait_for()
    assert page.get_by_role("button", name="撤回申请").count() == 0
    alice.check("citizen: withdrawn case")
    assert stack.call("GET", f"/cases/{fresh}", "citizen-alice")["status"] == "WITHDRAWN"
    alice.go("/citizen/cases")
    page.get_by_text(fresh).wait_for()
    assert "已撤回" in page.inner_text("main")


def test_citizen_rates_both_stages_and_a_one_star_review_opens_a_ticket(people: Any, stack: Stack) -> None:
    case_no = completed_case(stack)
    alice = people("citizen", PHONE)
    sign_in(alice, "张三", f"/citizen/cases/{case_no}")
    page = alice.page
    receiving = page.get_by_role("region", name="收件窗口（异地收件）")
    handling = page.get_by_role("region", name="办理部门（属地办理）")

    receiving.get_by_text("非常满意", exact=True).click()
    receiving.get_by_label("意见建议（选填）").fill("窗口指引清楚")
    receiving.get_by_role("button", name="提交评价").click()
    receiving.get_by_role("button", name="提交评价").wait_for(state="detached")  # the review shows in its place
    assert "窗口指引清楚" in receiving.inner_text() and "非常满意" in receiving.inner_text()

    # A 1-star review needs a reason and a comment: stopped in the browser, next to each field.
    handling.get_by_text("非常不满意", exact=True).click()
    handling.get_by_role("button", name="提交评价").click()
    handling.get_by_text("差评请至少选择一个原因").wait_for()
    handling.get_by_text("差评请说明具体情况").wait_for()
    alice.check("citizen: bad review with errors")
    handling.get_by_role("checkbox", name="办理超时").check()
    handling.get_by_role("checkbox", name="多次跑动").check()
    handling.get_by_label("具体情况").fill("等了很久，来回跑了两次")
    handling.get_by_role("button", name="提交评价").click()
    handling.get_by_role("button", name="提交评价").wait_for(state="detached")
    assert "等了很久，来回跑了两次" in handling.inner_text() and "办理超时、多次跑动" in handling.inner_text()

    # The review opens a ticket for the Dongguan supervisor (through the queue), and the citizen follows it.
    legacy = f"TK-{case_no}-handling"  # a first-release number still leads the supervisor to the ticket
    token = stack.token("supervisor-441900")
    wait_for(lambda: requests.get(f"{stack.api}/tickets/{legacy}", timeout=10,
                                  headers={"Authorization": f"Bearer {token}"}).status_code == 200, "the ticket")
    ticket = stack.call("GET", f"/tickets/{legacy}", "supervisor-441900")
    ticket_id = ticket["ticket_id"]  # opaque
    assert ticket["status"] == "OPEN" and case_no not in ticket_id
    page.reload()
    handling.get_by_text("待核实").wait_for()
    alice.check("citizen: reviews given, ticket open")
    alice.shot("citizen-case-reviewed")

    # A follow-up comment (追评) on the bad review, once.
    handling.get_by_role("button", name="追评").click()
    handling.get_by_label("追评内容").fill("希望尽快改进")
    handling.get_by_role("button", name="提交追评").click()
    handling.get_by_role("button", name="提交追评").wait_for(state="detached")
    assert "希望尽快改进" in handling.inner_text()
    assert handling.get_by_role("button", name="追评").count() == 0

    # The Dongguan supervisor finds it in the worklist, exports the tickets (masked reviewer, BOM) and reads the
    # reviewer's contact; the provincial access log page shows that reading.
    sup = people("dongguan-supervisor", DESKTOP)
    sign_in(sup, "东莞市监督员", "/supervisor")
    with sup.page.expect_download() as download:
        sup.page.get_by_role("button", name="导出工单 CSV").click()
    raw = Path(download.value.path()).read_bytes()
    text = raw.decode("utf-8-sig")
    assert raw.startswith(b"\xef\xbb\xbf") and "张三" not in text
    rows = [r for r in csv.DictReader(io.StringIO(text)) if r["工单号"] == ticket_id]
    assert len(rows) == 1 and rows[0]["评价人"] == "张*" and rows[0]["评分"] == "1"
    sup.page.get_by_role("link", name=case_no).click()
    sup.page.get_by_role("button", name="查看联系方式").click()
    sup.page.get_by_text("13800138000").wait_for()

    province = people("province", DESKTOP)
    sign_in(province, "广东省监督员（省级）", "/supervisor/access-log")
    row = province.page.get_by_role("row", name=re.compile(re.escape(ticket_id)))
    row.wait_for()
    assert "东莞市监督员" in row.inner_text() and "评价人联系方式" in row.inner_text()
    province.check("access log")


@pytest.mark.parametrize("urgent", [True, False], ids=["alone", "consolidated"])
def test_window_staff_reship_a_parcel_that_went_wrong(people: Any, stack: Stack, urgent: bool) -> None:
    # An urgent case (加急) travels in a parcel of its own, which the window re-ships by its waybill; a case of
    # the day's consolidated parcel (合包) is re-shipped from it alone (the parcel goes on for its other cases).
    case_no = stack.call("POST", "/cases", "citizen-alice", {
        "matter_id": "DG-SI-CERT", "receiving_office_id": RECEIVER,
        "applicant": {"name": "张三", "id_type": "RESIDENT_ID", "id_number": "11010519491231002X",
                      "phone": "13800138000"},
        "materials": [{"name": "身份证", "provided": True}, {"name": "申请表", "provided": True}],
        "delivery": {"method": "PICKUP_HANDLING"}})["case_no"]
    stack.call("POST", f"/cases/{case_no}/receive", f"staff-{RECEIVER}", {"missing": []})
    stack.call("POST", f"/cases/{case_no}/forward", f"staff-{RECEIVER}", {"urgent": urgent})
    leg = materials_leg(stack, case_no)
    hold_parcel(stack, leg["waybill"])  # the courier reports an exception on the materials parcel
    wait_for(lambda: next(s for s in stack.call("GET", f"/cases/{case_no}/shipments", f"staff-{RECEIVER}")["items"]
                          if s["waybill"] == leg["waybill"])["status"] == "EXCEPTION", "the exception")
    staff = people("window-staff", DESKTOP)
    sign_in(staff, f"{RECEIVER} 窗口工作人员", f"/window/cases/{case_no}")
    page = staff.page
    row = page.get_by_role("row", name=re.compile(leg["waybill"]))
    row.get_by_role("button", name="重新寄递").click()
    page.get_by_text("已重新寄递").first.wait_for()

    # The router books the replacement from the outbox, a moment after the answer: then the page shows both.
    def replaced() -> Any:
        legs = stack.call("GET", f"/cases/{case_no}/shipments", f"staff-{RECEIVER}")["items"]
        old = next(s for s in legs if s["waybill"] == leg["waybill"])
        return old if old["superseded_by"] and any(s["waybill"] == old["superseded_by"] for s in legs) else None
    old = wait_for(replaced, "the replacement parcel")
    page.reload()
    row.get_by_text("已改寄").wait_for()
    page.get_by_role("row", name=re.compile(old["superseded_by"])).wait_for()
    assert row.get_by_role("button", name="重新寄递").count() == 0
    staff.check("window: parcel re-shipped")

    # The applicant sees the replacement parcel and which one it replaced.
    alice = people("citizen", PHONE)
    sign_in(alice, "张三", f"/citizen/cases/{case_no}")
    # The new waybill is named in the timeline too, which may draw before the shipments: wait for the label.
    alice.page.get_by_text(old["superseded_by"]).first.wait_for()
    alice.page.locator("main").get_by_text("已改寄").first.wait_for()
    alice.check("citizen: case with a re-shipped parcel")
