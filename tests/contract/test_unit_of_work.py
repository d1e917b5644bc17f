"""One contract for both units of work: every test runs on the in-memory one (tests/fakes.py) and on the
DynamoDB one against moto, so that service tests on the fake prove what they would prove on DynamoDB.

What is held to: a transaction lands whole or not at all; version guards (the loser gets ConcurrentUpdate
with the winner's status); things written once (cases, idempotency keys, legs, reviews, tickets, once-only
events, notifications) refuse a second write with the error named in services/unit_of_work.py; a failed or
abandoned unit of work leaves no trace, and the versions of the objects it staged are as they were read.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from chalicelib.domain.actor import Actor
from chalicelib.domain.case import Applicant, Case, Change, Delivery, MaterialItem, new_case
from chalicelib.domain.errors import ConcurrentUpdate, Conflict, Duplicate, NotFound
from chalicelib.domain.reference import Catalogue
from chalicelib.domain.reviews import ReviewSlot, Stage, default_review
from chalicelib.domain.shipping import LegKind, Shipment, plan_leg
from chalicelib.domain.statistics import contribution
from chalicelib.domain.tickets import open_ticket
from chalicelib.reference import load_files
from chalicelib.services.unit_of_work import UnitOfWork
from tests.fakes import Database

CAT = Catalogue.from_rows(load_files())
T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
SZ_STAFF = Actor("s-sz", "staff", office_id="SZ-GOV")


@dataclass
class Backend:
    name: str
    uow: Callable[[], UnitOfWork]
    outbox: Callable[[str], dict[str, Any] | None]
    new_process: Callable[[], None]  # what a new container would hold: no counter blocks


@pytest.fixture(params=["memory", "dynamodb"])
def backend(request: pytest.FixtureRequest) -> Iterator[Backend]:
    if request.param == "memory":
        db = Database()
        yield Backend("memory", db.uow, lambda event_id: db.outbox.get(event_id), db.blocks.clear)
        return
    request.getfixturevalue("aws")
    from chalicelib.adapters.dynamodb import DynamoUnitOfWork, forget_blocks
    from tests.storage import stored_event

    yield Backend("dynamodb", DynamoUnitOfWork, stored_event, forget_blocks)


def a_case(seq: int = 1, sub: str = "alice") -> tuple[Case, Change]:
    matter = CAT.matters["DG-SI-CERT"]
    return new_case(
        case_no=f"KC440300202603020{seq:04d}", actor=Actor(sub, "citizen"), at=T0, matter=matter,
        receiving_office=CAT.offices["SZ-GOV"],
        applicant=Applicant("张三", "RESIDENT_ID", "11010519491231002X", "13800138000", sub),
        materials=[MaterialItem(m.name, m.core, True) for m in matter.materials],
        delivery=Delivery("PICKUP_HANDLING"),
    )


def stored_case(backend: Backend, seq: int = 1) -> Case:
    case, change = a_case(seq)
    with backend.uow() as uow:
        uow.cases.add(case, change)
        uow.commit()
    return case


def a_leg(case: Case, waybill: str = "EMS000000000001") -> Shipment:
    return plan_leg(case_no=case.case_no, case_version=case.version, kind=LegKind.MATERIALS, waybill=waybill,
                    origin=CAT.offices["SZ-GOV"], route=CAT.route_between("SZ-GOV", "DG-GOV"), handed_over_at=T0,
                    to_office_id="DG-GOV")


# ---------------------------------------------------------------- cases


def test_a_new_case_lands_with_its_timeline_and_event(backend):
    case = stored_case(backend)
    uow = backend.uow()
    stored = uow.cases.get(case.case_no)
    assert (stored.version, stored.status, stored.applicant) == (1, case.status, case.applicant)
    assert [e["action"] for e in uow.cases.timeline(case.case_no)] == ["apply"]
    event = backend.outbox(f"{case.case_no}#1")
    assert event is not None and event["type"] == "case.apply" and event["version"] == 1


def test_a_case_number_or_idempotency_key_is_taken_once_and_a_refused_insert_leaves_nothing(backend):
    first, change = a_case(1)
    with backend.uow() as uow:
        uow.cases.add(first, change, claim=("alice#k1", "d1"))
        uow.commit()
    again, change = a_case(1, sub="bob")
    with backend.uow() as uow:
        uow.cases.add(again, change, claim=("bob#k2", "d2"))
        with pytest.raises(Conflict):
            uow.commit()
    assert again.version == 0  # as before staging
    other, change = a_case(2)
    with backend.uow() as uow:
        uow.cases.add(other, change, claim=("alice#k1", "d3"))
        with pytest.raises(Conflict):
            uow.commit()
    uow = backend.uow()
    assert uow.cases.get(first.case_no).applicant.sub == "alice"
    assert uow.cases.claimed("alice#k1") == (first.case_no, "d1")
    assert uow.cases.claimed("bob#k2") == (None, None)  # the refused transaction wrote nothing
    with pytest.raises(NotFound):
        uow.cases.get(other.case_no)


def test_the_loser_of_a_version_race_gets_the_winners_status(backend):
    case = stored_case(backend)
    first, second = backend.uow().cases.get(case.case_no), backend.uow().cases.get(case.case_no)
    with backend.uow() as uow:
        uow.cases.update(first, first.receive(SZ_STAFF, T0, CAT.matters["DG-SI-CERT"], [], "", 5))
        uow.commit()
    with backend.uow() as uow:
        uow.cases.update(second, second.refuse(SZ_STAFF, T0, "too late"))
        with pytest.raises(ConcurrentUpdate) as err:
            uow.commit()
    assert err.value.current_status == "RECEIVED" and second.version == 1
    uow = backend.uow()
    assert uow.cases.get(case.case_no).version == 2
    assert [e["action"] for e in uow.cases.timeline(case.case_no)] == ["apply", "receive"]
    assert backend.outbox(f"{case.case_no}#2")["type"] == "case.receive"  # type: ignore[index]


def test_an_abandoned_unit_of_work_writes_nothing_and_restores_versions(backend):
    case = stored_case(backend)
    loaded = backend.uow().cases.get(case.case_no)
    with backend.uow() as uow:
        uow.cases.update(loaded, loaded.receive(SZ_STAFF, T0, CAT.matters["DG-SI-CERT"], [], "", 5))
        assert loaded.version == 2
    assert loaded.version == 1
    assert backend.uow().cases.get(case.case_no).status.value == "SUBMITTED"


def test_cases_fall_due_by_their_deadlines(backend):
    case, change = a_case(1)
    case.status = case.status.__class__.RECEIVED
    case.missing, case.supplement_due = ["照片"], (T0 + timedelta(days=3)).date()
    with backend.uow() as uow:
        uow.cases.add(case, change)
        uow.commit()
    uow = backend.uow()
    assert list(uow.cases.due(T0)) == []
    assert list(uow.cases.due(T0 + timedelta(days=5))) == [case.case_no]


# ---------------------------------------------------------------- legs, atomically with a case


def test_a_case_change_and_a_new_leg_land_together_or_not_at_all(backend):
    case = stored_case(backend)
    leg = a_leg(case)
    with backend.uow() as uow:
        uow.legs.add(leg)
        uow.commit()
    loaded = backend.uow().cases.get(case.case_no)
    with backend.uow() as uow:
        uow.cases.update(loaded, loaded.receive(SZ_STAFF, T0, CAT.matters["DG-SI-CERT"], [], "", 5))
        uow.legs.add(a_leg(case))  # the same waybill: exists already
        with pytest.raises(Duplicate):
            uow.commit()
    assert backend.uow().cases.get(case.case_no).version == 1  # the case change did not land either
    assert [x.waybill for x in backend.uow().legs.for_case(case.case_no)] == [leg.waybill]


def test_a_case_s_legs_come_in_the_order_the_case_planned_them_not_by_when_they_were_handed_over(backend):
    # A result leg handed over earlier than the materials leg (courier times and the clock disagree):
    # DynamoDB's by_case index orders by the planning case version, and so must the fake.
    case = stored_case(backend)
    materials = a_leg(case, "EMS000000000001")
    result = plan_leg(case_no=case.case_no, case_version=case.version + 4, kind=LegKind.RESULT,
                      waybill="EMS000000000000", origin=CAT.offices["DG-GOV"],
                      route=CAT.route_between("DG-GOV", "SZ-GOV"), handed_over_at=T0 - timedelta(days=1),
                      to_office_id="SZ-GOV")
    with backend.uow() as uow:
        uow.legs.add(result)
        uow.legs.add(materials)
        uow.commit()
    assert [leg.kind for leg in backend.uow().legs.for_case(case.case_no)] == [LegKind.MATERIALS, LegKind.RESULT]


def test_a_stale_leg_write_loses(backend):
    case = stored_case(backend)
    with backend.uow() as uow:
        uow.legs.add(a_leg(case))
        uow.commit()
    first, second = backend.uow().legs.get("EMS000000000001"), backend.uow().legs.get("EMS000000000001")
    first.overdue = True
    with backend.uow() as uow:
        uow.legs.update(first)
        uow.commit()
    with backend.uow() as uow:
        uow.legs.update(second)
        with pytest.raises(ConcurrentUpdate):
            uow.commit()
    assert backend.uow().legs.get("EMS000000000001").version == 2
    assert list(backend.uow().legs.open_waybills()) == ["EMS000000000001"]


def test_a_parcel_opens_once_its_membership_lands_with_the_case_and_sealing_races_joining(backend):
    from chalicelib.domain.parcels import ParcelStatus, open_parcel

    case = stored_case(backend)
    parcel = open_parcel(LegKind.MATERIALS, CAT.offices["SZ-GOV"], "DG-GOV", T0)
    parcel.join(case.case_no, T0)
    loaded = backend.uow().cases.get(case.case_no)
    with backend.uow() as uow:
        uow.cases.update(loaded, loaded.receive(SZ_STAFF, T0, CAT.matters["DG-SI-CERT"], [], "", 5))
        uow.parcels.add(parcel)
        uow.commit()
    twin = open_parcel(LegKind.MATERIALS, CAT.offices["SZ-GOV"], "DG-GOV", T0)
    with backend.uow() as uow:  # another joiner opened the same parcel first
        uow.parcels.add(twin)
        with pytest.raises(Duplicate):
            uow.commit()
    # A sealing and a joiner read the same version: the second write loses, and its case change with it.
    sealer, joiner = backend.uow().parcels.get(parcel.parcel_id), backend.uow().parcels.get(parcel.parcel_id)
    other = stored_case(backend, 2)
    assert list(backend.uow().parcels.due(T0)) == [] and list(backend.uow().parcels.due(parcel.cutoff_at)) == [
        parcel.parcel_id]
    sealer.seal(parcel.cutoff_at, waybill="EMS000000000099", route=CAT.route_between("SZ-GOV", "DG-GOV"))
    with backend.uow() as uow:
        uow.parcels.update(sealer)
        uow.commit()
    joiner.join(other.case_no, T0)
    loaded = backend.uow().cases.get(other.case_no)
    with backend.uow() as uow:
        uow.cases.update(loaded, loaded.receive(SZ_STAFF, T0, CAT.matters["DG-SI-CERT"], [], "", 5))
        uow.parcels.update(joiner)
        with pytest.raises(ConcurrentUpdate):
            uow.commit()
    assert backend.uow().cases.get(other.case_no).version == 1
    stored = backend.uow().parcels.get(parcel.parcel_id)
    assert (stored.status, stored.case_nos, stored.waybill, stored.version) == (
        ParcelStatus.SEALED, [case.case_no], "EMS000000000099", 2)
    assert list(backend.uow().parcels.due(parcel.cutoff_at)) == []  # sealed: no longer due
    for office, direction in (("SZ-GOV", "outgoing"), ("DG-GOV", "incoming"), ("DG-GOV", None)):
        listed, more = backend.uow().parcels.of_office(office, direction, "SEALED", 10, None)
        assert ([p.parcel_id for p in listed], more) == ([parcel.parcel_id], None)
    assert backend.uow().parcels.of_office("DG-GOV", "outgoing", None, 10, None) == ([], None)
    assert backend.uow().parcels.of_office("SZ-GOV", None, "OPEN", 10, None) == ([], None)


def test_an_event_written_once_refuses_a_second_write(backend):
    case = stored_case(backend)
    leg = a_leg(case)
    with backend.uow() as uow:
        uow.legs.add(leg)
        uow.commit()
    event = backend.uow().legs.get(leg.waybill).overdue_event(T0)
    for attempt in range(2):
        with backend.uow() as uow:
            uow.outbox.add(event, once=True)
            if attempt:
                with pytest.raises(Duplicate):
                    uow.commit()
            else:
                uow.commit()
    assert backend.outbox(event.event_id)["type"] == "shipment.overdue"  # type: ignore[index]


# ---------------------------------------------------------------- reviews, slots, tickets, counters


def _default(case: Case, stage: Stage = Stage.RECEIVING, rating: int = 3) -> Any:
    review = default_review(case.case_no, stage, "SZ-GOV", "440300", case.matter_id, T0, T0,
                            CAT.review_policy("440300"))
    review.rating = rating
    review.default = rating >= 3
    return review


def test_a_stage_is_reviewed_once_its_counters_count_once_and_its_slot_goes(backend):
    case = stored_case(backend)
    slot = ReviewSlot(case.case_no, Stage.RECEIVING, "SZ-GOV", "440300", case.matter_id, T0, T0 + timedelta(days=7))
    with backend.uow() as uow:
        uow.reviews.open_slot(slot)
        uow.commit()
    assert [s.case_no for s in backend.uow().reviews.due_slots(T0 + timedelta(days=8))] == [case.case_no]
    review = _default(case)
    for attempt in range(2):
        with backend.uow() as uow:
            uow.reviews.add(review, contribution(review))
            if attempt:
                with pytest.raises(Duplicate):
                    uow.commit()
            else:
                uow.commit()
    uow = backend.uow()
    assert [r.rating for r in uow.reviews.of_case(case.case_no)] == [3]
    assert uow.reviews.counts("SZ-GOV", None, None)["reviews"] == 1
    assert list(uow.reviews.due_slots(T0 + timedelta(days=8))) == []
    with backend.uow() as uow:  # a reviewed stage gets no slot again
        uow.reviews.open_slot(slot)
        with pytest.raises(Duplicate):
            uow.commit()
    assert list(backend.uow().reviews.due_slots(T0 + timedelta(days=8))) == []


def test_a_slot_opens_once_and_never_for_a_stage_reviewed_before_its_event_arrived(backend):
    """The slot's own item decides (issue 15's lighter writes: no check of the reviews table): a redelivered
    event finds the open slot; a review that committed before the stage's event was consumed closed the slot
    in its transaction, so the event opens none; the sweeper's closing of a slot whose stage has a review
    keeps it closed too."""
    case = stored_case(backend)
    slot = ReviewSlot(case.case_no, Stage.RECEIVING, "SZ-GOV", "440300", case.matter_id, T0, T0 + timedelta(days=7))
    late = T0 + timedelta(days=8)
    for attempt in range(2):
        with backend.uow() as uow:
            uow.reviews.open_slot(slot)
            if attempt:
                with pytest.raises(Duplicate):
                    uow.commit()
            else:
                uow.commit()
    assert [s.stage for s in backend.uow().reviews.due_slots(late)] == [Stage.RECEIVING]

    handling = ReviewSlot(case.case_no, Stage.HANDLING, "DG-GOV", "441900", case.matter_id, T0, T0 + timedelta(days=7))
    review = _default(case, Stage.HANDLING)
    with backend.uow() as uow:  # the review first, its stage's event afterwards
        uow.reviews.add(review, contribution(review))
        uow.commit()
    with backend.uow() as uow:
        uow.reviews.open_slot(handling)
        with pytest.raises(Duplicate):
            uow.commit()
    assert [s.stage for s in backend.uow().reviews.due_slots(late)] == [Stage.RECEIVING]

    with backend.uow() as uow:
        uow.reviews.close_slot(case.case_no, Stage.RECEIVING, late)
        uow.commit()
    assert list(backend.uow().reviews.due_slots(late)) == []
    with backend.uow() as uow:
        uow.reviews.open_slot(slot)
        with pytest.raises(Duplicate):
            uow.commit()


@pytest.fixture(params=["", "2026-03"])
def months_from(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Month totals from the start, or only from March 2026 (a stage that counted before they existed)."""
    from chalicelib.config import settings

    monkeypatch.setenv("STATS_MONTHS_FROM", request.param)
    settings.cache_clear()
    yield request.param
    monkeypatch.undo()
    settings.cache_clear()


