"""Pure review and ticket rules: ratings, windows, the ticket transitions table, statistics arithmetic."""
from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from chalicelib.domain.case import Actor
from chalicelib.domain.errors import Conflict, InvalidInput, InvalidTransition, OutOfScope
from chalicelib.domain.reference import ReviewPolicy
from chalicelib.domain.reviews import Review, Stage, check_rating, default_due_at, window_closes_at
from chalicelib.domain.statistics import contribution, delta, figures
from chalicelib.domain.tickets import (
    TICKET_RULES,
    AppealStatus,
    Ticket,
    TicketAction,
    TicketStatus,
    legacy_ticket_key,
    open_ticket,
)

POLICY = ReviewPolicy("440300", 3, 10, 15, 3)
T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # Monday 10:00 CST
SZ_SUP = Actor("sup-sz", "supervisor", city="440300")
DG_SUP = Actor("sup-dg", "supervisor", city="441900")
PROV = Actor("sup-gd", "supervisor", city="440000")
SZ_STAFF = Actor("staff-sz", "staff", office_id="SZ-GOV")
NS_STAFF = Actor("staff-ns", "staff", office_id="SZ-NS")
SYSTEM = Actor.system("sweeper")


def review(rating: int = 1, default: bool = False, at: datetime = T0) -> Review:
    return Review(case_no="KC4403002026030200001", stage=Stage.RECEIVING, rating=rating, tags=["态度差"],
                  comment="差", office_id="SZ-GOV", city="440300", matter_id="DG-SI-CERT", reviewer_sub="alice",
                  reviewer_name="张三", created_at=at, reviewable_at=at, default=default)


def ticket(status: TicketStatus = TicketStatus.OPEN, appeal: AppealStatus = AppealStatus.NONE) -> Ticket:
    t, _ = open_ticket(review(), T0, POLICY)
    t.status, t.appeal_status = status, appeal
    return t


@pytest.mark.parametrize("rating", [0, 6, -1, True, "5", 2.5])
def test_rating_must_be_1_to_5(rating):
    with pytest.raises(InvalidInput) as err:
        check_rating(rating, [], "")
    assert err.value.field == "rating"


@pytest.mark.parametrize(("tags", "comment", "field"), [([], "差", "tags"), (["  "], "差", "tags"),
                                                        (["慢"], "", "comment"), (["慢"], "  ", "comment")])
def test_bad_rating_needs_tag_and_comment(tags, comment, field):
    for rating in (1, 2):
        with pytest.raises(InvalidInput) as err:
            check_rating(rating, tags, comment)
        assert err.value.field == field
    check_rating(3, [], "")  # 3–5 need neither


def test_windows_count_cst_dates():
    late_evening = datetime(2026, 3, 2, 15, 30, tzinfo=UTC)  # 23:30 CST on 2026-03-02
    assert window_closes_at(late_evening, POLICY) == datetime(2026, 3, 17, 16, 0, tzinfo=UTC)
    # One window: the default lands when it closes, never inside it.
    assert default_due_at(late_evening, POLICY) == window_closes_at(late_evening, POLICY)
    after_midnight = datetime(2026, 3, 2, 16, 30, tzinfo=UTC)  # 00:30 CST on 2026-03-03
    assert default_due_at(after_midnight, POLICY) == datetime(2026, 3, 18, 16, 0, tzinfo=UTC)


def test_default_and_mild_reviews_are_not_bad():
    assert review(1).bad and review(2).bad
    assert not review(3).bad and not review(1, default=True).bad


def test_ticket_deadlines_count_working_days_from_the_review_date():
    t, change = open_ticket(review(), T0, POLICY)
    assert (t.verify_due, t.rectify_due) == (date(2026, 3, 5), date(2026, 3, 16))
    assert change.action is TicketAction.OPEN
    assert re.fullmatch(r"TK-[0-9A-HJKMNP-TV-Z]{26}", t.ticket_id) and t.case_no not in t.ticket_id
    assert open_ticket(review(), T0, POLICY)[0].ticket_id != t.ticket_id  # opaque, not derived from the case
    assert legacy_ticket_key("TK-KC4403002026030200001-receiving") == ("KC4403002026030200001", Stage.RECEIVING)
    assert legacy_ticket_key(t.ticket_id) is None
    with pytest.raises(Exception):
        open_ticket(review(5), T0, POLICY)


# ---------------------------------------------------------------- the transitions table

STEPS = {
    TicketAction.VERIFY: lambda t, a: t.verify(a, T0, True, "属实"),
    TicketAction.RECTIFY: lambda t, a: t.rectify(a, T0, "已培训"),
    TicketAction.FEEDBACK: lambda t, a: t.feedback(a, T0, True, True, ""),
}
WHO = {TicketAction.VERIFY: SZ_SUP, TicketAction.RECTIFY: SZ_SUP, TicketAction.FEEDBACK: SZ_SUP}


@pytest.mark.parametrize("action", list(STEPS))
@pytest.mark.parametrize("status", list(TicketStatus))
def test_each_step_only_from_its_states(action, status):
    t = ticket(status)
    if status in TICKET_RULES[action].sources:
        change = STEPS[action](t, WHO[action])
        assert change.from_status is status and t.status in TICKET_RULES[action].targets
        assert t.status is not status
    else:
        with pytest.raises(InvalidTransition) as err:
            STEPS[action](t, WHO[action])
        assert err.value.current_status == status.value
        assert t.status is status


