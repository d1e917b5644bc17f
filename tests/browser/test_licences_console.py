"""电子证照 and 秒批 in the browser, against the local stack and its simulated licence library: a citizen authorizes
the lookups in the apply wizard and chooses the result as a licence; the case page shows the material provided by
licence; the rule approves, the licence is issued with no parcel; the citizen, the handling office and the
supervisor each see it (the automatic decision and its reasons). axe-core on every page visited."""
from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import DESKTOP, PHONE, Stack
from tests.browser.support import sign_in, wait_for
from tools.licence_sim import DEMO_HOLDERS

pytestmark = pytest.mark.e2e

ALICE = DEMO_HOLDERS["alice"]


def test_apply_with_licences_approved_by_rule_and_issued(people: Any, stack: Stack) -> None:
    alice = people("citizen", PHONE)
    alice.sign_in("张三")
    page = alice.page
    alice.go("/citizen/apply")
    page.get_by_text("社会保险参保缴费证明").click()
    page.get_by_role("button", name="继续").click()
    page.get_by_text("深圳市政务服务中心 跨城通办专窗").click()
    page.get_by_role("button", name="继续").click()
    page.get_by_label("证件号码").fill(ALICE["id_number"])
    page.get_by_label("手机号码").fill("13800138000")
    page.get_by_role("button", name="继续").click()

    # The authorization step: nothing is read unless ticked; a core material read from a licence needs no paper.
    page.get_by_test_id("licence-authorization").wait_for()
    page.get_by_role("checkbox", name=re.compile("授权读取我的电子身份证")).check()
    page.get_by_role("checkbox", name=re.compile("授权读取我的社保缴费记录")).check()
    page.get_by_role("checkbox", name=re.compile("^申请表")).check()
    alice.check("wizard: licence authorization")
    alice.shot("citizen-apply-licences")
    page.get_by_role("button", name="继续").click()
    page.get_by_role("radio", name=re.compile("电子证照")).check()
    page.get_by_role("button", name="继续").click()
    page.get_by_role("heading", name="请核对您的申请").wait_for()
    text = page.inner_text("main")
    assert "电子证照授权读取：身份证" in text and "授权读取社保缴费记录" in text
    page.get_by_role("button", name="提交申请").click()
    case_no = page.get_by_test_id("receipt-case-no").inner_text().strip()

    alice.go(f"/citizen/cases/{case_no}")
    page.get_by_test_id("licence-身份证").wait_for()
    assert "L-ID-441900-0001" in page.get_by_test_id("licence-身份证").inner_text()
    alice.check("citizen: material provided by licence")

    # The window receives and forwards; electronic transfer, the rule, the licence: no parcel, no person deciding.
    for step in ("receive", "forward"):
        stack.call("POST", f"/cases/{case_no}/{step}", "staff-SZ-GOV", {})
    wait_for(lambda: stack.call("GET", f"/cases/{case_no}", "citizen-alice")["status"] == "COMPLETED",
             "the case completed by rule", timeout=60)
    page.reload()
    page.get_by_test_id("result-licence").wait_for()
    assert "社会保险参保缴费证明" in page.get_by_test_id("result-licence").inner_text()
    page.get_by_test_id("rule-check").get_by_text(re.compile("系统自动准予")).wait_for()
    alice.check("citizen: result issued as a licence")
    alice.shot("citizen-case-licence")

    staff = people("handling-staff", DESKTOP)
    sign_in(staff, "DG-GOV 窗口工作人员", f"/handling/cases/{case_no}")
    panel = staff.page.get_by_test_id("rule-check")
    panel.get_by_text(re.compile("规则核验通过")).wait_for()
    assert "规则 DG-SI-CONTRIB 第 1 版" in panel.inner_text() and "申请期间每月均已缴费" in panel.inner_text()
    staff.check("handling: automatic decision and its reasons")
    staff.shot("handling-case-rule")

    supervisor = people("supervisor", DESKTOP)
    sign_in(supervisor, "东莞市监督员", "/supervisor/overview")
    card = supervisor.page.get_by_text("秒批：自动审批占比（按事项）")
    card.wait_for()
    supervisor.page.get_by_role("row", name=re.compile("社会保险参保缴费证明")).wait_for()
    supervisor.check("supervisor: share of automatic decisions")