def test_monthly_counts_are_the_days_summed_whatever_the_period(backend, months_from):
    """Month totals (whole months) and day counters (the partial months at the ends, and the months before
    STATS_MONTHS_FROM) give what summing the days gives, for periods inside a month, across months, open at
    either end; the counters of one office spread over shards are all summed."""
    days = [date(2026, 1, 31), date(2026, 2, 1), date(2026, 2, 14), date(2026, 2, 28), date(2026, 3, 1),
            date(2026, 3, 15), date(2026, 4, 30), date(2026, 5, 2)]
    for n, day in enumerate(days * 3):
        case = stored_case(backend, seq=n + 1)
        review = _default(case, rating=1 + n % 5)
        review.created_at = datetime(day.year, day.month, day.day, 4, 0, tzinfo=UTC)
        with backend.uow() as uow:
            uow.reviews.add(review, contribution(review))
            uow.commit()
    uow = backend.uow()
    periods = [(None, None), (date(2026, 2, 1), date(2026, 2, 28)), (date(2026, 2, 2), date(2026, 2, 27)),
               (date(2026, 1, 15), date(2026, 4, 30)), (date(2026, 2, 14), date(2026, 5, 1)),
               (None, date(2026, 3, 14)), (date(2026, 3, 2), None), (date(2026, 1, 1), date(2026, 12, 31))]
    for first, last in periods:
        by_month: dict[str, dict[str, int]] = {}
        for day, counts in uow.reviews.daily_counts("SZ-GOV", first, last).items():
            row = by_month.setdefault(day[:7], dict.fromkeys(counts, 0))
            for k, v in counts.items():
                row[k] += v
        assert uow.reviews.monthly_counts("SZ-GOV", first, last) == by_month, (first, last)
        assert uow.reviews.monthly_counts_of(["SZ-GOV", "ZH-GOV"], first, last) == {"SZ-GOV": by_month,
                                                                                   "ZH-GOV": {}}
    assert sum(r["reviews"] for r in uow.reviews.monthly_counts("SZ-GOV", None, None).values()) == 24
    assert uow.reviews.counts("SZ-GOV", date(2026, 2, 1), date(2026, 2, 28))["reviews"] == 9