def test_full_loop_and_explanation():
    t = ticket()
    t.verify(PROV, T0, True, "属实")
    t.rectify(SZ_SUP, T0 + timedelta(days=1), "已整改")
    t.feedback(SZ_SUP, T0 + timedelta(days=2), True, False, "不满意")
    assert (t.status, t.satisfied, t.on_time) == (TicketStatus.CLOSED, False, True)
    e = ticket()
    e.verify(SZ_SUP, T0, False, "依法不予收件，已解释")
    assert e.status is TicketStatus.EXPLAINED and e.closed_at == T0
    with pytest.raises(InvalidTransition):
        e.rectify(SZ_SUP, T0, "x")


def test_who_may_act_on_a_ticket():
    for outsider in (DG_SUP, SZ_STAFF, NS_STAFF, Actor("alice", "citizen")):
        with pytest.raises(OutOfScope):
            ticket().verify(outsider, T0, True, "x")
    with pytest.raises(OutOfScope):
        ticket().appeal(NS_STAFF, T0, "恶意差评")
    with pytest.raises(OutOfScope):
        ticket().appeal(SZ_SUP, T0, "恶意差评")
    t = ticket()
    t.appeal(SZ_STAFF, T0, "恶意差评")
    with pytest.raises(OutOfScope):  # a supervisor of the same level may not decide
        t.decide_appeal(SZ_SUP, T0, True, "x")
    assert t.sees_reviewer(SZ_SUP) and t.sees_reviewer(PROV)
    assert not t.sees_reviewer(SZ_STAFF) and t.can_read(SZ_STAFF) and not t.can_read(NS_STAFF)
    assert not t.can_read(DG_SUP)


def test_appeal_once_and_decided_once():
    t = ticket(TicketStatus.VERIFIED)
    t.appeal(SZ_STAFF, T0, "申请人恶意差评，有录像为证")
    assert t.appeal_status is AppealStatus.PENDING and t.status is TicketStatus.VERIFIED
    with pytest.raises(InvalidTransition):
        t.appeal(SZ_STAFF, T0, "again")
    t.decide_appeal(PROV, T0, False, "证据不足")
    assert t.appeal_status is AppealStatus.REJECTED
    with pytest.raises(InvalidTransition):
        t.decide_appeal(PROV, T0, True, "改判")
    with pytest.raises(InvalidTransition):
        t.appeal(SZ_STAFF, T0, "third")
    t.rectify(SZ_SUP, T0, "已整改")  # a rejected appeal leaves the work to do


def test_upheld_appeal_excludes_and_stops_the_workflow():
    t = ticket()
    r = review()
    before = contribution(r, t)
    t.appeal(SZ_STAFF, T0, "恶意差评")
    with pytest.raises(InvalidTransition):  # nothing to decide without an appeal: covered by the table
        ticket().decide_appeal(PROV, T0, True, "x")
    t.decide_appeal(PROV, T0, True, "录像证明窗口人员态度良好")
    assert t.excluded and t.next_due_at() is None
    assert delta(before, contribution(r, t)) == {"reviews": -1, "bad": -1, "tickets": -1, "excluded": 1}
    with pytest.raises(InvalidTransition):
        t.verify(SZ_SUP, T0, True, "x")


def test_escalation_once_per_missed_step():
    t = ticket()
    with pytest.raises(InvalidTransition):
        t.escalate(SYSTEM, t.verify_deadline() - timedelta(seconds=1))
    with pytest.raises(OutOfScope):
        t.escalate(SZ_SUP, t.verify_deadline())
    t.escalate(SYSTEM, t.verify_deadline())
    assert t.overdue == ["verify"] and t.next_due_at() is None
    with pytest.raises(InvalidTransition):
        t.escalate(SYSTEM, t.verify_deadline() + timedelta(days=1))
    t.verify(SZ_SUP, t.verify_deadline() + timedelta(hours=1), True, "属实")
    assert t.next_due_at() == t.rectify_deadline()
    t.rectify(SZ_SUP, t.rectify_deadline() - timedelta(hours=1), "已整改")
    assert t.on_time is False and t.next_due_at() is None  # verified late


def test_figures_from_counters():
    counts = {"reviews": 10, "good": 6, "bad": 2, "defaults": 2, "tickets": 2, "replied": 1, "valid": 1,
              "rectified": 1, "finished": 1, "on_time": 0, "contacted": 1, "satisfied": 1}
    f = figures(counts)
    # 好评率 and 差评率 over the 8 applicants' own ratings; the 2 defaults count in 未评率 only.
    assert (f["good_rate"], f["active_good_rate"], f["bad_rate"], f["unrated_rate"]) == (0.75, 0.75, 0.25, 0.2)
    assert (f["reply_rate"], f["rectification_rate"], f["on_time_rate"], f["satisfaction_rate"]) == (
        0.5, 1.0, 0.0, 1.0)
    assert figures({})["good_rate"] is None


def test_follow_up_once():
    r = review(4)
    r.add_follow_up(Actor("alice", "citizen"), "补充", T0)
    with pytest.raises(Conflict):
        r.add_follow_up(Actor("alice", "citizen"), "再补充", T0)


def test_every_city_has_its_own_review_policy_and_none_is_guessed():
    from chalicelib.domain.errors import RuleViolation
    from chalicelib.domain.reference import Catalogue
    from chalicelib.reference import load_files

    rows = load_files()
    cat = Catalogue.from_rows(rows)
    assert {cat.review_policy(city).city for city in cat.cities} == set(cat.cities)
    without_zhuhai = Catalogue.from_rows({**rows, "review_policies": [
        r for r in rows["review_policies"] if r["city"] != "440400"]})
    with pytest.raises(RuleViolation):
        without_zhuhai.review_policy("440400")
