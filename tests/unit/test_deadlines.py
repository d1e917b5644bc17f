"""Time as offices live it (issue 13): the applicant's correction time does not count against the office, a
returned case has its own correction deadline, a pending 容缺 deadline is never moved, and no state waits
forever (each has a deadline from reference data; a result waiting for pickup reminds, then alerts)."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from chalicelib.domain.case import DEFAULT_DEADLINES, Delivery, MaterialItem, new_case
from chalicelib.domain.errors import InvalidTransition
from chalicelib.domain.lifecycle import Action, Status
from chalicelib.domain.reference import CaseDeadlines
from chalicelib.domain.workdays import end_of_cst_day, start_of_cst_day, working_days_between
from tests.unit.test_lifecycle import APPLICANT, CAT, HANDLING, MATTER, RECEIVING, SYSTEM, make_case

# Tuesday 2026-11-24, 10:00 CST. The week: Mon 23 … Fri 27; Mon 30, Tue 1 Dec … Fri 4; Mon 7 … (no holidays).
TUE = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


def cst(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour - 8, 0, tzinfo=UTC)


def test_reference_data_carries_the_deadlines():
    d = CAT.deadlines
    assert d.supplement_working_days == 5 and d.correction_working_days == 5
    assert {"SUBMITTED", "RECEIVED", "APPROVED", "DENIED"} <= set(d.stage_working_days)
    assert d.pickup_reminder_days == (7, 25) and d.pickup_alert_days == 30
    assert CAT.supplement_working_days == 5


def test_working_days_between_counts_the_days_waited():
    assert working_days_between(date(2026, 11, 24), date(2026, 11, 24)) == 0
    assert working_days_between(date(2026, 11, 24), date(2026, 11, 26)) == 2
    assert working_days_between(date(2026, 11, 27), date(2026, 11, 30)) == 1  # Fri → Mon: the weekend is free


# ---------------------------------------------------------------- 补正: the clock stops


def test_the_promised_date_moves_by_the_working_days_spent_correcting():
    case = make_case(Status.ACCEPTED, promised_by=date(2026, 12, 8))
    case.return_for_correction(HANDLING, TUE, "照片不清晰，请重新提供两寸白底照片", 5)
    assert case.promised_deadline() not in {at for at, _ in case._timers()}  # no overdue while returned
    change = case.supplement(APPLICANT, cst(date(2026, 11, 26)), MATTER, "照片")
    assert case.status is Status.ACCEPTED
    assert case.promised_by == date(2026, 12, 10)  # two working days waited (Wed, Thu)
    assert change.details["waited_working_days"] == 2 and change.details["promised_by"] == "2026-12-10"
    assert case.correction_due is None and case.returned_at is None


def test_a_correction_the_same_day_moves_nothing():
    case = make_case(Status.ACCEPTED, promised_by=date(2026, 12, 8))
    case.return_for_correction(HANDLING, TUE, "签名缺失", 5)
    case.supplement(APPLICANT, TUE + timedelta(hours=3), MATTER, "照片")
    assert case.promised_by == date(2026, 12, 8)


def test_a_case_that_waited_while_returned_is_not_marked_overdue():
    """The office promised 2026-12-08; the applicant took a week to correct; the office is not late on 12-09."""
    case = make_case(Status.ACCEPTED, promised_by=date(2026, 12, 8))
    case.return_for_correction(HANDLING, TUE, "照片不清晰", 5)
    case.supplement(APPLICANT, cst(date(2026, 12, 1)), MATTER, "照片")  # 5 working days later
    assert case.due_action(cst(date(2026, 12, 9))) is None
    with pytest.raises(InvalidTransition):
        case.mark_overdue(SYSTEM, cst(date(2026, 12, 9)))
    assert case.due_action(cst(date(2026, 12, 16))) is Action.MARK_OVERDUE


# ---------------------------------------------------------------- 补正: its own deadline


def test_a_returned_case_has_its_own_correction_deadline_from_the_data():
    case = make_case(Status.ACCEPTED, promised_by=date(2026, 12, 8))
    change = case.return_for_correction(HANDLING, TUE, "照片不清晰", CAT.deadlines.correction_working_days)
    assert case.correction_due == date(2026, 12, 1)
    assert change.details["correction_due"] == "2026-12-01" and change.details["reason"] == "照片不清晰"


def test_a_return_never_overwrites_a_pending_rongque_deadline():
    case = make_case(Status.ACCEPTED, missing=["照片"], supplement_due=date(2026, 11, 25),
                     promised_by=date(2026, 12, 8))
    case.return_for_correction(HANDLING, TUE, "户口簿页面缺失", 5)
    assert case.supplement_due == date(2026, 11, 25)  # the 容缺 deadline stands
    assert case.correction_due == date(2026, 12, 1)
    # The earlier one ends the case: the 容缺 material was not brought by 11-25.
    assert case.due_action(cst(date(2026, 11, 26))) is Action.TERMINATE
    change = case.terminate(SYSTEM, cst(date(2026, 11, 26)))
    assert change.details["deadline"] == "supplement" and change.details["missing"] == ["照片"]


def test_an_unmet_correction_is_terminated_after_a_reminder_on_its_last_day():
    case = make_case(Status.ACCEPTED, promised_by=date(2026, 12, 8))
    case.return_for_correction(HANDLING, TUE, "照片不清晰", 5)
    assert case.next_due_at() == start_of_cst_day(date(2026, 12, 1))
    assert case.due_action(cst(date(2026, 11, 30))) is None
    assert case.due_action(cst(date(2026, 12, 1), 9)) is Action.REMIND_SUPPLEMENT
    reminder = case.remind_supplement(SYSTEM, cst(date(2026, 12, 1), 9))
    assert reminder.details == {"deadline": "correction", "due": "2026-12-01", "return_reason": "照片不清晰"}
    assert case.due_action(cst(date(2026, 12, 1), 15)) is None  # reminded once
    assert case.next_due_at() == end_of_cst_day(date(2026, 12, 1))
    with pytest.raises(InvalidTransition):
        case.terminate(SYSTEM, cst(date(2026, 12, 1), 23))
    end = cst(date(2026, 12, 2), 9)
    assert case.due_action(end) is Action.TERMINATE
    change = case.terminate(SYSTEM, end)
    assert change.to_status is Status.TERMINATED
    assert change.details["deadline"] == "correction" and change.details["return_reason"] == "照片不清晰"


def test_a_rongque_deadline_also_reminds_before_it_ends():
    case = make_case(Status.RECEIVED, missing=["照片"], supplement_due=date(2026, 11, 27))
    change = case.remind_supplement(SYSTEM, cst(date(2026, 11, 27), 8))
    assert change.details == {"deadline": "supplement", "due": "2026-11-27", "missing": ["照片"]}


# ---------------------------------------------------------------- no state waits forever


def _applied(at: datetime, deadlines: CaseDeadlines = DEFAULT_DEADLINES):
    applicant = make_case(Status.SUBMITTED).applicant
    return new_case(case_no="KC4403002026112400001", actor=APPLICANT, at=at, matter=MATTER,
                    receiving_office=CAT.offices["SZ-GOV"], applicant=applicant,
                    materials=[MaterialItem(m.name, m.core, True) for m in MATTER.materials],
                    delivery=Delivery("PICKUP_HANDLING"), deadlines=deadlines)


def test_a_submitted_case_not_received_in_time_goes_overdue_once():
    deadlines = CaseDeadlines(stage_working_days={"SUBMITTED": 1, "RECEIVED": 3})
    case, _ = _applied(TUE, deadlines)
    assert case.stage_due == end_of_cst_day(date(2026, 11, 25))
    assert case.due_action(cst(date(2026, 11, 25), 20)) is None
    late = cst(date(2026, 11, 26))
    assert case.due_action(late) is Action.MARK_OVERDUE
    change = case.mark_overdue(SYSTEM, late)
    assert change.event_type == "case.mark_overdue"  # the same escalation as a late promised date
    assert change.details["stage"] == "SUBMITTED"
    assert case.due_action(late + timedelta(days=3)) is None  # once per state
    case.receive(RECEIVING, late, MATTER, [], "", 5, deadlines)  # a new state, its own clock
    assert not case.stage_overdue and case.stage_due == end_of_cst_day(date(2026, 12, 1))


@pytest.mark.parametrize("status", [Status.RECEIVED, Status.APPROVED, Status.DENIED])
def test_every_waiting_state_gets_a_deadline(status):
    case = make_case(Status.ACCEPTED if status is not Status.RECEIVED else Status.SUBMITTED, "PICKUP_HANDLING")
    if status is Status.RECEIVED:
        case.receive(RECEIVING, TUE, MATTER, [], "", 5, CAT.deadlines)
    else:
        case.decide(HANDLING, TUE, status is Status.APPROVED, "", CAT.deadlines)
    assert case.status is status and case.stage_due is not None
    assert case.due_action(case.stage_due) is Action.MARK_OVERDUE
    assert case.mark_overdue(SYSTEM, case.stage_due).details["stage"] == status.value
    case.forward(RECEIVING, TUE) if status is Status.RECEIVED else case.ship_result(HANDLING, TUE)


def test_states_with_their_own_clock_do_not_carry_the_last_one():
    case = make_case(Status.RECEIVED, stage_due=TUE)
    case.forward(RECEIVING, TUE)
    assert case.stage_due is None and case.next_due_at() is None


def test_a_result_waiting_for_pickup_reminds_on_days_7_and_25_then_alerts_the_office_at_30():
    case = make_case(Status.APPROVED, "PICKUP_HANDLING")
    case.ship_result(HANDLING, TUE, "", CAT.deadlines)
    assert case.status is Status.READY_FOR_PICKUP
    assert case.due_action(TUE + timedelta(days=6)) is None
    first = case.remind_pickup(SYSTEM, TUE + timedelta(days=7))
    assert first.event_type == "case.remind_pickup" and first.details["pickup_office_id"] == "DG-GOV"
    assert case.due_action(TUE + timedelta(days=24)) is None
    assert case.due_action(TUE + timedelta(days=25)) is Action.REMIND_PICKUP
    case.remind_pickup(SYSTEM, TUE + timedelta(days=25))
    assert case.due_action(TUE + timedelta(days=29)) is None
    assert case.due_action(TUE + timedelta(days=30)) is Action.MARK_OVERDUE
    alert = case.mark_overdue(SYSTEM, TUE + timedelta(days=30))
    assert alert.details["stage"] == "READY_FOR_PICKUP" and alert.details["pickup_office_id"] == "DG-GOV"
    assert case.next_due_at() is None
    case.pickup(HANDLING, TUE + timedelta(days=31))
    assert case.status is Status.COMPLETED


def test_missed_pickup_reminders_are_sent_once_as_one():
    case = make_case(Status.APPROVED, "PICKUP_HANDLING")
    case.ship_result(HANDLING, TUE, "", CAT.deadlines)
    case.remind_pickup(SYSTEM, TUE + timedelta(days=26))  # the sweeper was down on day 7 and day 25
    assert case.pickup_reminders == []
    with pytest.raises(InvalidTransition):
        case.remind_pickup(SYSTEM, TUE + timedelta(days=27))


# ---------------------------------------------------------------- receiving: the window's finding


def test_the_windows_missing_list_replaces_the_forms_and_the_timeline_keeps_both():
    case = make_case(Status.SUBMITTED)
    case.materials = [MaterialItem(m.name, m.core, m.name != "照片") for m in MATTER.materials]  # form: no photo
    change = case.receive(RECEIVING, TUE, MATTER, [], "照片当场提供", 5)
    assert case.missing == [] and all(m.provided for m in case.materials)
    assert change.details["form_missing"] == ["照片"]
    assert case.supplement_due is None


def test_without_a_finding_the_forms_list_stands():
    case = make_case(Status.SUBMITTED)
    case.materials = [MaterialItem(m.name, m.core, m.name != "照片") for m in MATTER.materials]
    change = case.receive(RECEIVING, TUE, MATTER, None, "", 5)
    assert case.missing == ["照片"] and "form_missing" not in change.details


def test_a_parcel_is_reshipped_once():
    case = make_case(Status.IN_TRANSIT)
    assert case.reship(RECEIVING, TUE, "EMS1").action is Action.RESHIP
    with pytest.raises(InvalidTransition):
        case.reship(RECEIVING, TUE, "EMS1")
    case.reship(RECEIVING, TUE, "EMS2")  # the replacement went wrong too: it may be replaced in turn
