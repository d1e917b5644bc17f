"""The web console in a real browser, against the local stack: citizens on a phone (375 px), window staff on a
desktop (1366 px). Every page visited passes axe-core with no serious or critical violation."""
from __future__ import annotations

import io
import re
from typing import Any

import pytest

from tests.browser.conftest import DESKTOP, PHONE, Stack

pytestmark = pytest.mark.e2e

HUKOU = "DG-HUKOU-MOVE"  # 身份证*, 户口簿*, 迁入地证明*, 照片 (可容缺)
ALICE_ID = "11010519491231002X"


def resident_id(first17: str) -> str:
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return first17 + "10X98765432"[sum(int(c) * w for c, w in zip(first17, weights, strict=True)) % 11]


def apply_by_api(stack: Stack, *, provided: tuple[str, ...] = ("身份证", "户口簿", "迁入地证明", "照片"),
                 who: str = "citizen-alice") -> dict[str, Any]:
    body = {"matter_id": HUKOU, "receiving_office_id": "SZ-GOV",
            "applicant": {"name": "张三", "id_type": "RESIDENT_ID", "id_number": ALICE_ID, "phone": "13800138000"},
            "materials": [{"name": m, "provided": m in provided} for m in ("身份证", "户口簿", "迁入地证明", "照片")],
            "delivery": {"method": "PICKUP_RECEIVING"}}
    result: dict[str, Any] = stack.call("POST", "/cases", who, body)
    return result


def test_citizen_applies_through_the_wizard(people: Any) -> None:
    alice = people("citizen", PHONE)
    alice.sign_in("张三", check=True)
    page = alice.page
    alice.check("my cases, empty")
    alice.go("/citizen/apply")
    page.get_by_text("户口迁移（准予迁入证明）").click()
    alice.check("wizard: matter")
    page.get_by_role("button", name="继续").click()
    page.get_by_text("深圳市政务服务中心 跨城通办专窗").click()
    page.get_by_role("button", name="继续").click()

    # Identity: a wrong check digit is stopped in the browser, with an error summary linking to the field.
    posts: list[Any] = []
    page.on("request", lambda r: posts.append(r) if r.method == "POST" and r.url.endswith("/cases") else None)
    page.get_by_label("证件号码").fill(ALICE_ID[:-1] + "1")
    page.get_by_label("手机号码").fill("13800138000")
    page.get_by_role("button", name="继续").click()
    summary = page.locator(".kc-error-summary")
    summary.get_by_role("link", name=re.compile("校验位不正确")).click()
    assert page.evaluate("document.activeElement.id") == "applicant_id_number"
    alice.check("wizard: identity with errors")
    alice.shot("citizen-apply-error-summary")
    page.get_by_label("证件号码").fill(ALICE_ID)
    page.get_by_role("button", name="继续").click()

    # Materials: 照片 is 可容缺: leaving it out needs the written commitment.
    for material in ("身份证", "户口簿", "迁入地证明"):
        page.get_by_role("checkbox", name=re.compile(f"^{material}")).check()
    page.get_by_role("button", name="继续").click()
    page.get_by_role("checkbox", name=re.compile("我承诺")).check()
    alice.check("wizard: materials")
    page.get_by_role("button", name="继续").click()

    page.get_by_role("radio", name="邮寄到家").check()
    page.get_by_role("radio", name="深圳市").check()
    page.get_by_label("详细地址").fill("南山区科技园科苑路 1 号")
    page.get_by_label("收件人", exact=True).fill("张三")
    page.get_by_label("收件人手机").fill("13800138000")
    page.get_by_role("button", name="继续").click()

    page.get_by_role("heading", name="请核对您的申请").wait_for()
    assert "容缺（承诺补齐）：照片" in page.inner_text("main")
    alice.check("wizard: check your answers")
    alice.shot("citizen-apply-check-answers")
    assert not posts, "nothing is sent before the check-your-answers page is confirmed"
    page.get_by_role("button", name="提交申请").click()
    case_no = page.get_by_test_id("receipt-case-no").inner_text().strip()
    code = page.get_by_test_id("receipt-query-code").inner_text().strip()
    assert re.fullmatch(r"KC440300\d{8}\d{5}", case_no) and re.fullmatch(r"\d{6}", code)
    assert len(posts) == 1 and posts[0].headers.get("idempotency-key")
    alice.check("wizard: receipt")
    alice.shot("citizen-apply-receipt")

    page.get_by_role("link", name="我的办件").first.click()
    page.get_by_text(case_no).wait_for()
    alice.check("my cases")
    alice.shot("citizen-my-cases")


