"""Reviews through the service layer on the in-memory unit of work and bus (tests/fakes.py): submission
rules, follow-up, default ratings with a fixed clock, tickets opened through the tickets queue (``fake_pump``
delivers it to app.py's handler), escalation of overdue tickets."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from chalicelib.bootstrap import bus
from chalicelib.domain.errors import Conflict, InvalidInput, InvalidTransition, OutOfScope, RuleViolation
from chalicelib.domain.reviews import ReviewSlot, Stage
from chalicelib.domain.workdays import iso
from chalicelib.services import reviews, sweeper, tickets
from tests.review_support import T0, citizen_actor, complete, received, staff_actor, supervisor_actor
from tests.storage import Reviews
from tests.support import submit_review

store = Reviews()
BAD = {"stage": "receiving", "rating": 1, "tags": ["态度差"], "comment": "窗口人员不耐烦"}


def _slot(db, case_no: str, stage: str) -> ReviewSlot | None:
    return db.slots.get((case_no, Stage(stage)))


def test_applicant_reviews_a_stage_once(fake):
    case = received(at=T0)
    review = submit_review(citizen_actor(), case.case_no, {"stage": "receiving", "rating": 5}, now=T0)
    assert (review.office_id, review.city, review.default, review.bad) == ("SZ-GOV", "440300", False, False)
    stored = store.get_review(case.case_no, Stage.RECEIVING)
    assert stored is not None and stored.rating == 5 and stored.reviewer_sub == "alice"
    with pytest.raises(Conflict):
        submit_review(citizen_actor(), case.case_no, {"stage": "receiving", "rating": 4}, now=T0)
    assert store.get_review(case.case_no, Stage.RECEIVING).rating == 5  # never edited


def test_only_the_applicant_reviews_and_only_reviewable_stages(fake):
    case = received(at=T0)
    for actor in (citizen_actor("mallory"), staff_actor("SZ-GOV"), supervisor_actor("440300")):
        with pytest.raises(OutOfScope):
            submit_review(actor, case.case_no, {"stage": "receiving", "rating": 5}, now=T0)
    with pytest.raises(InvalidTransition) as err:
        submit_review(citizen_actor(), case.case_no, {"stage": "handling", "rating": 5}, now=T0)
    assert err.value.current_status == "RECEIVED"
    with pytest.raises(InvalidInput) as bad:
        submit_review(citizen_actor(), case.case_no, {"stage": "receiving", "rating": 2, "tags": ["慢"]}, now=T0)
    assert bad.value.field == "comment"
    complete(case.case_no, T0 + timedelta(days=3))
    review = submit_review(citizen_actor(), case.case_no, {"stage": "handling", "rating": 4},
                            now=T0 + timedelta(days=4))
    assert review.office_id == "DG-GOV" and review.city == "441900"


def test_review_window_is_fifteen_cst_days(fake):
    case = received(at=T0)  # 2026-03-02 CST: the window runs to the end of 2026-03-17 CST
    last_minute = T0.replace(hour=15, minute=59) + timedelta(days=15)  # 2026-03-17 23:59 CST
    with pytest.raises(RuleViolation) as err:
        submit_review(citizen_actor(), case.case_no, {"stage": "receiving", "rating": 4},
                       now=last_minute + timedelta(minutes=1))
    assert err.value.code == "review_window_closed"
    assert submit_review(citizen_actor(), case.case_no, {"stage": "receiving", "rating": 4}, now=last_minute)


def test_one_follow_up_comment(fake):
    case = received(at=T0)
    with pytest.raises(Exception) as missing:
        reviews.follow_up(citizen_actor(), case.case_no, "receiving", "补充", now=T0)
    assert type(missing.value).__name__ == "NotFound"
    submit_review(citizen_actor(), case.case_no, {"stage": "receiving", "rating": 4}, now=T0)
    with pytest.raises(OutOfScope):
        reviews.follow_up(citizen_actor("mallory"), case.case_no, "receiving", "x", now=T0)
    reviews.follow_up(citizen_actor(), case.case_no, "receiving", "后来电话回访了，很好", now=T0)
    with pytest.raises(Conflict):
        reviews.follow_up(citizen_actor(), case.case_no, "receiving", "再追评", now=T0)
    stored = store.get_review(case.case_no, Stage.RECEIVING)
    assert stored.follow_up == "后来电话回访了，很好" and stored.rating == 4


def test_default_rating_when_the_review_window_closes(fake, fake_pump):
    case = received(at=T0)
    fake_pump.run_until_idle()  # case.receive → tickets queue → the receiving stage's slot
    slot = _slot(fake, case.case_no, "receiving")
    assert slot is not None and iso(slot.due_at) == "2026-03-17T16:00:00+00:00"  # end of 2026-03-17 CST: day 15
    assert reviews.sweep_default_ratings(T0 + timedelta(days=15))["default_ratings"] == 0
    counts = sweeper.sweep(T0 + timedelta(days=16))
    assert counts["default_ratings"] == 1
    review = store.get_review(case.case_no, Stage.RECEIVING)
    assert review.default and review.rating == 3 and review.reviewer_sub.startswith("system")
    assert _slot(fake, case.case_no, "receiving") is None
    assert sweeper.sweep(T0 + timedelta(days=17))["default_ratings"] == 0
    with pytest.raises(RuleViolation):  # the window is closed
        submit_review(citizen_actor(), case.case_no, {"stage": "receiving", "rating": 5},
                       now=T0 + timedelta(days=17))


def test_a_rating_on_day_ten_is_accepted(fake, fake_pump):
    """The window and the default agree: the sweeper ran every day, and the applicant still rates on day 10."""
    case = received(at=T0)
    fake_pump.run_until_idle()
    for day in range(1, 11):
        assert sweeper.sweep(T0 + timedelta(days=day))["default_ratings"] == 0
    submit_review(citizen_actor(), case.case_no, {"stage": "receiving", "rating": 4}, now=T0 + timedelta(days=10))
    assert store.get_review(case.case_no, Stage.RECEIVING).rating == 4
    assert store.get_review(case.case_no, Stage.HANDLING) is None  # the handling stage never opened


def test_real_review_first_wins_over_default(fake, fake_pump):
    case = received(at=T0)
    fake_pump.run_until_idle()
    submit_review(citizen_actor(), case.case_no, {"stage": "receiving", "rating": 5}, now=T0 + timedelta(days=1))
    assert _slot(fake, case.case_no, "receiving") is None  # removed with the review, in its transaction
    # A redelivered case.receive does not reopen the slot of a rated stage.
    bus().send("tickets", fake.outbox[f"{case.case_no}#2"])
    fake_pump.run_until_idle()
    assert _slot(fake, case.case_no, "receiving") is None
    # The race: a slot the sweeper read just before the review committed still leaves one review.
    fake.slots[(case.case_no, Stage.RECEIVING)] = ReviewSlot(
        case.case_no, Stage.RECEIVING, "SZ-GOV", "440300", case.matter_id,
        datetime.fromisoformat("2026-03-02T02:00:00+00:00"), datetime.fromisoformat("2026-03-09T16:00:00+00:00"))
    assert reviews.sweep_default_ratings(T0 + timedelta(days=16))["default_ratings"] == 0
    assert [r.rating for r in store.reviews_of_case(case.case_no)] == [5]
    assert _slot(fake, case.case_no, "receiving") is None


def test_handling_stage_gets_its_own_slot_on_completion(fake, fake_pump):
    case = received(at=T0)
    complete(case.case_no, T0 + timedelta(days=2))
    fake_pump.run_until_idle()
    submit_review(citizen_actor(), case.case_no, {"stage": "receiving", "rating": 4}, now=T0)
    assert _slot(fake, case.case_no, "handling").office_id == "DG-GOV"
    assert reviews.sweep_default_ratings(T0 + timedelta(days=20))["default_ratings"] == 1
    assert [(r.stage.value, r.default) for r in store.reviews_of_case(case.case_no)] == [
        ("handling", True), ("receiving", False)]


def _ticket_id(case_no: str) -> str:
    """The ticket's id is opaque: the review of the stage names it."""
    review = store.get_review(case_no, Stage.RECEIVING)
    assert review is not None and review.ticket_id
    return review.ticket_id


