"""Review statistics checked against figures computed independently, in plain Python, from several
hundred reviews generated through the service layer (with defaults, tickets in every state and appeals), on
the in-memory unit of work (tests/fakes.py; the stores' own counting is held to DynamoDB's by tests/contract)."""
from __future__ import annotations

import os
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from chalicelib.adapters.reference_store import catalogue
from chalicelib.domain.case import Applicant, Delivery, MaterialItem, new_case
from chalicelib.domain.events import CaseEvent, ReviewBad
from chalicelib.domain.lifecycle import Status
from chalicelib.services import review_stats, reviews, tickets
from tests.review_support import T0, citizen_actor, staff_actor, supervisor_actor
from tests.support import resident_id, submit_review

CASES = int(os.environ.get("REVIEW_STATS_CASES", "150"))
# receiving office → (matter, handling offices to pick from)
PLAN = {
    "SZ-GOV": ("DG-SI-CERT", ["DG-GOV"]),
    "SZ-NS": ("ZH-DRIVER-RENEW", ["ZH-GOV"]),
    "DG-GOV": ("SZ-PF-WITHDRAW", ["SZ-GOV", "SZ-NS"]),
    "ZH-GOV": ("SZ-BIZ-CHANGE", ["SZ-GOV", "SZ-NS"]),
}
CITY = {"SZ-GOV": "440300", "SZ-NS": "440300", "DG-GOV": "441900", "ZH-GOV": "440400"}
SZ_SUP, PROVINCE = supervisor_actor("440300"), supervisor_actor("440000")


@dataclass
class Expected:
    """What the test itself did to one stage, and so what it must count."""

    office: str
    day: date  # CST date of the review
    rating: int
    default: bool = False
    ticket: str = "none"  # none | open | explained | verified | rectified | closed
    on_time: bool | None = None
    contacted: bool = False
    satisfied: bool = False
    excluded: bool = False
    notes: list[str] = field(default_factory=list)


def _cst_day(at: datetime) -> date:
    return (at + timedelta(hours=8)).date()


def _completed_case(db: Any, i: int, receiving: str, handling: str, received_at: datetime, completed_at: datetime):
    cat = catalogue()
    matter = cat.matter(PLAN[receiving][0])
    case, _ = new_case(
        case_no=f"KC{CITY[receiving]}20260301{i:05d}", actor=citizen_actor(f"u{i}"), at=received_at,
        matter=matter, receiving_office=cat.office(receiving),
        applicant=Applicant("李四", "RESIDENT_ID", resident_id(i), "13900139000", f"u{i}"),
        materials=[MaterialItem(m.name, m.core, True) for m in matter.materials],
        delivery=Delivery("PICKUP_HANDLING"),
    )
    case.status, case.handling_office_id = Status.COMPLETED, handling
    case.receiving_reviewable_at = received_at
    case.handling_reviewable_at = case.completed_at = completed_at
    case.version = 1
    db.cases[case.case_no] = case  # built directly: the case's own history is not under test here
    return case


def _generate(db: Any, rnd: random.Random) -> list[Expected]:
    expected: list[Expected] = []
    for i in range(CASES):
        receiving = rnd.choice(list(PLAN))
        handling = rnd.choice(PLAN[receiving][1])
        received_at = T0 + timedelta(days=rnd.randrange(6), hours=rnd.randrange(14))
        completed_at = received_at + timedelta(days=1, hours=rnd.randrange(10))
        case = _completed_case(db, i, receiving, handling, received_at, completed_at)
        for stage, office, opened in (("receiving", receiving, received_at), ("handling", handling, completed_at)):
            if rnd.random() < 0.12:  # left unrated: rated by default when the 15-day window closes
                kind = "case.receive" if stage == "receiving" else "case.pickup"
                reviews.open_review_slot(CaseEvent(
                    event_id=f"{case.case_no}#9", type=kind, case_no=case.case_no, version=9,
                    action=kind.split(".")[1], from_status="", to_status="", at=opened, matter_id=case.matter_id,
                    receiving_office_id=receiving, handling_office_id=handling))
                expected.append(Expected(office, _cst_day(opened) + timedelta(days=16), 3, default=True))
                continue
            rating = rnd.choices([1, 2, 3, 4, 5], weights=[14, 10, 14, 25, 37])[0]
            at = opened + timedelta(hours=rnd.randrange(48))
            body = {"stage": stage, "rating": rating}
            if rating <= 2:
                body.update(tags=["办理慢"], comment="等了很久")
            submit_review(citizen_actor(f"u{i}"), case.case_no, body, now=at)
            exp = Expected(office, _cst_day(at), rating)
            expected.append(exp)
            if rating <= 2:
                tickets.open_for_bad_review(ReviewBad(f"review#{case.case_no}#{stage}", "review.bad", at,
                                                      case.case_no, stage, office, ""))
                exp.ticket = "open"
                rated = reviews.reviews_of_case(PROVINCE, case.case_no)
                ticket_id = next(t.ticket_id for r, t in rated if r.stage.value == stage and t is not None)
                _work_ticket(rnd, ticket_id, at, office, exp)
    return expected