def test_staff_receive_with_a_missing_non_core_material_citizen_supplements_staff_forward(
        people: Any, stack: Stack) -> None:
    case = apply_by_api(stack, provided=("身份证", "户口簿", "迁入地证明"))
    case_no = case["case_no"]
    staff = people("staff", DESKTOP)
    staff.sign_in("SZ-GOV 窗口工作人员")
    page = staff.page
    page.get_by_role("link", name=case_no).click()
    assert page.get_by_role("checkbox", name=re.compile("缺少「照片」")).is_checked()
    page.get_by_text("容缺受理：照片").wait_for()
    staff.check("window: receive")
    staff.shot("window-receive-rongque")
    page.get_by_role("button", name="容缺收件").click()
    page.get_by_text(re.compile("已容缺收件，补正期限")).wait_for()
    page.get_by_role("link", name="打印一次性告知书").wait_for()

    alice = people("citizen", PHONE)
    alice.sign_in("张三", then=f"/citizen/cases/{case_no}")
    page_c = alice.page
    page_c.get_by_text("待补齐材料（容缺受理）：照片").wait_for()
    assert "前补齐" in page_c.inner_text("main")
    alice.check("citizen: case with a missing material")
    alice.shot("citizen-case-missing")
    page_c.get_by_role("button", name="确认补交").click()
    page_c.get_by_text("材料已补齐").wait_for()
    page_c.get_by_text("待补齐材料（容缺受理）").wait_for(state="detached")

    staff.go("/window/queue")
    page.get_by_role("tab", name="待转递").click()
    page.get_by_role("checkbox", name=f"选择 {case_no}").check()
    staff.check("window: queue, forward selected")
    staff.shot("window-queue")
    page.get_by_role("button", name=re.compile("转递所选")).click()
    page.get_by_text("已转递 1 件").wait_for()
    status = stack.call("GET", f"/cases/{case_no}", "staff-SZ-GOV")["status"]
    assert status in ("IN_TRANSIT", "ACCEPTED")


def test_tracking_deep_link_without_signing_in(people: Any, stack: Stack) -> None:
    case = apply_by_api(stack)
    stack.call("POST", f"/cases/{case['case_no']}/receive", "staff-SZ-GOV", {"missing": []})
    visitor = people("visitor", PHONE)
    visitor.go(f"/track?case_no={case['case_no']}&code={case['query_code']}")
    page = visitor.page
    page.get_by_role("heading", name="办理记录").wait_for()
    text = page.inner_text("main")
    assert case["case_no"] in text and "已收件" in text and "承诺办结日期" in text
    for personal in ("张三", ALICE_ID, "13800138000", "138****8000"):
        assert personal not in page.content()
    visitor.check("tracking")
    visitor.shot("public-track")
    visitor.go("/")
    page.get_by_role("heading", name="可跨城办理的事项").wait_for()
    page.get_by_text("在深圳市办理东莞市的事项").wait_for()
    visitor.check("landing")
    visitor.shot("public-landing")
    # Typed, with the keyboard only.
    visitor.go("/track")
    page.get_by_label("办件编号").focus()
    page.keyboard.type(case["case_no"])
    page.keyboard.press("Tab")
    page.keyboard.type(case["query_code"])
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="办理记录").wait_for()


def test_walk_in_entered_printed_and_claimed(people: Any, stack: Stack) -> None:
    walk_in_id = resident_id("44190019850612003")
    staff = people("staff", DESKTOP)
    staff.sign_in("SZ-GOV 窗口工作人员")
    page = staff.page
    page.get_by_role("link", name="窗口代录").first.click()
    page.get_by_label("事项").click()
    page.keyboard.type("社会保险")
    page.keyboard.press("Enter")
    page.get_by_label("姓名").fill("王五")
    page.get_by_label("证件号码").fill(walk_in_id)
    page.get_by_label("手机号码").fill("13900139000")
    page.get_by_role("checkbox", name=re.compile("^身份证")).check()
    page.get_by_role("checkbox", name=re.compile("^申请表")).check()
    staff.check("window: walk-in form")
    staff.shot("window-walk-in")
    page.get_by_role("button", name="录入申请").click()
    case_no = page.get_by_test_id("walkin-case-no").inner_text().strip()
    code = page.get_by_test_id("walkin-query-code").inner_text().strip()
    assert re.fullmatch(r"\d{6}", code)
    page.get_by_role("link", name="核对材料并收件").click()
    page.get_by_role("button", name="收件", exact=True).click()
    page.get_by_role("link", name="打印收件回执").click()
    page.get_by_test_id("print-case-no").wait_for()
    staff.check("window: receipt")
    staff.shot("window-print-receipt")
    page.emulate_media(media="print")
    pdf = page.pdf(format="A4", print_background=True)
    from pypdf import PdfReader

    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert case_no in text and code in text
    assert "收件窗口" not in text or "收件工作台" not in text  # the page chrome is not printed

    bob = people("citizen", PHONE)
    bob.sign_in("李四", then="/citizen/claim")
    p2 = bob.page
    p2.get_by_label("办件编号").fill(case_no)
    p2.get_by_label("查询码").fill(code)
    p2.get_by_label("申请人身份证号码").fill(walk_in_id)
    bob.check("citizen: claim")
    p2.get_by_role("button", name="认领").click()
    p2.wait_for_url(f"**/citizen/cases/{case_no}")
    p2.get_by_text("认领成功").wait_for()
    bob.go("/citizen/cases")
    p2.get_by_text(case_no).wait_for()


