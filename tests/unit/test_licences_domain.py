"""The pure rules of electronic licences and 秒批: consent, materials provided by licence, paperless transfer,
approval rules as data, results issued as licences."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from chalicelib.domain.actor import Actor
from chalicelib.domain.case import Applicant, Delivery, DeliveryMethod, check_delivery, material_items, new_case
from chalicelib.domain.errors import InvalidInput, OutOfScope, RuleViolation
from chalicelib.domain.licences import (
    ApprovalRule,
    ConsentRequired,
    authorized_types,
    contribution_inputs,
    default_period,
    month_range,
    require_consent,
)
from chalicelib.domain.lifecycle import Status
from chalicelib.domain.reference import Catalogue
from chalicelib.reference import load_files

CAT = Catalogue.from_rows(load_files())
SI = CAT.matters["DG-SI-CERT"]
HUKOU = CAT.matters["DG-HUKOU-MOVE"]
NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
ALICE = Actor("alice", "citizen")
SYSTEM = Actor.system("approval-rules")
HANDLING = Actor("h", "staff", office_id="DG-GOV")
ID_REF = {"licence_no": "L-1", "licence_type": "身份证", "issuer": "东莞市公安局", "valid_from": "2018-03-01",
          "valid_until": "2038-03-01"}


def case_of(matter=SI, authorized=("身份证", "社保缴费记录"), method="ELECTRONIC", provided=("申请表",)):
    case, _ = new_case(
        case_no="KC4403002026112400001", actor=ALICE, at=NOW, matter=matter, receiving_office=CAT.offices["SZ-GOV"],
        applicant=Applicant("张三", "RESIDENT_ID", "441900199001011231", "13800138000", "alice"),
        materials=material_items(matter, [(m, True) for m in provided]),
        delivery=Delivery(DeliveryMethod(method)), licence_authorization=list(authorized))
    return case


def test_reference_data_marks_licence_materials_and_the_rule():
    assert SI.licence_materials() == {"身份证": "身份证"}
    assert HUKOU.licence_materials() == {"身份证": "身份证", "户口簿": "户口簿"}
    assert CAT.matters["SZ-BIZ-CHANGE"].licence_materials()["营业执照"] == "营业执照"
    assert CAT.matters["ZH-DRIVER-RENEW"].licence_materials()["驾驶证"] == "驾驶证"
    assert SI.paperless_transfer and "ELECTRONIC" in SI.deliveries and SI.result_licence is not None
    assert SI.approval_rule is not None and SI.approval_rule.consent == "社保缴费记录"
    assert "ELECTRONIC" not in CAT.matters["DG-HUKOU-MOVE"].deliveries  # its result is not a licence


def test_no_lookup_without_consent_for_that_type():
    with pytest.raises(ConsentRequired) as err:
        require_consent("KC1", ["身份证"], "户口簿", "免提交")
    assert err.value.code == "consent_required" and isinstance(err.value, OutOfScope)
    assert require_consent("KC1", ["户口簿"], "户口簿", "免提交").case_no == "KC1"


def test_authorizing_a_material_that_is_not_a_licence_names_the_field():
    with pytest.raises(InvalidInput) as err:
        authorized_types(HUKOU.licence_materials(), ["户口簿", "迁入地证明"])
    assert err.value.field == "licence_authorization.materials[1]"


def test_materials_read_from_licences_are_provided_by_reference_and_the_case_goes_paperless():
    case = case_of()
    change = case.record_licences(ALICE, NOW, SI, {"身份证": ID_REF}, [], [])
    item = next(m for m in case.materials if m.name == "身份证")
    assert (item.provided, item.source, item.licence) == (True, "licence", ID_REF)
    assert case.electronic and change.details["paperless"] is True  # 申请表 is filled online
    assert change.details["materials"]["身份证"]["licence_no"] == "L-1"
    assert case.status is Status.SUBMITTED


def test_a_material_still_on_paper_keeps_the_parcel():
    case = case_of(HUKOU, authorized=("身份证",), method="MAIL", provided=("户口簿", "迁入地证明"))
    case.record_licences(ALICE, NOW, HUKOU, {"身份证": ID_REF}, [], [])
    assert not case.electronic  # 户口簿 and 迁入地证明 travel on paper; the matter is not paperless anyway


def test_a_failed_lookup_leaves_the_material_paper_and_listed_for_the_applicant():
    case = case_of()
    change = case.record_licences(ALICE, NOW, SI, {}, ["身份证"], [])
    item = next(m for m in case.materials if m.name == "身份证")
    assert (item.provided, item.source) == (False, None)
    assert case.licence_unavailable == ["身份证"] and not case.electronic
    assert change.details["unavailable"] == ["身份证"]


def test_recording_a_licence_without_consent_is_refused():
    case = case_of(authorized=())
    with pytest.raises(ConsentRequired):
        case.record_licences(ALICE, NOW, SI, {"身份证": ID_REF}, [], [])


def test_the_rule_approves_full_contributions_and_says_why_not_otherwise():
    rule = SI.approval_rule
    assert rule is not None
    full = rule.evaluate(contribution_inputs(month_range("2025-01", "2025-12"), ("2025-01", "2025-12"))).record()
    assert full["outcome"] == "approved" and full["rule_id"] == "DG-SI-CONTRIB" and full["rule_version"] == 1
    assert full["inputs"]["months_paid"] == 12
    gap = rule.evaluate(contribution_inputs(["2025-01"], ("2025-01", "2025-03"))).record()
    assert gap["outcome"] == "no_match"
    assert [c["holds"] for c in gap["conditions"]] == [True, False]
    none = rule.evaluate(contribution_inputs(None, ("2025-01", "2025-03"))).record()
    assert none["outcome"] == "no_match" and none["inputs"]["record_found"] is False


def test_a_rule_is_data_and_refuses_unknown_operators():
    with pytest.raises(ValueError):
        ApprovalRule.from_row({"rule_id": "X", "version": 1, "source": "s", "conditions": [
            {"input": "a", "op": "exec", "value": 1}]})
    rule = ApprovalRule.from_row({"rule_id": "X", "version": 2, "source": "s", "conditions": [
        {"input": "a", "op": "ge", "value": 3}]})
    assert rule.evaluate({"a": 3}).matched and not rule.evaluate({"a": "x"}).matched
    assert not rule.evaluate({}).matched  # a missing input never matches


def test_periods():
    assert month_range("2025-11", "2026-02") == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert default_period(date(2026, 1, 15)) == ("2025-01", "2025-12")
    assert default_period(date(2026, 11, 24)) == ("2025-11", "2026-10")


def accepted(method="ELECTRONIC"):
    case = case_of(method=method)
    case.status, case.handling_office_id = Status.ACCEPTED, "DG-GOV"
    return case


def test_the_system_decides_by_rule_with_the_rule_on_the_timeline():
    case = accepted()
    record = {"rule_id": "DG-SI-CONTRIB", "rule_version": 1, "outcome": "approved", "inputs": {"months_paid": 12},
              "conditions": []}
    change = case.decide_by_rule(SYSTEM, NOW, record)
    assert case.status is Status.APPROVED and case.decision == "APPROVED"
    assert change.actor.role == "system" and change.details["rule"]["rule_id"] == "DG-SI-CONTRIB"
    assert case.rule_check == record


def test_only_the_system_and_only_an_approving_rule_decide_by_rule():
    with pytest.raises(OutOfScope):
        accepted().decide_by_rule(HANDLING, NOW, {"outcome": "approved", "rule_id": "r", "rule_version": 1})
    with pytest.raises(OutOfScope):
        accepted().decide_by_rule(SYSTEM, NOW, {"outcome": "no_match", "rule_id": "r", "rule_version": 1})


def test_a_rule_that_did_not_approve_leaves_the_case_to_a_person():
    case = accepted()
    change = case.record_rule_check(SYSTEM, NOW, {"outcome": "inputs_unavailable", "rule_id": "r"})
    assert case.status is Status.ACCEPTED and change.details["rule"]["outcome"] == "inputs_unavailable"
    case.decide(HANDLING, NOW, True)  # a person decides
    assert case.status is Status.APPROVED


def test_an_electronic_result_is_issued_not_shipped():
    case = accepted()
    case.decide(HANDLING, NOW, True)
    with pytest.raises(RuleViolation):
        case.ship_result(HANDLING, NOW)
    with pytest.raises(RuleViolation):
        case.issue_result(HANDLING, NOW, None)  # approved: a licence is issued
    ref = {"licence_no": "E-1", "licence_type": "社会保险参保缴费证明"}
    change = case.issue_result(HANDLING, NOW, ref)
    assert case.status is Status.COMPLETED and case.result_licence == ref and change.details["licence"] == ref
    assert case.completed_at == NOW and case.handling_reviewable_at == NOW


def test_a_mailed_result_cannot_be_issued_electronically():
    case = accepted(method="PICKUP_HANDLING")
    case.decide(HANDLING, NOW, True)
    with pytest.raises(RuleViolation):
        case.issue_result(HANDLING, NOW, {"licence_no": "E-1"})


def test_electronic_delivery_needs_no_address_and_only_where_the_matter_allows_it():
    assert check_delivery("ELECTRONIC", None).method is DeliveryMethod.ELECTRONIC
    with pytest.raises(RuleViolation):
        case_of(HUKOU, authorized=(), provided=("户口簿",))
