"""Electronic licences and 秒批 as use cases, on the in-memory unit of work with the simulated library (no HTTP):
each rule with a working licence service and with a failing one."""
from __future__ import annotations

import pytest

from chalicelib.domain.errors import InvalidInput, ServiceUnavailable
from chalicelib.domain.licences import ConsentRequired
from chalicelib.domain.lifecycle import Status
from chalicelib.services import approval, handling, licences, notifications
from tests.licence_support import ALICE, DG_STAFF, SZ_STAFF, accept, demo_application, library, outbox_event
from tests.storage import Cases
from tests.support import service_apply

__all__ = ["library"]  # the fixture
repo = Cases()


def lookups(registry) -> list[str]:
    return [body.get("licence_type") for op, body in registry.calls if op == "lookup"]


# ---------------------------------------------------------------- consent and materials at application


def test_authorized_materials_are_read_logged_and_the_case_goes_paperless(fake, library):
    case, created = service_apply(ALICE, demo_application())
    assert created and lookups(library) == ["身份证"]
    item = next(m for m in case.materials if m.name == "身份证")
    assert (item.provided, item.source, item.licence["licence_no"]) == (True, "licence", "L-ID-441900-0001")
    assert "holder_id_number" not in item.licence  # a reference, not the content
    assert case.electronic and case.licence_authorization == ["身份证", "社保缴费记录"]
    [entry] = fake.access_log
    assert (entry["case_no"], entry["what"], entry["reader_sub"]) == (case.case_no, "licence:身份证", "alice")
    assert "授权" in entry["reason"]
    actions = [e["action"] for e in repo.timeline(case.case_no)]
    assert actions == ["apply", "read_licences"]
    assert repo.timeline(case.case_no)[0]["details"]["licence_authorization"] == ["身份证", "社保缴费记录"]


def test_without_authorization_nothing_is_read_and_nothing_logged(fake, library):
    body = demo_application(authorize=[], records=False, provided=["身份证", "申请表"])
    del body["licence_authorization"]
    case, _ = service_apply(ALICE, body)
    assert library.calls == [] and fake.access_log == []
    assert not case.electronic and all(m.source is None for m in case.materials)


def test_a_failing_licence_service_never_fails_the_application(fake, library):
    library.fail_always("error")
    case, created = service_apply(ALICE, demo_application(matter_id="DG-HUKOU-MOVE", method="MAIL",
                                                          authorize=["身份证", "户口簿"], records=False))
    assert created and case.status is Status.SUBMITTED
    assert case.licence_unavailable == ["身份证", "户口簿"]  # the applicant is told: bring them on paper
    assert all(m.source is None for m in case.materials) and not case.electronic
    assert len(lookups(library)) == 1  # the first failure stops the rest: no long wait
    assert [e["action"] for e in repo.timeline(case.case_no)] == ["apply", "read_licences"]
    assert len(fake.access_log) == 1  # the use was logged before it was tried


def test_a_timeout_at_application_also_stays_paper(fake, library):
    library.fail_next(1, "timeout")
    case, _ = service_apply(ALICE, demo_application())
    assert case.licence_unavailable == ["身份证"] and not case.electronic


def test_an_unknown_holder_has_no_licence_and_stays_paper(fake, library):
    body = demo_application()
    body["applicant"]["id_number"] = "11010519491231002X"
    case, _ = service_apply(ALICE, body)
    assert not case.electronic and case.licence_unavailable == []
    assert repo.timeline(case.case_no)[-1]["details"]["not_found"] == ["身份证"]


def test_authorizing_a_material_not_from_a_licence_is_a_400(fake, library):
    with pytest.raises(InvalidInput) as err:
        service_apply(ALICE, demo_application(authorize=["申请表"]))
    assert err.value.field == "licence_authorization.materials[0]"
    assert library.calls == []


def test_records_for_a_matter_without_a_rule_are_a_400(fake, library):
    with pytest.raises(InvalidInput) as err:
        service_apply(ALICE, demo_application(matter_id="DG-HUKOU-MOVE", method="MAIL", authorize=["户口簿"]))
    assert err.value.field == "licence_authorization.records"