def test_bad_review_opens_one_ticket_through_the_queue(fake, fake_pump):
    case = received(at=T0)
    submit_review(citizen_actor(), case.case_no, BAD, now=T0)
    fake_pump.run_until_idle()
    ticket_id = _ticket_id(case.case_no)
    ticket = store.get_ticket(ticket_id)
    assert (ticket.status.value, ticket.office_id, ticket.city) == ("OPEN", "SZ-GOV", "440300")
    assert (ticket.verify_due.isoformat(), ticket.rectify_due.isoformat()) == ("2026-03-05", "2026-03-16")
    event = fake.outbox[f"review#{case.case_no}#receiving"]
    for _ in range(2):  # the same message delivered again, twice
        bus().send("tickets", event)
    fake_pump.run_until_idle()
    assert [t.ticket_id for t in fake.tickets.values() if t.case_no == case.case_no] == [ticket_id]
    assert [e["action"] for e in store.history(ticket_id)] == ["open"]
    assert store.counts("SZ-GOV", None, None)["tickets"] == 1
    assert store.get_review(case.case_no, Stage.RECEIVING).ticket_status == "OPEN"


def test_good_and_default_reviews_open_no_ticket(fake, fake_pump):
    case = received(at=T0)
    submit_review(citizen_actor(), case.case_no, {"stage": "receiving", "rating": 3}, now=T0)
    fake_pump.run_until_idle()
    assert store.counts("SZ-GOV", None, None)["tickets"] == 0
    assert store.get_review(case.case_no, Stage.RECEIVING).ticket_id is None  # type: ignore[union-attr]


