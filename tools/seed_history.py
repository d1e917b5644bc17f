"""A year of history for the local stack (``make run``), so the supervisor dashboard has something to show on
first start: a few hundred cases over the last 12 months, each applied for, received, forwarded, signed for,
decided, held and handed over at the handling office, and rated by its applicant, all through the services
(the same use cases the API calls, with their dates in the past), never written around them. Bad reviews open
their tickets through the queue as any other does.

The router is the pump's routing consumer (it assigns each forwarded case its handling office), so the
seeding runs in the stack's own process once the pump is up. The applicants are made-up citizens
(``history-NNNN``), so the demo citizens' own lists stay empty. The same seed gives the same history.

    python -m tools.local_stack --seed-history 150     (make run does this; SEED_HISTORY=0 turns it off)
"""
from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from chalicelib.bootstrap import unit_of_work
from chalicelib.domain.actor import Actor, Role
from chalicelib.domain.errors import ConcurrentUpdate
from chalicelib.domain.identity import with_check_digit
from chalicelib.domain.workdays import utcnow

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = ("伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英",
         "华", "慧")
BAD_TAGS = ("办理超时", "态度不好", "材料要求不清", "多次跑动", "寄递延误", "结果有误")
BAD_COMMENTS = ("等了很久也没有人解释进度", "材料要求前后说法不一致，跑了两趟", "窗口人员态度生硬",
                "结果比承诺时间晚了好几天", "电话一直打不通，不知道办到哪一步了")
GOOD_COMMENTS = ("", "", "", "办理很快，谢谢", "窗口指引清楚", "不用来回跑，很方便")


@dataclass
class Seeded:
    case_no: str
    at: datetime
    citizen: Actor
    receiving: str


