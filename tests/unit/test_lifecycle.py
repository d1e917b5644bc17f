"""Every action of the case lifecycle from every state, by every kind of actor: allowed exactly where the
rules table says, and otherwise refused with the right error (409 wrong state, 403 wrong party)."""
from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from chalicelib.domain.case import Actor, Applicant, Case, Delivery, MaterialItem, case_number, new_case
from chalicelib.domain.errors import InvalidInput, InvalidTransition, OutOfScope, RuleViolation
from chalicelib.domain.lifecycle import RULES, TERMINAL, Action, Party, Status, allowed_actions
from chalicelib.domain.reference import Catalogue
from chalicelib.reference import load_files

CAT = Catalogue.from_rows(load_files())
MATTER = CAT.matters["DG-HUKOU-MOVE"]
NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)

APPLICANT = Actor("alice", "citizen")
RECEIVING = Actor("s-sz", "staff", office_id="SZ-GOV")
HANDLING = Actor("s-dg", "staff", office_id="DG-GOV")
SYSTEM = Actor.system("test")
OUTSIDERS = [Actor("bob", "citizen"), Actor("s-zh", "staff", office_id="ZH-GOV"),
             Actor("sup", "supervisor", city="440300"), Actor("adm", "admin")]


def make_case(status: Status, method: str = "MAIL", **fields: Any) -> Case:
    case = Case(
        case_no="KC4403002026112400001", query_code="123456", matter_id=MATTER.matter_id,
        receiving_office_id="SZ-GOV", receiving_city="440300", handling_city="441900",
        applicant=Applicant("张三", "RESIDENT_ID", "11010519491231002X", "13800138000", "alice"),
        materials=[MaterialItem(m.name, m.core, True) for m in MATTER.materials],
        delivery=Delivery(method, {"city": "440300"} if method == "MAIL" else None),
        status=status, created_at=NOW - timedelta(days=20), updated_at=NOW - timedelta(days=20),
        version=3, handling_office_id="DG-GOV",
    )
    for key, value in fields.items():
        setattr(case, key, value)
    return case


PAST = date(2026, 11, 1)

# action → (how to set the case up, how to take the action)
ACTIONS: dict[Action, tuple[dict[str, Any], Callable[[Case, Actor], Any]]] = {
    Action.RECEIVE: ({}, lambda c, a: c.receive(a, NOW, MATTER, [], "", 5)),
    Action.REFUSE: ({}, lambda c, a: c.refuse(a, NOW, "no household register")),
    Action.WITHDRAW: ({}, lambda c, a: c.withdraw(a, NOW)),
    Action.FORWARD: ({}, lambda c, a: c.forward(a, NOW)),
    Action.ROUTE: ({}, lambda c, a: c.route(a, NOW, CAT.offices["DG-GOV"], MATTER)),
    Action.SIGN: ({}, lambda c, a: c.sign(a, NOW, MATTER)),
    Action.RETURN: ({}, lambda c, a: c.return_for_correction(a, NOW, "photo unclear", 5)),
    Action.SUPPLEMENT: ({"missing": ["照片"]}, lambda c, a: c.supplement(a, NOW, MATTER, "照片")),
    Action.DECIDE: ({}, lambda c, a: c.decide(a, NOW, True)),
    Action.SHIP_RESULT: ({}, lambda c, a: c.ship_result(a, NOW)),
    Action.RESULT_AT_PICKUP_OFFICE: ({"method": "PICKUP_RECEIVING"}, lambda c, a: c.result_arrived(a, NOW, "W1")),
    Action.DELIVER_RESULT: ({}, lambda c, a: c.result_arrived(a, NOW, "W1")),
    Action.PICKUP: ({"method": "PICKUP_HANDLING"}, lambda c, a: c.pickup(a, NOW)),
    Action.TERMINATE: ({"missing": ["照片"], "supplement_due": PAST}, lambda c, a: c.terminate(a, NOW)),
    Action.MARK_OVERDUE: ({"promised_by": PAST, "stage_due": NOW - timedelta(hours=1)},
                          lambda c, a: c.mark_overdue(a, NOW)),
    Action.REMIND_SUPPLEMENT: ({"missing": ["照片"], "supplement_due": NOW.date()},
                               lambda c, a: c.remind_supplement(a, NOW)),
    Action.REMIND_PICKUP: ({"pickup_reminders": [NOW - timedelta(days=1)]}, lambda c, a: c.remind_pickup(a, NOW)),
    Action.SHIPMENT_EXCEPTION: ({}, lambda c, a: c.record_shipment_exception(a, NOW, "W1", "EXCEPTION")),
    Action.RESHIP: ({}, lambda c, a: c.reship(a, NOW, "W2")),
    Action.READ_LICENCES: ({}, lambda c, a: c.record_licences(a, NOW, MATTER, {}, [], [])),
    Action.CHECK_RULE: ({}, lambda c, a: c.record_rule_check(a, NOW, {"outcome": "no_match"})),
    Action.ISSUE_RESULT: ({"method": "ELECTRONIC", "decision": "DENIED"}, lambda c, a: c.issue_result(a, NOW, None)),
    Action.PACK: ({}, lambda c, a: c.pack(a, NOW, "R-DG-GOV-SZ-GOV-20261201", "2026-12-01")),
    Action.MATERIALS_MISSING: ({"parcels": ["M-SZ-GOV-DG-GOV-20261201"]},
                               lambda c, a: c.materials_missing(a, NOW, "M-SZ-GOV-DG-GOV-20261201")),
}

