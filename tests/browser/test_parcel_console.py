"""Consolidated parcels (合包) in a real browser (desktop, 1366 px), against the local stack (whose demo courier
collects and delivers continuously): the handling office finds the arrived parcel in 合包交接, signs all its
cases against the handover list, sees each signed, and prints the 交接单 of the parcel with every case on it.
Every page visited passes axe-core with no serious or critical violation."""
from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import DESKTOP, Stack
from tests.browser.support import HANDLER, RECEIVER, apply_and_forward, confirm_popover, sign_in, wait_for

pytestmark = pytest.mark.e2e


def _arrived_parcel(stack: Stack, case_no: str) -> dict[str, Any]:
    def parcel() -> Any:
        items = stack.call("GET", f"/cases/{case_no}/shipments", f"staff-{RECEIVER}")["items"]
        parcel_id = next((s["parcel_id"] for s in items if s.get("parcel_id")), None)
        if not parcel_id:
            return None
        view = stack.call("GET", f"/parcels/{parcel_id}", f"staff-{HANDLER}")
        return view if view["status"] == "ARRIVED" else None
    return dict(wait_for(parcel, f"the parcel of {case_no} to arrive", timeout=60))


def test_sign_a_parcel_against_its_handover_list_and_print_it(people: Any, stack: Stack) -> None:
    case_no = apply_and_forward(stack)
    parcel = _arrived_parcel(stack, case_no)
    parcel_id, on_list = parcel["parcel_id"], [i["case_no"] for i in parcel["items"]]
    assert case_no in on_list and {i["state"] for i in parcel["items"]} == {"PACKED"}

    staff = people("parcel-staff", DESKTOP)
    sign_in(staff, f"{HANDLER} 窗口工作人员", "/handling/parcels")
    page = staff.page
    row = page.get_by_role("row", name=re.compile(parcel_id))
    row.wait_for()
    assert "已到达" in row.inner_text()
    staff.check("parcels of the office")
    staff.shot("handling-parcels")

    row.get_by_role("link", name=parcel_id).click()
    page.get_by_role("heading", name=f"合包 {parcel_id}").wait_for()
    assert parcel["waybill"] in page.locator("main").inner_text()
    staff.check("a parcel with its handover list")
    page.get_by_role("button", name="全部签收").click()
    confirm_popover(page, "全部签收")
    page.get_by_text("已按交接单签收").wait_for()
    table = page.get_by_role("table").last
    for no in on_list:
        table.get_by_role("row", name=re.compile(no)).get_by_text("已签收").wait_for()
    staff.shot("handling-parcel-signed")
    view = stack.call("GET", f"/parcels/{parcel_id}", f"staff-{HANDLER}")
    assert {i["state"] for i in view["items"]} == {"SIGNED"}

    page.get_by_role("button", name="打印交接单").click()
    sheet = page.get_by_role("article", name=re.compile("交接单"))
    sheet.wait_for()
    text = sheet.inner_text()
    assert parcel["waybill"] in text and all(no in text for no in on_list)
    staff.check("the parcel's handover list, printable")
    staff.shot("handling-parcel-handover-print")


def test_mark_a_case_missing_from_its_parcel(people: Any, stack: Stack) -> None:
    """缺件: the handling office finds a case of the handover list not in the parcel and marks it, in the page;
    the list says so and the case's materials go again, alone."""
    case_no = apply_and_forward(stack)
    parcel = _arrived_parcel(stack, case_no)
    parcel_id = parcel["parcel_id"]

    staff = people("parcel-staff", DESKTOP)
    sign_in(staff, f"{HANDLER} 窗口工作人员", f"/handling/parcels/{parcel_id}")
    page = staff.page
    page.get_by_role("heading", name=f"合包 {parcel_id}").wait_for()
    row = page.get_by_role("table").last.get_by_role("row", name=re.compile(case_no))
    row.get_by_role("button", name="缺件").click()
    confirm_popover(page, "登记缺件")
    page.get_by_text("已登记缺件").first.wait_for()
    row.get_by_text("缺件").first.wait_for()
    staff.check("a parcel with a case marked missing")
    view = stack.call("GET", f"/parcels/{parcel_id}", f"staff-{HANDLER}")
    assert {i["case_no"]: i["state"] for i in view["items"]}[case_no] == "MISSING"

    def sent_alone() -> Any:
        legs = stack.call("GET", f"/cases/{case_no}/shipments", f"staff-{RECEIVER}")["items"]
        return next((s for s in legs if s["kind"].lower() == "materials" and not s.get("parcel_id")), None)
    wait_for(sent_alone, "the missing case's materials sent again alone")