def test_overdue_tickets_escalate_once_per_missed_deadline(fake, fake_pump):
    case = received(at=T0)
    submit_review(citizen_actor(), case.case_no, BAD, now=T0)
    fake_pump.run_until_idle()
    ticket_id = _ticket_id(case.case_no)
    verify_deadline = store.get_ticket(ticket_id).verify_deadline()  # end of 2026-03-05 CST
    assert tickets.sweep_overdue_tickets(verify_deadline - timedelta(seconds=1))["tickets_escalated"] == 0
    assert sweeper.sweep(verify_deadline)["tickets_escalated"] == 1
    ticket = store.get_ticket(ticket_id)
    assert ticket.escalated and ticket.overdue == ["verify"] and ticket.status.value == "OPEN"
    escalation = fake.outbox[f"{ticket_id}#{ticket.version}"]
    assert escalation["type"] == "ticket.escalated" and escalation["details"]["level"] == "440000"
    assert sweeper.sweep(verify_deadline + timedelta(days=1))["tickets_escalated"] == 0
    tickets.verify(supervisor_actor("440300"), ticket_id, True, "属实", now=verify_deadline + timedelta(days=1))
    rectify_deadline = store.get_ticket(ticket_id).rectify_deadline()
    assert sweeper.sweep(rectify_deadline - timedelta(seconds=1))["tickets_escalated"] == 0
    assert sweeper.sweep(rectify_deadline)["tickets_escalated"] == 1
    assert store.get_ticket(ticket_id).overdue == ["verify", "rectify"]
    assert sweeper.sweep(rectify_deadline + timedelta(days=30))["tickets_escalated"] == 0
    assert [e["action"] for e in store.history(ticket_id)] == ["open", "escalate", "verify", "escalate"]
    fake_pump.run_until_idle()  # the escalations relay to the alerts topic without failing
    escalated = [a for a in fake.bus.published("alerts") if a["type"] == "ticket.escalated"]
    assert [a["ticket_id"] for a in escalated] == [ticket_id, ticket_id]


def test_ticket_answered_in_time_does_not_escalate(fake, fake_pump):
    case = received(at=T0)
    submit_review(citizen_actor(), case.case_no, BAD, now=T0)
    fake_pump.run_until_idle()
    ticket_id = _ticket_id(case.case_no)
    tickets.verify(supervisor_actor("440000"), ticket_id, False, "经核实，材料确实不全，已向您解释", now=T0)
    assert sweeper.sweep(T0 + timedelta(days=60))["tickets_escalated"] == 0
    ticket = store.get_ticket(ticket_id)
    assert ticket.status.value == "EXPLAINED" and ticket.on_time is True and not ticket.escalated


def test_concurrent_ticket_steps_one_wins(fake, fake_pump):
    case = received(at=T0)
    submit_review(citizen_actor(), case.case_no, BAD, now=T0)
    fake_pump.run_until_idle()
    ticket_id = _ticket_id(case.case_no)
    first, second = store.get_ticket(ticket_id), store.get_ticket(ticket_id)
    review = store.get_review(case.case_no, Stage.RECEIVING)
    store.commit_ticket(first, first.verify(supervisor_actor("440300"), T0, True, "属实"), {"replied": 1, "valid": 1})
    with pytest.raises(InvalidTransition) as err:  # ConcurrentUpdate: the loser of the race, 409
        store.commit_ticket(second, second.verify(supervisor_actor("440000"), T0, False, "不属实"), {"replied": 1})
    assert type(err.value).__name__ == "ConcurrentUpdate" and err.value.current_status == "VERIFIED"
    assert store.get_ticket(ticket_id).valid is True and review is not None
    assert [e["action"] for e in store.history(ticket_id)] == ["open", "verify"]
    assert store.counts("SZ-GOV", None, None)["replied"] == 1