PARTY_ACTORS = {Party.APPLICANT: APPLICANT, Party.RECEIVING_STAFF: RECEIVING, Party.HANDLING_STAFF: HANDLING,
                Party.SYSTEM: SYSTEM}


def actor_for(party: Party, method: str) -> Actor:
    if party is Party.PICKUP_STAFF:
        return RECEIVING if method == "PICKUP_RECEIVING" else HANDLING
    return PARTY_ACTORS[party]


def setup(action: Action, status: Status) -> Case:
    fields = dict(ACTIONS[action][0])
    method = fields.pop("method", "MAIL")
    return make_case(status, method, **fields)


def test_every_action_has_a_rule_and_a_method():
    assert set(ACTIONS) == set(RULES) - {Action.APPLY}


@pytest.mark.parametrize("status", list(Status))
@pytest.mark.parametrize("action", list(ACTIONS))
def test_action_allowed_exactly_from_its_source_states(action, status):
    rule = RULES[action]
    case = setup(action, status)
    actor = actor_for(next(iter(sorted(rule.by))), case.delivery.method)
    take = ACTIONS[action][1]
    if status in rule.sources:
        change = take(case, actor)
        assert change.from_status is status
        assert (status, change.to_status) in rule.edges
        assert case.status is change.to_status
    else:
        with pytest.raises(InvalidTransition) as err:
            take(case, actor)
        assert err.value.current_status == status.value
        assert case.status is status  # nothing changed


@pytest.mark.parametrize("action", list(ACTIONS))
def test_only_the_rules_parties_may_act(action):
    rule = RULES[action]
    source = sorted(rule.sources)[0]
    take = ACTIONS[action][1]
    method = setup(action, source).delivery.method
    others = [actor_for(p, method) for p in Party if p not in rule.by and p is not Party.PICKUP_STAFF]
    for actor in others + OUTSIDERS:
        case = setup(action, source)
        if case.parties(actor) & rule.by:
            continue  # the same person also plays an allowed part on this case (e.g. pickup office)
        with pytest.raises(OutOfScope):
            take(case, actor)
        assert case.status is source


def test_terminal_states_allow_nothing():
    for status in TERMINAL:
        for party in Party:
            assert allowed_actions(status, {party}) == []


def test_receive_refuses_a_missing_core_material_and_names_it():
    case = make_case(Status.SUBMITTED)
    with pytest.raises(RuleViolation) as err:
        case.receive(RECEIVING, NOW, MATTER, ["户口簿"], "", 5)
    assert err.value.code == "missing_core_material" and "户口簿" in err.value.message
    assert case.status is Status.SUBMITTED


def test_receive_with_missing_non_core_material_sets_a_supplement_deadline():
    case = make_case(Status.SUBMITTED)
    change = case.receive(RECEIVING, NOW, MATTER, ["照片"], "承诺书已签", 5)
    assert case.missing == ["照片"]
    # 24 Nov 2026 (Tue, CST) + 5 working days → 1 Dec 2026
    assert case.supplement_due == date(2026, 12, 1)
    assert change.details["missing"] == ["照片"]
    with pytest.raises(InvalidInput):
        make_case(Status.SUBMITTED).receive(RECEIVING, NOW, MATTER, ["不存在的材料"], "", 5)