def _retrying(step: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """A step the pump raced (its consumers update the same case): read again and retry, as a client would."""
    for attempt in range(5):
        try:
            return step(*args, **kwargs)
        except ConcurrentUpdate:
            if attempt == 4:
                raise
            time.sleep(0.2 * (attempt + 1))
    return None  # pragma: no cover


def _working_morning(day: datetime) -> datetime:
    """10:00 in Shanghai (02:00 UTC) of the day, moved to Monday from a weekend."""
    day = day.replace(hour=2, minute=0, second=0, microsecond=0)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _staff(office_id: str, city: str) -> Actor:
    return Actor(sub=f"staff-{office_id.lower()}", role=Role.STAFF, office_id=office_id, city=city,
                 name=f"{office_id} 窗口工作人员")


def _rating(rng: random.Random, quality: float) -> int:
    """Mostly 5 and 4; an office of lower quality gets more 3s and more bad reviews."""
    roll = rng.random()
    if roll < 0.03 + 0.10 * (1 - quality):
        return rng.choice((1, 2))
    if roll < 0.12 + 0.15 * (1 - quality):
        return 3
    return 5 if rng.random() < quality else 4


def seed_history(cases: int = 150, months: int = 12, rng_seed: int = 2026, route_timeout: float = 300,
                 say: Callable[[str], None] = print) -> dict[str, int]:
    """Make ``cases`` cases over the last ``months`` months and their reviews; returns what was made."""
    from chalicelib.adapters.reference_store import catalogue
    from chalicelib.services import handling, intake, reviews
    from chalicelib.services.commands import ApplicantDetails, Apply, MaterialClaim, SubmitReview

    rng = random.Random(rng_seed)
    cat = catalogue()
    today = utcnow()
    offices = sorted(cat.offices.values(), key=lambda o: o.office_id)
    quality = {o.office_id: rng.uniform(0.55, 0.95) for o in offices}
    matters = sorted(cat.matters.values(), key=lambda m: m.matter_id)
    made: list[Seeded] = []
    counts = {"cases": 0, "completed": 0, "reviews": 0, "bad_reviews": 0, "skipped": 0}
    bad: list[tuple[str, str, datetime]] = []  # ticket (first-release number), city of the rated office, rated at

    # 1. Applied for, received and forwarded at a window, on a working morning within the period.
    for n in range(cases):
        matter = rng.choice(matters)
        windows = [o for o in offices if o.city in matter.accepted_in and "receiving" in o.kinds]
        if not windows:
            continue
        office = rng.choice(windows)
        at = _working_morning(today - timedelta(days=rng.uniform(12, months * 30.4)))
        name = rng.choice(SURNAMES) + rng.choice(GIVEN)
        citizen = Actor(sub=f"history-{n:04d}", role=Role.CITIZEN, name=name)
        id_number = with_check_digit(f"4403051{rng.randint(960, 999)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
                                     f"{rng.randint(0, 999):03d}")
        command = Apply(
            matter_id=matter.matter_id, receiving_office_id=office.office_id,
            applicant=ApplicantDetails(name=name, id_type="RESIDENT_ID", id_number=id_number,
                                       phone=f"139{rng.randint(0, 99_999_999):08d}"),
            materials=tuple(MaterialClaim(m.name, True) for m in matter.materials),
            delivery_method="PICKUP_HANDLING",
        )
        try:
            case, _ = intake.apply(citizen, command, now=at)
            staff = _staff(office.office_id, office.city)
            _retrying(intake.receive, staff, case.case_no, [], now=at + timedelta(minutes=30))
            # The window is rated at once: its review window would otherwise have long passed (default rating).
            if rng.random() < 0.85:
                counts["reviews"] += 1
                if _review(reviews, SubmitReview, rng, citizen, case.case_no, "receiving", quality[office.office_id],
                           at + timedelta(hours=1)):
                    bad.append((f"TK-{case.case_no}-receiving", office.city, at + timedelta(hours=1)))
            _retrying(handling.forward, staff, case.case_no, now=at + timedelta(hours=2))
        except Exception as err:  # a rule the history did not foresee: leave that case where it stopped
            counts["skipped"] += 1
            say(f"  seed: case {n} stopped: {err}")
            continue
        made.append(Seeded(case.case_no, at, citizen, office.office_id))
        counts["cases"] += 1
    say(f"  seed: {counts['cases']} cases applied for and forwarded; waiting for the router…")

    # 2. The router assigns each its handling office (the pump's routing consumer).
    deadline = time.monotonic() + route_timeout
    routed: dict[str, str] = {}
    while len(routed) < len(made) and time.monotonic() < deadline:
        with unit_of_work() as uow:
            for s in made:
                if s.case_no not in routed:
                    office_id = uow.cases.get(s.case_no).handling_office_id
                    if office_id:
                        routed[s.case_no] = office_id
        if len(routed) < len(made):
            time.sleep(1)

    # 3. Signed for, decided, held for pickup and handed over; then rated, mostly.
    for s in made:
        office_id = routed.get(s.case_no)
        if office_id is None:
            counts["skipped"] += 1
            continue
        handler = _staff(office_id, cat.office(office_id).city)
        days = rng.randint(1, 6)
        try:
            with unit_of_work() as uow:
                electronic = uow.cases.get(s.case_no).status.value == "ACCEPTED"  # 电子流转: arrived at once
            if not electronic:
                _retrying(handling.sign, handler, s.case_no, now=s.at + timedelta(days=1))
            approved, handed = rng.random() > 0.06, s.at + timedelta(days=days + rng.randint(1, 5))
            _retrying(handling.decide, handler, s.case_no, approved=approved, note="", now=s.at + timedelta(days=days))
            _retrying(handling.ship_result, handler, s.case_no, now=s.at + timedelta(days=days, hours=1))
            _retrying(handling.pickup, handler, s.case_no, note="已核验领取人证件", now=handed)
        except Exception as err:
            counts["skipped"] += 1
            say(f"  seed: {s.case_no} stopped: {err}")
            continue
        counts["completed"] += 1
        if rng.random() < 0.8:  # else left unrated: the default rating applies
            try:
                if _review(reviews, SubmitReview, rng, s.citizen, s.case_no, "handling", quality[office_id],
                           s.at + timedelta(days=days + 6)):
                    bad.append((f"TK-{s.case_no}-handling", cat.office(office_id).city,
                                s.at + timedelta(days=days + 6)))
                counts["reviews"] += 1
            except Exception as err:
                say(f"  seed: review of {s.case_no} refused: {err}")
    counts["bad_reviews"] = len(bad)

    # 4. The city supervisors close the loop of the older bad reviews within the working days allowed (the tickets
    # open when their review's event reaches the tickets queue); the last month's stay open for the worklist.
    say(f"  seed: {len(bad)} bad reviews; closing the older tickets…")
    counts["tickets_closed"] = _close_tickets(rng, bad, today - timedelta(days=30), say)
    return counts


def _close_tickets(rng: random.Random, bad: list[tuple[str, str, datetime]], before: datetime,
                   say: Callable[[str], None]) -> int:
    from chalicelib.domain.errors import NotFound
    from chalicelib.services import tickets

    closed = 0
    deadline = time.monotonic() + 120
    for ticket_id, city, rated_at in bad:
        if rated_at >= before:
            continue
        supervisor = Actor(sub=f"supervisor-{city}", role=Role.SUPERVISOR, city=city, name="监督员")
        while True:
            try:
                tickets.ticket_for(supervisor, ticket_id)
                break
            except NotFound:
                if time.monotonic() > deadline:
                    say(f"  seed: {ticket_id} not opened in time")
                    break
                time.sleep(0.5)
        try:
            day = _working_morning(rated_at + timedelta(days=1))
            if rng.random() < 0.2:
                _retrying(tickets.verify, supervisor, ticket_id, False, "经核实，系评价人误解办理流程，已向其解释说明",
                          now=day)
            else:
                _retrying(tickets.verify, supervisor, ticket_id, True, "经核实，情况属实", now=day)
                _retrying(tickets.rectify, supervisor, ticket_id, "已约谈窗口负责人，调整高峰时段人手",
                          now=_working_morning(day + timedelta(days=rng.randint(2, 9))))
                _retrying(tickets.feedback, supervisor, ticket_id, True, rng.random() < 0.8, "电话回访",
                          now=_working_morning(day + timedelta(days=12)))
            closed += 1
        except Exception as err:
            say(f"  seed: {ticket_id} left open: {err}")
    return closed


def _review(reviews: Any, submit_review: Any, rng: random.Random, citizen: Actor, case_no: str, stage: str,
            quality: float, at: datetime) -> bool:
    """The applicant rates a stage; returns whether the review was bad (1–2: reasons and a comment)."""
    rating = _rating(rng, quality)
    bad = rating <= 2
    reviews.submit(citizen, submit_review(
        case_no=case_no, stage=stage, rating=rating,
        tags=tuple(rng.sample(BAD_TAGS, rng.randint(1, 2))) if bad else (),
        comment=rng.choice(BAD_COMMENTS) if bad else rng.choice(GOOD_COMMENTS)), now=at)
    return bad