@pytest.mark.parametrize("failing", [False, True])
def test_no_lookup_beyond_the_authorization(fake, library, failing):
    case, _ = service_apply(ALICE, demo_application(matter_id="DG-HUKOU-MOVE", method="MAIL", authorize=["身份证"],
                                                    records=False))
    if failing:
        library.fail_always("error")
    calls = len(library.calls)
    with pytest.raises(ConsentRequired):
        licences.read_licences(SZ_STAFF, case.case_no, ["户口簿"])
    assert len(library.calls) == calls  # refused before anything was read or logged
    assert len(fake.access_log) == 1


def test_the_window_reads_again_after_an_outage(fake, library):
    library.fail_always("error")
    case, _ = service_apply(ALICE, demo_application())
    library.heal()
    case = licences.read_licences(SZ_STAFF, case.case_no, ["身份证"])
    assert case.electronic and case.licence_unavailable == []


# ---------------------------------------------------------------- 秒批 and results as licences


def test_a_matching_case_is_approved_by_rule_and_issued_electronically(fake, library):
    case, _ = service_apply(ALICE, demo_application())
    accept(fake, case.case_no)
    case = repo.get(case.case_no)
    assert case.status is Status.COMPLETED and case.decision == "APPROVED"
    assert case.result_licence and case.result_licence["licence_type"] == "社会保险参保缴费证明"
    assert len(library.issued_to(case.case_no)) == 1
    assert fake.legs == {}  # no parcel, either way
    timeline = repo.timeline(case.case_no)
    decide = next(e for e in timeline if e["action"] == "decide")
    assert decide["actor_role"] == "system" and decide["details"]["rule"]["rule_id"] == "DG-SI-CONTRIB"
    assert decide["details"]["rule"]["rule_version"] == 1 and decide["details"]["rule"]["inputs"]["months_paid"] == 12
    assert timeline[-1]["action"] == "issue_result" and timeline[-1]["to_status"] == "COMPLETED"
    assert any(e["what"] == "records:社保缴费记录" for e in fake.access_log)
    assert not any(e["actor_role"] == "staff" and e["action"] == "decide" for e in timeline)


def test_the_sms_of_an_issued_licence(fake, library):
    case, _ = service_apply(ALICE, demo_application())
    accept(fake, case.case_no)
    last = repo.get(case.case_no)
    from chalicelib.domain.events import decode

    text = notifications.text_for(decode(outbox_event(fake, case.case_no, last.version)))  # type: ignore[arg-type]
    assert "电子证照" in text and last.result_licence["licence_no"] in text


def test_a_gap_in_contributions_falls_back_to_a_person_who_sees_why(fake, library):
    case, _ = service_apply(ALICE, demo_application(sub="bob", requested_period={"from": "2025-01", "to": "2025-06"}))
    accept(fake, case.case_no)
    case = repo.get(case.case_no)
    assert case.status is Status.ACCEPTED and case.rule_check["outcome"] == "no_match"
    assert case.rule_check["inputs"]["months_missing"] == 6
    handling.decide(DG_STAFF, case.case_no, True, "人工核验")
    assert repo.get(case.case_no).status is Status.APPROVED


def test_the_rule_reads_nothing_without_authorization(fake, library):
    case, _ = service_apply(ALICE, demo_application(records=False))
    accept(fake, case.case_no)
    case = repo.get(case.case_no)
    assert case.status is Status.ACCEPTED and case.rule_check is None  # a person decides, as without 秒批
    assert "check_rule" not in [e["action"] for e in repo.timeline(case.case_no)]
    assert not any(op == "contributions" for op, _ in library.calls)


def test_records_unreadable_fall_back_to_a_person(fake, library):
    case, _ = service_apply(ALICE, demo_application())
    library.fail_always("error")
    accept(fake, case.case_no)
    case = repo.get(case.case_no)
    assert case.status is Status.ACCEPTED and case.rule_check["outcome"] == "inputs_unavailable"