def test_a_review_has_one_follow_up(backend):
    case = stored_case(backend)
    review = _default(case, rating=4)
    with backend.uow() as uow:
        uow.reviews.add(review, contribution(review))
        uow.commit()
    for attempt, text in enumerate(("补充", "再补充")):
        review.follow_up, review.follow_up_at = text, T0
        with backend.uow() as uow:
            uow.reviews.add_follow_up(review)
            if attempt:
                with pytest.raises(Conflict):
                    uow.commit()
            else:
                uow.commit()
    assert backend.uow().reviews.get(case.case_no, Stage.RECEIVING).follow_up == "补充"  # type: ignore[union-attr]


def test_a_ticket_opens_once_and_its_steps_are_guarded_by_version(backend):
    case = stored_case(backend)
    review = _default(case, rating=1)
    with backend.uow() as uow:
        uow.reviews.add(review, contribution(review))
        uow.commit()
    policy = CAT.review_policy("440300")
    opened = []
    for attempt in range(2):  # ticket ids are opaque: the review, which names its one ticket, refuses a second
        ticket, change = open_ticket(review, T0, policy)
        opened.append(ticket)
        with backend.uow() as uow:
            uow.tickets.add(ticket, change, {"tickets": 1})
            if attempt:
                with pytest.raises(Duplicate):
                    uow.commit()
                assert ticket.version == 0
            else:
                uow.commit()
    ticket, refused = opened
    assert ticket.ticket_id != refused.ticket_id
    with pytest.raises(NotFound):
        backend.uow().tickets.get(refused.ticket_id)
    assert backend.uow().reviews.get(case.case_no, Stage.RECEIVING).ticket_id == ticket.ticket_id  # type: ignore[union-attr]
    first, second = backend.uow().tickets.get(ticket.ticket_id), backend.uow().tickets.get(ticket.ticket_id)
    supervisor = Actor("sup", "supervisor", city="440300")
    with backend.uow() as uow:
        uow.tickets.update(first, first.verify(supervisor, T0, True, "属实"), {"replied": 1})
        uow.commit()
    with backend.uow() as uow:
        uow.tickets.update(second, second.verify(supervisor, T0, False, "不属实"), {"replied": 1})
        with pytest.raises(ConcurrentUpdate) as err:
            uow.commit()
    assert err.value.current_status == "VERIFIED"
    uow = backend.uow()
    assert [e["action"] for e in uow.tickets.history(ticket.ticket_id)] == ["open", "verify"]
    assert uow.reviews.get(case.case_no, Stage.RECEIVING).ticket_status == "VERIFIED"  # type: ignore[union-attr]
    counts = uow.reviews.counts("SZ-GOV", None, None)
    assert (counts["tickets"], counts["replied"]) == (1, 1)
    assert backend.outbox(f"{ticket.ticket_id}#2")["type"] == "ticket.verify"  # type: ignore[index]


