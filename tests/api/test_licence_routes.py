"""The HTTP contract of electronic licences (DESIGN §10): authorization at application, materials shown with
their source, lookups refused without consent, ELECTRONIC delivery only where the matter's result is a licence."""
from __future__ import annotations

import pytest

from tests.licence_support import demo_application, library
from tests.support import call, citizen, staff

__all__ = ["library"]


@pytest.mark.emulator  # this route on moto as well (tests/api/conftest.py)
def test_application_with_authorization_shows_materials_provided_by_licence(client, library):
    status, case = call(client, "POST", "/cases", citizen("alice"), demo_application())
    assert status == 201, case
    by_name = {m["name"]: m for m in case["materials"]}
    assert by_name["身份证"]["source"] == "licence" and by_name["身份证"]["licence"]["licence_no"]
    assert by_name["申请表"]["source"] == "paper"
    assert case["electronic"] is True and case["delivery"]["method"] == "ELECTRONIC"
    assert case["licence_authorization"] == ["身份证", "社保缴费记录"] and case["licence_unavailable"] == []
    status, seen = call(client, "GET", f"/cases/{case['case_no']}", staff("SZ-GOV"))
    assert status == 200 and seen["materials"][0]["source"] == "licence"


def test_the_api_refuses_a_lookup_without_consent(client, library):
    body = demo_application(matter_id="DG-HUKOU-MOVE", method="MAIL", authorize=["身份证"], records=False)
    status, case = call(client, "POST", "/cases", citizen("alice"), body)
    assert status == 201, case
    calls = len(library.calls)
    status, err = call(client, "POST", f"/cases/{case['case_no']}/licences", staff("SZ-GOV"), {"materials": ["户口簿"]})
    assert status == 403 and err["code"] == "consent_required", err
    assert len(library.calls) == calls
    status, err = call(client, "POST", f"/cases/{case['case_no']}/licences", staff("SZ-GOV"),
                       {"materials": ["迁入地证明"]})
    assert status == 400 and err["field"] == "materials[0]", err
    status, err = call(client, "POST", f"/cases/{case['case_no']}/licences", staff("DG-GOV"), {"materials": ["身份证"]})
    assert status == 403, err  # not the receiving office


def test_an_outage_at_application_is_told_and_can_be_read_again(client, library):
    library.fail_always("error")
    status, case = call(client, "POST", "/cases", citizen("alice"), demo_application())
    assert status == 201 and case["licence_unavailable"] == ["身份证"] and case["electronic"] is False
    assert "read_licences" in case["next_actions"]
    library.heal()
    status, again = call(client, "POST", f"/cases/{case['case_no']}/licences", citizen("alice"),
                         {"materials": ["身份证"]})
    assert status == 200 and again["electronic"] is True and again["licence_unavailable"] == []


def test_authorization_of_a_material_not_from_a_licence_is_a_400(client, library):
    status, err = call(client, "POST", "/cases", citizen("alice"), demo_application(authorize=["申请表"]))
    assert status == 400 and err["field"] == "licence_authorization.materials[0]", err


def test_electronic_delivery_only_for_a_licence_result(client, library):
    body = demo_application(matter_id="DG-HUKOU-MOVE", method="ELECTRONIC", authorize=["身份证"], records=False)
    status, err = call(client, "POST", "/cases", citizen("alice"), body)
    assert status == 422 and err["code"] == "delivery_not_allowed", err


def test_a_requested_period_must_run_forwards(client, library):
    body = demo_application(requested_period={"from": "2026-05", "to": "2026-01"})
    status, err = call(client, "POST", "/cases", citizen("alice"), body)
    assert status == 400 and err["field"] == "requested_period.to", err