def test_after_a_correction_the_rule_is_checked_again_and_decides(fake, library):
    """补正: the records could not be read at acceptance, so a person was to decide; the office returned the
    case for correction, and once the applicant corrected it the rule reads again and approves."""
    from chalicelib.services import intake, routing

    case, _ = service_apply(ALICE, demo_application())
    library.fail_always("error")
    accept(fake, case.case_no)
    assert repo.get(case.case_no).rule_check["outcome"] == "inputs_unavailable"
    library.heal()
    handling.return_for_correction(DG_STAFF, case.case_no, "申请表签名缺失")
    corrected = intake.supplement(ALICE, case.case_no, "申请表")
    routing.handle_routing_event(outbox_event(fake, case.case_no, corrected.version))
    case = repo.get(case.case_no)
    assert case.status is Status.COMPLETED and case.decision == "APPROVED"
    checks = [e for e in repo.timeline(case.case_no) if e["actor_role"] == "system" and e["action"] in
              ("check_rule", "decide")]
    assert [e["action"] for e in checks] == ["check_rule", "decide"]
    routing.handle_routing_event(outbox_event(fake, case.case_no, corrected.version))  # redelivered
    assert repo.get(case.case_no).version == case.version


def test_a_supplement_after_the_rule_said_no_match_reads_again_but_a_no_match_stays_with_a_person(fake, library):
    case, _ = service_apply(ALICE, demo_application(sub="bob", requested_period={"from": "2025-01", "to": "2025-06"}))
    accept(fake, case.case_no)
    from chalicelib.services import intake, routing

    handling.return_for_correction(DG_STAFF, case.case_no, "申请表签名缺失")
    corrected = intake.supplement(ALICE, case.case_no, "申请表")
    routing.handle_routing_event(outbox_event(fake, case.case_no, corrected.version))
    case = repo.get(case.case_no)
    assert case.status is Status.ACCEPTED and case.rule_check["outcome"] == "no_match"
    assert [e["action"] for e in repo.timeline(case.case_no)].count("check_rule") == 2


def test_a_redelivered_acceptance_changes_nothing(fake, library):
    case, _ = service_apply(ALICE, demo_application(sub="bob"))
    accept(fake, case.case_no)
    checked = repo.get(case.case_no)
    from chalicelib.domain.events import decode

    route = next(e for e in repo.timeline(case.case_no) if e["action"] == "route")
    approval.on_accepted(decode(outbox_event(fake, case.case_no, route["seq"])))  # type: ignore[arg-type]
    assert repo.get(case.case_no).version == checked.version


def test_issue_fails_then_staff_issue_once(fake, library):
    case, _ = service_apply(ALICE, demo_application())
    original = library.contributions  # the rule approves; then the issue's reply is lost (the licence exists)

    def contributions_then_lose(*args, **kwargs):
        result = original(*args, **kwargs)
        library.fail_next(1, "lost_reply")
        return result

    library.contributions = contributions_then_lose  # type: ignore[method-assign]
    accept(fake, case.case_no)
    assert repo.get(case.case_no).status is Status.APPROVED  # not completed: staff see it to issue
    library.fail_always("error")
    with pytest.raises(ServiceUnavailable):
        handling.ship_result(DG_STAFF, case.case_no)
    library.heal()
    done = handling.ship_result(DG_STAFF, case.case_no)
    assert done.status is Status.COMPLETED
    assert len(library.issued_to(case.case_no)) == 1  # one licence, however many attempts
    assert done.result_licence["licence_no"] == library.issued_to(case.case_no)[0].licence_no


def test_a_denied_electronic_case_completes_without_a_licence(fake, library):
    case, _ = service_apply(ALICE, demo_application(records=False))
    accept(fake, case.case_no)
    handling.decide(DG_STAFF, case.case_no, False, "材料不符")
    done = handling.ship_result(DG_STAFF, case.case_no)
    assert done.status is Status.COMPLETED and done.result_licence is None
    assert library.issued_to(case.case_no) == []


def test_supervisors_see_the_share_of_automatic_decisions_per_matter(fake, library):
    from chalicelib.domain.actor import Actor
    from chalicelib.services import supervision

    auto, _ = service_apply(ALICE, demo_application())
    accept(fake, auto.case_no)
    manual, _ = service_apply(ALICE, demo_application(sub="bob", requested_period={"from": "2025-01", "to": "2025-03"}))
    accept(fake, manual.case_no)
    handling.decide(DG_STAFF, manual.case_no, True)
    shares = supervision.decision_shares(Actor("sup-dg", "supervisor", city="441900"), None)
    [row] = shares["items"]
    assert (row["matter_id"], row["decided"], row["automatic"], row["by_person"]) == ("DG-SI-CERT", 2, 1, 1)
    assert row["automatic_share"] == 0.5 and row["rule_checked"] == 2 and row["has_rule"]