def test_escalated_tickets_are_listed_by_city_earliest_first_until_their_work_ends(backend):
    policy, supervisor = CAT.review_policy("440300"), Actor("sup", "supervisor", city="440300")
    opened = []
    for seq in (1, 2, 3):
        case = stored_case(backend, seq)
        review = _default(case, rating=1)
        ticket, change = open_ticket(review, T0, policy)
        with backend.uow() as uow:
            uow.reviews.add(review, contribution(review))
            uow.commit()
        with backend.uow() as uow:
            uow.tickets.add(ticket, change, {"tickets": 1})
            uow.commit()
        opened.append(ticket)
    late = opened[0].verify_deadline()
    for ticket, at in ((opened[2], late), (opened[0], late + timedelta(hours=1))):  # the third escalates first
        with backend.uow() as uow:
            uow.tickets.update(ticket, ticket.escalate(Actor.system("sweeper"), at), {})
            uow.commit()
    uow = backend.uow()
    first, cursor = uow.tickets.escalated("440300", 1, None)
    second, end = uow.tickets.escalated("440300", 1, cursor)
    assert [t.ticket_id for t in first + second] == [opened[2].ticket_id, opened[0].ticket_id]
    assert end is None or uow.tickets.escalated("440300", 1, end)[0] == []
    assert uow.tickets.escalated("441900", 10, None) == ([], None)
    with backend.uow() as uow:  # answered late: off the worklist
        ticket = uow.tickets.get(opened[2].ticket_id)
        uow.tickets.update(ticket, ticket.verify(supervisor, late, False, "已解释"), {"replied": 1})
        uow.commit()
    assert [t.ticket_id for t in backend.uow().tickets.escalated("440300", 10, None)[0]] == [opened[0].ticket_id]