def test_decide_is_refused_while_a_material_is_missing_and_allowed_after_supplement():
    case = make_case(Status.ACCEPTED, missing=["照片"])
    with pytest.raises(RuleViolation) as err:
        case.decide(HANDLING, NOW, True)
    assert err.value.code == "materials_outstanding"
    case.supplement(APPLICANT, NOW, MATTER, "照片")
    assert case.decide(HANDLING, NOW, True).to_status is Status.APPROVED


def test_return_and_supplement_loop_back_to_accepted():
    case = make_case(Status.ACCEPTED)
    case.return_for_correction(HANDLING, NOW, "照片不清晰", 5)
    assert case.status is Status.RETURNED
    assert case.supplement(APPLICANT, NOW, MATTER, "照片").to_status is Status.ACCEPTED


def test_sign_sets_the_promised_completion_in_working_days():
    case = make_case(Status.IN_TRANSIT)
    case.sign(HANDLING, NOW, MATTER)
    assert case.promised_by == date(2026, 12, 8)  # 24 Nov + 10 working days


def test_result_routes_follow_the_delivery_choice():
    assert make_case(Status.APPROVED, "PICKUP_HANDLING").ship_result(HANDLING, NOW).to_status is Status.READY_FOR_PICKUP
    assert make_case(Status.DENIED, "MAIL").ship_result(HANDLING, NOW).to_status is Status.RESULT_IN_TRANSIT
    mail = make_case(Status.RESULT_IN_TRANSIT, "MAIL")
    assert mail.result_arrived(SYSTEM, NOW, "W").to_status is Status.COMPLETED
    assert mail.handling_reviewable_at == NOW
    window = make_case(Status.RESULT_IN_TRANSIT, "PICKUP_RECEIVING")
    assert window.result_arrived(SYSTEM, NOW, "W").to_status is Status.READY_FOR_PICKUP
    assert window.pickup(RECEIVING, NOW).to_status is Status.COMPLETED


def test_sweeper_actions_wait_for_their_deadline():
    fresh = make_case(Status.RECEIVED, missing=["照片"], supplement_due=date(2026, 12, 30))
    with pytest.raises(InvalidTransition):
        fresh.terminate(SYSTEM, NOW)
    on_time = make_case(Status.ACCEPTED, promised_by=date(2026, 12, 30))
    with pytest.raises(InvalidTransition):
        on_time.mark_overdue(SYSTEM, NOW)
    late = make_case(Status.ACCEPTED, promised_by=PAST)
    late.mark_overdue(SYSTEM, NOW)
    with pytest.raises(InvalidTransition):  # marked once only
        late.mark_overdue(SYSTEM, NOW)


def test_next_due_is_the_earliest_pending_deadline():
    case = make_case(Status.ACCEPTED, missing=["照片"], supplement_due=date(2026, 12, 1), promised_by=date(2026, 12, 8))
    # First the reminder at the start of the deadline's day (CST), then the deadline's end.
    assert case.next_due_at() == datetime(2026, 11, 30, 16, 0, tzinfo=UTC)
    case.remind_supplement(SYSTEM, datetime(2026, 11, 30, 16, 5, tzinfo=UTC))
    assert case.next_due_at() == datetime(2026, 12, 1, 16, 0, tzinfo=UTC)
    assert make_case(Status.COMPLETED).next_due_at() is None


def test_new_case_must_be_cross_city_and_accepted_at_the_office():
    applicant = Applicant("张三", "RESIDENT_ID", "11010519491231002X", "13800138000", "alice")
    common: dict[str, Any] = {"case_no": case_number("440300", date(2026, 11, 24), 17), "actor": APPLICANT,
                              "at": NOW, "applicant": applicant, "materials": [], "delivery": Delivery("MAIL", {})}
    assert common["case_no"] == "KC4403002026112400017"
    with pytest.raises(RuleViolation) as err:
        new_case(matter=CAT.matters["SZ-PF-WITHDRAW"], receiving_office=CAT.offices["SZ-NS"], **common)
    assert err.value.code == "not_cross_city"
    case, change = new_case(matter=MATTER, receiving_office=CAT.offices["SZ-GOV"], **common)
    assert case.status is Status.SUBMITTED and len(case.query_code) == 6 and case.query_code.isdigit()
    assert change.action is Action.APPLY