def _work_ticket(rnd: random.Random, ticket_id: str, at: datetime, office: str, exp: Expected) -> None:
    """Move a ticket somewhere along its workflow; 'late' is 40 days after the review, past any deadline."""
    soon, late = at + timedelta(minutes=30), at + timedelta(days=40)
    roll = rnd.random()
    if roll < 0.2:
        when = rnd.choice([soon, late])
        tickets.verify(SZ_SUP if CITY[office] == "440300" else PROVINCE, ticket_id, False, "已解释", now=when)
        exp.ticket, exp.on_time = "explained", when == soon
    elif roll < 0.85:
        verified_at = rnd.choice([soon, soon, late])
        tickets.verify(PROVINCE, ticket_id, True, "属实", now=verified_at)
        exp.ticket = "verified"
        if rnd.random() < 0.8:
            rectified_at = max(verified_at, rnd.choice([soon, soon, late])) + timedelta(minutes=1)
            tickets.rectify(PROVINCE, ticket_id, "已整改", now=rectified_at)
            exp.ticket, exp.on_time = "rectified", verified_at == soon and rectified_at < late
            if rnd.random() < 0.7:
                contacted = rnd.random() < 0.9
                satisfied = contacted and rnd.random() < 0.7
                tickets.feedback(PROVINCE, ticket_id, contacted, satisfied if contacted else None, "",
                                 now=rectified_at)
                exp.ticket, exp.contacted, exp.satisfied = "closed", contacted, satisfied
    appeal = rnd.random()
    if appeal < 0.15:
        tickets.appeal(staff_actor(office), ticket_id, "恶意差评", now=late)
        upheld = appeal < 0.1
        tickets.decide_appeal(PROVINCE, ticket_id, upheld, "复核意见", now=late)
        exp.excluded = upheld


def _expected_figures(records: list[Expected]) -> dict[str, float | None]:
    counted = [r for r in records if not r.excluded]
    n = len(counted)
    good = sum(r.rating >= 4 and not r.default for r in counted)
    defaults = sum(r.default for r in counted)
    bad = [r for r in counted if r.rating <= 2 and not r.default]
    replied = sum(r.ticket not in ("open",) for r in bad)
    valid = [r for r in bad if r.ticket in ("verified", "rectified", "closed")]
    rectified = sum(r.ticket in ("rectified", "closed") for r in valid)
    finished = [r for r in bad if r.on_time is not None]
    contacted = [r for r in bad if r.contacted]

    def rate(a: int, b: int) -> float | None:
        return round(a / b, 4) if b else None

    return {
        "reviews": n, "bad_reviews": len(bad), "default_reviews": defaults,
        "excluded_reviews": sum(r.excluded for r in records),
        "good_rate": rate(good, n - defaults), "active_good_rate": rate(good, n - defaults),
        "bad_rate": rate(len(bad), n - defaults), "unrated_rate": rate(defaults, n),
        "reply_rate": rate(replied, len(bad)), "rectification_rate": rate(rectified, len(valid)),
        "on_time_rate": rate(sum(bool(r.on_time) for r in finished), len(finished)),
        "satisfaction_rate": rate(sum(r.satisfied for r in contacted), len(contacted)),
    }


def _check(actual: dict, records: list[Expected]) -> None:
    expected = _expected_figures(records)
    assert {k: actual[k] for k in expected} == expected


def test_statistics_match_an_independent_count(fake):
    records = _generate(fake, random.Random(20260302))
    assert reviews.sweep_default_ratings(T0 + timedelta(days=30))["default_ratings"] == sum(
        r.default for r in records)
    assert len(records) >= 300 and sum(r.excluded for r in records) > 0 and sum(r.default for r in records) > 10

    _check(review_stats.review_stats(PROVINCE, None, None, None, None), records)
    sz = [r for r in records if CITY[r.office] == "440300"]
    _check(review_stats.review_stats(SZ_SUP, None, None, None, None), sz)
    _check(review_stats.review_stats(PROVINCE, "441900", None, None, None),
           [r for r in records if r.office == "DG-GOV"])
    first, last = date(2026, 3, 3), date(2026, 3, 5)
    window = [r for r in sz if r.office == "SZ-NS" and first <= r.day <= last]
    _check(review_stats.review_stats(SZ_SUP, "440300", "SZ-NS", "2026-03-03", "2026-03-05"), window)
    later = [r for r in records if r.day >= date(2026, 3, 12)]  # only defaults fall this late
    stats = review_stats.review_stats(PROVINCE, None, None, "2026-03-12", None)
    _check(stats, later)
    assert stats["unrated_rate"] == 1.0 and stats["active_good_rate"] is None
    by_office = {o["office_id"]: o for o in review_stats.review_stats(PROVINCE, None, None, None, None)["offices"]}
    for office in PLAN:
        _check(by_office[office], [r for r in records if r.office == office])