# ---------------------------------------------------------------- counters and notifications


def test_counters_count_and_notifications_are_recorded_once(backend):
    uow = backend.uow()
    assert [uow.counters.increment("c") for _ in range(3)] == [1, 2, 3]
    assert uow.counters.values(["c", "never"]) == {"c": 3}
    for attempt in range(2):
        with backend.uow() as uow:
            uow.notifications.add("KC4403002026030200001", "e1", "case.receive", "text", T0)
            if attempt:
                with pytest.raises(Duplicate):
                    uow.commit()
            else:
                uow.commit()
    uow = backend.uow()
    assert uow.notifications.was_sent("KC4403002026030200001", "e1")
    assert [n["event_type"] for n in uow.notifications.of_case("KC4403002026030200001")] == ["case.receive"]


def test_numbers_are_taken_in_blocks_unique_across_processes_with_gaps(backend):
    """One counter write per block; each process hands out its own block; what a process held when it
    ended is a gap, never handed out twice."""
    uow = backend.uow()
    first = [uow.counters.take("seq", 5) for _ in range(3)]
    assert first == [1, 2, 3] and uow.counters.values(["seq"]) == {"seq": 5}  # one ADD reserved 1..5
    backend.new_process()  # a second container: 4 and 5 stay with the first
    second = [backend.uow().counters.take("seq", 5) for _ in range(6)]
    assert second == [6, 7, 8, 9, 10, 11]
    assert backend.uow().counters.values(["seq"]) == {"seq": 15}
    assert not set(first) & set(second)


