"""The handling-office and supervisor pages in a real browser (desktop, 1366 px), against the local stack: the
handling flow and its prints, a bad review's closed loop with the logged reviewer contact, an upheld appeal
leaving the statistics, the dashboard's charts and the CSV exports. Every page visited passes axe-core with no
serious or critical violation. Set-up steps that other tests already drive through pages go through the API."""
from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import DESKTOP, Stack
from tests.browser.support import (
    DG_SUPERVISOR,
    HANDLER,
    PROVINCE,
    apply_and_forward,
    bad_review,
    completed_case,
    confirm_popover,
    hold_parcel,
    materials_leg,
    pdf_text,
    sign_in,
)

pytestmark = pytest.mark.e2e


def test_handling_flow_and_prints_through_the_pages(people: Any, stack: Stack) -> None:
    case_no = apply_and_forward(stack)
    leg = materials_leg(stack, case_no)
    hold_parcel(stack, leg["waybill"])
    staff = people("handling-staff", DESKTOP)
    sign_in(staff, f"{HANDLER} 窗口工作人员", "/handling/inbox")
    page = staff.page
    row = page.get_by_role("row", name=re.compile(case_no))
    row.get_by_text(re.compile(r"预计 .* 到达")).wait_for()  # the materials leg's expected arrival
    assert leg["waybill"] in row.inner_text()
    staff.check("handling inbox")
    staff.shot("handling-inbox")

    row.get_by_role("link", name=case_no).click()
    page.get_by_role("button", name="签收材料").click()
    confirm_popover(page, "签收")
    page.get_by_text("已签收材料，办件已受理").wait_for()
    staff.check("case accepted: decide / return")

    page.get_by_role("button", name="退回补正", exact=True).click()  # empty: stopped next to the field
    page.get_by_text("请写明需要补正什么").wait_for()
    page.get_by_label("需要补正的内容").fill("申请表未签名，请补签")
    page.get_by_role("button", name="退回补正", exact=True).click()
    page.get_by_text("已退回补正，申请人将收到通知").wait_for()
    page.get_by_label("收到的材料").click()
    page.get_by_title("申请表").click()
    page.get_by_role("button", name="登记补正").click()
    page.get_by_text("已登记补正材料").wait_for()

    page.get_by_text("准予", exact=True).click()
    page.get_by_label("说明").fill("材料齐全，准予出具证明")
    page.get_by_role("button", name="提交决定").click()
    page.get_by_text("已作出决定").wait_for()
    page.get_by_role("button", name="留存待领取（本窗口）").click()
    confirm_popover(page, "确认")
    page.get_by_text("结果已留存本窗口待领取").wait_for()

    # The 交接单 and the A6 label of the materials parcel print with the waybill (the label as a barcode too).
    page.get_by_role("link", name=f"打印交接单（{leg['waybill']}）").click()
    page.get_by_role("heading", name=re.compile("交接单")).wait_for()
    staff.check("handover list")
    assert leg["waybill"] in pdf_text(page, format="A4")
    page.get_by_role("button", name="返回办件").click()
    page.get_by_role("link", name=f"打印运单标签（{leg['waybill']}）").click()
    page.locator("svg.kc-barcode[data-rendered=true]").wait_for()
    staff.check("waybill label")
    label = pdf_text(page, width="105mm", height="148mm")
    assert leg["waybill"] in label
    page.get_by_role("button", name="返回办件").click()

    # Pickup at the counter: masked identity to compare, the ID check recorded.
    page.get_by_role("button", name="确认交接").click()
    page.get_by_text("请先核验领取人证件").wait_for()
    assert "1101**********002X" in page.inner_text("main")
    page.get_by_label("已当面核验领取人证件原件，与登记信息一致").check()
    page.get_by_role("button", name="确认交接").click()
    page.get_by_text("已完成领取交接，办件已办结").wait_for()
    timeline = stack.call("GET", f"/cases/{case_no}/timeline", f"staff-{HANDLER}")["items"]
    assert [e["action"] for e in timeline][-6:] == ["sign", "return", "supplement", "decide", "ship_result", "pickup"]
    assert "核验" in timeline[-1]["note"]