def test_the_state_graph_is_the_designs():
    """DESIGN §3, written out independently of the rules table."""
    S = Status
    expected = {
        (S.SUBMITTED, S.RECEIVED), (S.SUBMITTED, S.REFUSED), (S.SUBMITTED, S.WITHDRAWN),
        (S.RECEIVED, S.WITHDRAWN), (S.RECEIVED, S.IN_TRANSIT), (S.IN_TRANSIT, S.ACCEPTED),
        (S.ACCEPTED, S.RETURNED), (S.RETURNED, S.ACCEPTED), (S.ACCEPTED, S.APPROVED), (S.ACCEPTED, S.DENIED),
        (S.APPROVED, S.RESULT_IN_TRANSIT), (S.APPROVED, S.READY_FOR_PICKUP),
        (S.DENIED, S.RESULT_IN_TRANSIT), (S.DENIED, S.READY_FOR_PICKUP),
        (S.RESULT_IN_TRANSIT, S.COMPLETED), (S.RESULT_IN_TRANSIT, S.READY_FOR_PICKUP),
        (S.READY_FOR_PICKUP, S.COMPLETED),
        (S.RECEIVED, S.TERMINATED), (S.IN_TRANSIT, S.TERMINATED), (S.ACCEPTED, S.TERMINATED),
        (S.RETURNED, S.TERMINATED),
        # DESIGN §10: a result issued as an electronic licence completes the case, no parcel.
        (S.APPROVED, S.COMPLETED), (S.DENIED, S.COMPLETED),
        # Issue 16 (合包): the courier's DELIVERED signs a parcel's cases in; one then found missing from the
        # parcel against its handover list (缺件) waits for its materials again.
        (S.ACCEPTED, S.IN_TRANSIT),
    }
    actual = {(src, dst) for rule in RULES.values() for src, dst in rule.edges if src != dst}
    assert actual == expected
    who = {a: set(r.by) for a, r in RULES.items()}
    assert who[Action.RECEIVE] == who[Action.REFUSE] == who[Action.FORWARD] == {Party.RECEIVING_STAFF}
    assert who[Action.WITHDRAW] == {Party.APPLICANT}
    assert who[Action.RETURN] == who[Action.SHIP_RESULT] == {Party.HANDLING_STAFF}
    assert who[Action.DECIDE] == {Party.HANDLING_STAFF, Party.SYSTEM}  # the system only by rule (秒批)
    assert who[Action.CHECK_RULE] == {Party.SYSTEM}
    assert who[Action.PICKUP] == {Party.PICKUP_STAFF}
    assert who[Action.SIGN] == {Party.HANDLING_STAFF, Party.SYSTEM}


def test_a_courier_report_of_trouble_is_recognised_by_waybill_event_and_the_couriers_time():
    """What a parcel's fan-out checks before it records trouble on a case again (services/parcels.py)."""
    from chalicelib.domain.case import exception_recorded, timeline_entry

    case = make_case(Status.IN_TRANSIT)
    reported = NOW - timedelta(hours=1)
    change = case.record_shipment_exception(Actor.system("courier"), NOW, "W1", "EXCEPTION", reported_at=reported)
    timeline = [timeline_entry(change, case.version)]

    assert exception_recorded(timeline, "W1", "EXCEPTION", reported)
    assert not exception_recorded(timeline, "W2", "EXCEPTION", reported)
    assert not exception_recorded(timeline, "W1", "RETURNED_TO_SENDER", reported)
    assert not exception_recorded(timeline, "W1", "EXCEPTION", reported + timedelta(seconds=1))
    assert not exception_recorded([{**timeline[0], "action": "forward"}], "W1", "EXCEPTION", reported)
    assert not exception_recorded([{"action": "shipment_exception", "details": None}], "W1", "EXCEPTION", reported)
    # Recorded without the courier's time (before 2026-12-02), a report is not recognised: carried once more.
    older = case.record_shipment_exception(Actor.system("courier"), NOW, "W1", "EXCEPTION")
    assert "reported_at" not in older.details
    assert not exception_recorded([timeline_entry(older, case.version)], "W1", "EXCEPTION", reported)