def test_a_notification_is_claimed_before_it_is_sent(backend):
    """One claim wins; a twin finds it busy while its lease holds and may take it over after; once recorded
    as sent, every claim answers "sent" and the record is there (whoever held the claim)."""
    uow = backend.uow()
    no = "KC4403002026030200001"
    n = uow.notifications
    assert n.claim(no, "e2", "case.sign", "a", T0, 60) == "claimed"
    assert n.claim(no, "e2", "case.sign", "a", T0, 60) == "claimed"  # our own claim, reply lost
    assert n.claim(no, "e2", "case.sign", "b", T0 + timedelta(seconds=10), 60) == "busy"
    assert not n.was_sent(no, "e2") and n.of_case(no) == []
    assert n.claim(no, "e2", "case.sign", "b", T0 + timedelta(seconds=61), 60) == "claimed"  # lease ran out
    n.record_sent(no, "e2", "case.sign", "text", T0 + timedelta(seconds=62))  # "a" records: unconditional
    assert n.was_sent(no, "e2")
    assert n.claim(no, "e2", "case.sign", "c", T0 + timedelta(seconds=63), 60) == "sent"
    assert [r["text"] for r in n.of_case(no)] == ["text"]


def test_the_statistics_snapshot_is_kept_whole_and_never_replaced_by_an_older_one(backend):
    from chalicelib.domain.statistics import COUNTERS
    from chalicelib.domain.summaries import StatsSummary

    assert backend.uow().reviews.summary() is None
    row = {k: n for n, k in enumerate(COUNTERS)}
    taken = datetime(2026, 4, 20, 4, 0, 30, 123456, tzinfo=UTC)
    snapshot = StatsSummary(as_of=taken, months=("2026-03", "2026-04"),
                            offices={"SZ-GOV": {"2026-03": row}, "ZH-GOV": {"2026-03": row, "2026-04": row}})
    with backend.uow() as uow:
        uow.reviews.save_summary(snapshot)
        uow.commit()
    stored = backend.uow().reviews.summary()
    assert stored == snapshot
    for older in (taken - timedelta(minutes=5), taken):  # a slower run, or the same one again
        with backend.uow() as uow, pytest.raises(Duplicate):
            uow.reviews.save_summary(StatsSummary(as_of=older, months=("2026-04",)))
            uow.commit()
    assert backend.uow().reviews.summary() == stored
    with backend.uow() as uow:
        uow.reviews.save_summary(StatsSummary(as_of=taken + timedelta(milliseconds=1), months=("2026-04",)))
        uow.commit()
    assert backend.uow().reviews.summary() == StatsSummary(as_of=taken + timedelta(milliseconds=1), months=("2026-04",))