def test_a_refusal_reason_reaches_the_citizen(people: Any, stack: Stack) -> None:
    case = apply_by_api(stack)
    staff = people("staff", DESKTOP)
    staff.sign_in("SZ-GOV 窗口工作人员", then=f"/window/cases/{case['case_no']}")
    page = staff.page
    page.get_by_role("checkbox", name=re.compile("缺少「户口簿」")).check()
    page.get_by_text("缺少必要材料（户口簿），不能收件").wait_for()
    reason = page.get_by_label("不予收件原因（将告知申请人）").first
    reason.fill("缺少必要材料：户口簿（原件）。请带上户口簿原件重新申请。")
    page.get_by_role("button", name="不予收件").first.click()
    page.get_by_role("link", name="打印不予收件通知").wait_for()

    alice = people("citizen", PHONE)
    alice.sign_in("张三", then=f"/citizen/cases/{case['case_no']}")
    alice.page.get_by_text("不予收件原因").wait_for()
    assert "请带上户口簿原件重新申请" in alice.page.inner_text("main")
    alice.check("citizen: refused case")
    alice.shot("citizen-case-refused")


def test_bad_answers_from_the_server_show_as_errors_not_crashes(people: Any, stack: Stack) -> None:
    alice = people("citizen", PHONE)
    alice.sign_in("张三")
    page = alice.page
    # A forged answer that is not the API's shape.
    page.route("**/me/cases*", lambda route: route.fulfill(status=502, body="<html>bad gateway</html>",
                                                           content_type="text/html"))
    alice.go("/citizen/cases")
    page.get_by_role("alert").filter(has_text="502").wait_for()
    assert page.get_by_role("heading", name="我的办件").is_visible()
    alice.check("my cases: error state")
    page.unroute("**/me/cases*")

    # A forged 400 naming a field is shown next to that field.
    page.route("**/cases/*/claim", lambda route: route.fulfill(
        status=400, content_type="application/json",
        body='{"code":"invalid","message":"query_code: 查询码格式不正确","field":"query_code"}'))
    alice.go("/citizen/claim")
    page.get_by_label("办件编号").fill("KC4403002026120100001")
    page.get_by_label("查询码").fill("123456")
    page.get_by_label("申请人身份证号码").fill(ALICE_ID)
    page.get_by_role("button", name="认领").click()
    page.locator("#query_code_help, .ant-form-item-explain-error").filter(has_text="查询码格式不正确").first.wait_for()


def test_a_conflict_says_someone_else_changed_the_case_and_reloads(people: Any, stack: Stack) -> None:
    case = apply_by_api(stack)
    staff = people("staff", DESKTOP)
    staff.sign_in("SZ-GOV 窗口工作人员", then=f"/window/cases/{case['case_no']}")
    page = staff.page
    page.get_by_role("button", name="收件", exact=True).wait_for()
    page.route("**/cases/*/receive", lambda route: route.fulfill(
        status=409, content_type="application/json",
        body='{"code":"conflict","message":"case is RECEIVED","current_status":"RECEIVED"}'))
    reloads: list[str] = []
    page.on("request", lambda r: reloads.append(r.url) if r.method == "GET" and r.url.endswith(case["case_no"])
            else None)
    page.get_by_role("button", name="收件", exact=True).click()
    page.get_by_text("该办件已被他人更改").wait_for()
    page.wait_for_load_state("networkidle")
    assert reloads, "the case is loaded again after a conflict"