def test_supervisor_closes_the_loop_of_a_bad_review(people: Any, stack: Stack) -> None:
    case_no = completed_case(stack)
    ticket_id = bad_review(stack, case_no)
    sup = people("dongguan-supervisor", DESKTOP)
    sign_in(sup, DG_SUPERVISOR, "/supervisor")
    page = sup.page
    page.get_by_role("link", name=case_no).click()
    page.get_by_text("等了很久，没人解释").wait_for()
    assert "记入个人信息查阅记录" in page.inner_text("main")
    assert "13800138000" not in page.inner_text("main")
    sup.check("ticket, contact hidden")
    page.get_by_role("button", name="查看联系方式").click()
    page.get_by_text("13800138000").wait_for()
    log = stack.call("GET", "/access-log", "supervisor-440000")["items"]
    assert (log[0]["ticket_id"], log[0]["reader_sub"], log[0]["reason"]) == (ticket_id, "supervisor-441900",
                                                                          "核实差评情况")

    page.get_by_text("差评属实（进入整改）").click()
    page.get_by_label("核实情况 / 解释说明").fill("经核实，窗口当日人手不足，未及时解释")
    page.get_by_role("button", name="提交核实").click()
    page.get_by_text("已记录核实结果").wait_for()
    page.get_by_label("整改措施").fill("增加高峰时段人手，开展服务培训")
    page.get_by_role("button", name="提交整改").click()
    page.get_by_text("已记录整改措施").wait_for()
    page.get_by_text("已联系", exact=True).click()
    page.get_by_text("满意", exact=True).click()
    page.get_by_label("回访记录").fill("电话回访，评价人认可整改")
    page.get_by_role("button", name="提交回访").click()
    page.get_by_text("已记录回访，工单办结").wait_for()
    header = page.locator(".kc-page-header")
    header.get_by_text("已办结").wait_for()
    history = page.locator(".ant-timeline").inner_text()
    for step in ("生成工单", "核实", "整改", "回访", DG_SUPERVISOR):
        assert step in history, step
    sup.check("ticket closed with history")
    assert stack.call("GET", f"/tickets/{ticket_id}", "supervisor-441900")["status"] == "CLOSED"


def test_appeal_upheld_leaves_the_statistics_and_the_dashboard_draws_them(people: Any, stack: Stack) -> None:
    case_no = completed_case(stack, "citizen-bob")
    ticket_id = bad_review(stack, case_no, "citizen-bob")
    before = stack.call("GET", f"/stats/reviews?office_id={HANDLER}", "supervisor-440000")
    staff = people("rated-office", DESKTOP)
    sign_in(staff, f"{HANDLER} 窗口工作人员", "/handling/tickets")
    staff.page.get_by_label("工单号").fill(ticket_id)
    staff.page.get_by_role("button", name="打开工单").click()
    staff.page.get_by_label("申诉理由与证据").fill("评价人当日未到本窗口办理，监控可查")
    assert "查看联系方式" not in staff.page.inner_text("main")  # the rated office never learns who rated it
    staff.check("ticket as the rated office")
    staff.page.get_by_role("button", name="提交申诉").click()
    staff.page.get_by_text("已提交申诉，等待省级复核").wait_for()

    province = people("province", DESKTOP)
    sign_in(province, PROVINCE, f"/supervisor/tickets/{ticket_id}")
    page = province.page
    page.get_by_text("申诉成立（差评不计入统计）").click()
    page.get_by_label("复核意见").fill("证据充分，申诉成立")
    page.get_by_role("button", name="提交复核").click()
    page.get_by_text("已作出申诉复核决定").wait_for()
    after = stack.call("GET", f"/stats/reviews?office_id={HANDLER}", "supervisor-440000")
    assert after["excluded_reviews"] == before["excluded_reviews"] + 1
    assert after["bad_reviews"] == before["bad_reviews"] - 1

    # The dashboard: three charts whose instances hold the expected series, drawn (not blank canvases).
    page.get_by_role("link", name="统计分析").click()
    for chart, names in (("trend", ["好评率", "差评率", "未评率"]), ("offices", ["好评率", "差评率"]),
                         ("tickets", ["待核实", "整改中", "已整改", "已解释", "按时办结率"])):
        holder = page.locator(f"[data-chart={chart}][data-series]")
        holder.wait_for()
        series = json.loads(holder.get_attribute("data-series") or "[]")
        assert [s["name"] for s in series] == names, chart
        if chart == "trend":
            assert len(series[0]["data"]) == 12
        painted = holder.locator("canvas").first.evaluate(
            "c => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
            " let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i]) n++; return n; }")
        assert painted > 1000, chart
    assert "数据截至" in page.inner_text("main")  # as of when the figures count (the trend's snapshot, or now)
    table = page.locator("[data-chart=offices]").locator("xpath=..").inner_text()
    assert "东莞市民服务中心" in table
    province.check("dashboard")
    province.shot("supervisor-dashboard")

    # Statistics CSV: UTF-8 with a BOM, parsed back.
    with page.expect_download() as download:
        page.get_by_role("button", name="导出统计 CSV").click()
    raw = Path(download.value.path()).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:3] == ["类别", "名称", "评价数"] and sum(r[0] == "月份" for r in rows) == 12

    # Reviews CSV from the worklist: masked reviewer, BOM.
    page.get_by_role("link", name="差评工单").click()
    with page.expect_download() as download:
        page.get_by_role("button", name="导出评价 CSV").click()
    raw = Path(download.value.path()).read_bytes()
    text = raw.decode("utf-8-sig")
    assert raw.startswith(b"\xef\xbb\xbf") and "张*" in text and "张三" not in text  # the reviewer, masked
    reviews = list(csv.DictReader(io.StringIO(text)))
    assert any(r["办件编号"] == case_no and r["不计入统计"] == "是" for r in reviews)
