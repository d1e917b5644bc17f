"""Helpers the browser tests share: set-up through the API (a case forwarded, a case completed, a bad review),
waiting for the simulated courier, signing in, a Popconfirm click that survives antd's opening animation, and a
page's text as printed to PDF."""
from __future__ import annotations

import io
import re
import time
from typing import Any

import requests
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from chalicelib.adapters.courier import signed_body
from chalicelib.domain.workdays import iso, utcnow
from tests.browser.conftest import Stack


def confirm_popover(page: Any, ok: str) -> None:
    """Click a Popconfirm's OK button until the popover closes: on a loaded machine a click can land while
    antd's opening animation still moves the button, and is then lost (the popover stays open)."""
    popover = page.locator(".ant-popconfirm:not(.ant-popover-hidden)")
    for _ in range(3):
        popover.get_by_role("button", name=ok, exact=True).click()
        try:
            popover.wait_for(state="hidden", timeout=5_000)
            return
        except PlaywrightTimeout:
            continue
    raise AssertionError(f"the confirmation popover did not close after clicking {ok}")


MATTER = "DG-SI-CERT"  # handled by DG-GOV (441900), received at SZ-GOV; 身份证*, 申请表*
HANDLER, RECEIVER = "DG-GOV", "SZ-GOV"
DG_SUPERVISOR, PROVINCE = "东莞市监督员", "广东省监督员（省级）"
ID_NUMBER = "11010519491231002X"


def sign_in(person: Any, who: str, then: str) -> None:
    person.go(f"/login?next={then}")
    person.page.get_by_role("button", name=f"以 {who} 的身份登录").click()
    person.page.wait_for_url(re.compile(re.escape(then) + r"$"))
    person.page.locator("h1").first.wait_for()


def apply_and_forward(stack: Stack, method: str = "PICKUP_HANDLING", who: str = "citizen-alice") -> str:
    body = {"matter_id": MATTER, "receiving_office_id": RECEIVER,
            "applicant": {"name": "张三", "id_type": "RESIDENT_ID", "id_number": ID_NUMBER, "phone": "13800138000"},
            "materials": [{"name": "身份证", "provided": True}, {"name": "申请表", "provided": True}],
            "delivery": {"method": method}}
    case_no = stack.call("POST", "/cases", who, body)["case_no"]
    stack.call("POST", f"/cases/{case_no}/receive", f"staff-{RECEIVER}", {"missing": []})
    stack.call("POST", f"/cases/{case_no}/forward", f"staff-{RECEIVER}", {})
    return case_no


def wait_for(check: Any, what: str, timeout: float = 30) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def materials_leg(stack: Stack, case_no: str) -> dict[str, Any]:
    def leg() -> Any:
        items = stack.call("GET", f"/cases/{case_no}/shipments", f"staff-{RECEIVER}")["items"]
        return next((s for s in items if s["kind"].lower() == "materials"), None)
    return wait_for(leg, f"the materials leg of {case_no}")


def hold_parcel(stack: Stack, waybill: str) -> None:
    """A courier EXCEPTION stops the simulated courier on this leg, so staff sign for it in the page."""
    raw, signature = signed_body({"waybill": waybill, "event": "EXCEPTION", "at": iso(utcnow())})
    r = requests.post(stack.api + "/webhooks/courier", data=raw, timeout=10,
                      headers={"Content-Type": "application/json", "X-Signature": signature})
    assert r.status_code == 202, r.text


def completed_case(stack: Stack, who: str = "citizen-alice") -> str:
    """A case the courier carried to DG-GOV, decided, held and handed over: ready for its handling review."""
    case_no = apply_and_forward(stack, who=who)
    wait_for(lambda: stack.call("GET", f"/cases/{case_no}", f"staff-{RECEIVER}")["status"] == "ACCEPTED",
             "the courier's delivery")
    stack.call("POST", f"/cases/{case_no}/decide", f"staff-{HANDLER}", {"approved": True, "note": ""})
    stack.call("POST", f"/cases/{case_no}/ship-result", f"staff-{HANDLER}", {})
    stack.call("POST", f"/cases/{case_no}/pickup", f"staff-{HANDLER}", {"note": "已核验证件"})
    return case_no


def bad_review(stack: Stack, case_no: str, who: str = "citizen-alice") -> str:
    stack.call("POST", f"/cases/{case_no}/reviews", who,
               {"stage": "handling", "rating": 1, "tags": ["办理超时", "态度不好"], "comment": "等了很久，没人解释"})


    def ticket_id() -> str | None:  # opaque: the supervisors find it on the review
        reviews = requests.get(f"{stack.api}/cases/{case_no}/reviews", timeout=10, headers={
            "Authorization": f"Bearer {stack.token('supervisor-441900')}"}).json()
        return next((r["ticket"]["ticket_id"] for r in reviews.get("items", [])
                     if r["stage"] == "handling" and r.get("ticket")), None)

    wait_for(lambda: ticket_id() is not None, "the ticket")
    found = ticket_id()
    assert found is not None
    return found


def pdf_text(page: Any, **options: Any) -> str:
    from pypdf import PdfReader

    page.emulate_media(media="print")
    pdf = page.pdf(print_background=True, **options)
    page.emulate_media(media="screen")
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)


