"""Consolidated daily parcels (合包) as use cases, on the in-memory unit of work: a day of forwards from
SZ-GOV to DG-GOV joins one parcel, the cut-off seals it once with one waybill to DG-GOV's address, a late
forward joins the next collection's parcel, the courier's events reach every case inside, the handover
list is signed with one case missing (sent again alone), and an urgent case travels alone."""
from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from chalicelib.adapters.reference_store import catalogue
from chalicelib.domain.case import Actor
from chalicelib.domain.errors import InvalidTransition, OutOfScope
from chalicelib.domain.lifecycle import Status
from chalicelib.domain.parcels import ItemState, ParcelStatus
from chalicelib.services import courier_events, handling, intake, parcels, routing
from chalicelib.services.outbox_relay import RELAY
from tests.support import application, service_apply

CST = ZoneInfo("Asia/Shanghai")
SZ = Actor("s-sz", "staff", office_id="SZ-GOV")
DG = Actor("s-dg", "staff", office_id="DG-GOV")
ZH = Actor("s-zh", "staff", office_id="ZH-GOV")
PARCEL = "M-SZ-GOV-DG-GOV-20261201"


def cst(*args: int) -> datetime:
    return datetime(*args, tzinfo=CST)


def route_pending(db: Any, seen: set[str]) -> int:
    """Hand every routing-queue event in the outbox to the router once (what relay and queue do)."""
    moved = 0
    for event_id, event in list(db.outbox.items()):
        if event_id in seen or "routing" not in RELAY.get(event["type"], routing_none()).queues:
            continue
        seen.add(event_id)
        routing.handle_routing_event(event)
        moved += 1
    return moved


def routing_none() -> Any:
    from chalicelib.services.outbox_relay import Destinations

    return Destinations()


def forwarded_case(db: Any, seen: set[str], at: datetime, seed: int, urgent: bool = False,
                   method: str = "MAIL") -> str:
    case, _ = service_apply(Actor(f"c{seed}", "citizen"), application(id_seed=seed, method=method), now=at)
    intake.receive(SZ, case.case_no, [], now=at)
    handling.forward(SZ, case.case_no, now=at, urgent=urgent)
    route_pending(db, seen)
    return case.case_no


def courier(waybill: str, event: str, at: datetime) -> None:
    courier_events.apply_courier_event({"waybill": waybill, "event": event, "at": at.isoformat()})


def signs(case_no: str) -> int:
    from tests.storage import Cases

    return sum(1 for e in Cases().timeline(case_no) if e["action"] == "sign")


def test_a_day_of_forwards_travels_in_one_parcel_signed_against_its_handover_list(fake, consolidated):
    seen: set[str] = set()
    cases = [forwarded_case(fake, seen, cst(2026, 12, 1, 9 + n), seed=n) for n in range(3)]
    parcel = fake.parcels[PARCEL]
    assert parcel.case_nos == cases and parcel.status is ParcelStatus.OPEN
    for case_no in cases:
        case = fake.cases[case_no]
        assert case.status is Status.IN_TRANSIT and case.handling_office_id == "DG-GOV"
        assert case.parcels == [PARCEL]
    assert not fake.legs  # nothing booked before the cut-off

    assert parcels.seal_due(cst(2026, 12, 1, 15, 59))["parcels_sealed"] == 0
    assert parcels.seal_due(cst(2026, 12, 1, 16))["parcels_sealed"] == 1
    assert parcels.seal_due(cst(2026, 12, 1, 16, 15))["parcels_sealed"] == 0  # sealing twice seals nothing twice
    (leg,) = fake.legs.values()
    assert leg.parcel_id == PARCEL and leg.to_office_id == "DG-GOV" and leg.cost_cny == 18.0
    assert fake.parcels[PARCEL].waybill == leg.waybill and fake.parcels[PARCEL].status is ParcelStatus.SEALED
    # Every case's shipments view shows the parcel its materials travel in.
    for case_no in cases:
        _, legs = handling.shipments_for(SZ, case_no)
        assert [(x.waybill, x.parcel_id) for x in legs] == [(leg.waybill, PARCEL)]

    # A case forwarded after the cut-off goes with the next collection (Wednesday's).
    late = forwarded_case(fake, seen, cst(2026, 12, 1, 16, 30), seed=9)
    assert fake.cases[late].parcels == ["M-SZ-GOV-DG-GOV-20261202"]
    assert fake.parcels[PARCEL].case_nos == cases

    courier(leg.waybill, "PICKED_UP", cst(2026, 12, 1, 17))
    courier(leg.waybill, "DELIVERED", cst(2026, 12, 2, 10))
    courier(leg.waybill, "DELIVERED", cst(2026, 12, 2, 10))  # a duplicate changes nothing twice
    assert fake.parcels[PARCEL].status is ParcelStatus.ARRIVED
    versions = {c: fake.cases[c].version for c in cases}
    assert all(fake.cases[c].status is Status.ACCEPTED for c in cases)

    # The handling office checks the contents: the second case is not in the parcel.
    with pytest.raises(OutOfScope):
        parcels.sign(SZ, PARCEL)
    parcels.mark_missing(DG, PARCEL, cases[1], "材料未见", now=cst(2026, 12, 2, 10, 30))
    assert fake.cases[cases[1]].status is Status.IN_TRANSIT
    assert next(e for e in fake.outbox.values() if e["type"] == "case.materials_missing")["case_no"] == cases[1]
    route_pending(fake, seen)  # sent again, alone
    resent = [x for x in fake.legs.values() if x.case_no == cases[1]]
    assert len(resent) == 1 and resent[0].parcel_id is None and resent[0].replaces == PARCEL

    signed = parcels.sign(DG, PARCEL, now=cst(2026, 12, 2, 11))
    assert [i.state for i in signed.items] == [ItemState.SIGNED, ItemState.MISSING, ItemState.SIGNED]
    parcels.sign(DG, PARCEL, now=cst(2026, 12, 2, 11, 5))  # signing again signs nothing twice
    assert {c: fake.cases[c].version for c in (cases[0], cases[2])} == {c: versions[c] for c in (cases[0], cases[2])}
    assert [signs(c) for c in cases] == [1, 1, 1]
    with pytest.raises(InvalidTransition):
        parcels.mark_missing(DG, PARCEL, cases[0])

    # The missing case's own parcel arrives: it is signed in once more, alone.
    courier(resent[0].waybill, "DELIVERED", cst(2026, 12, 3, 10))
    assert fake.cases[cases[1]].status is Status.ACCEPTED and signs(cases[1]) == 2


def test_staff_sign_for_a_case_on_its_own_and_on_the_list_together(fake, consolidated):
    seen: set[str] = set()
    first = forwarded_case(fake, seen, cst(2026, 12, 1, 9), seed=21)
    second = forwarded_case(fake, seen, cst(2026, 12, 1, 10), seed=22)
    parcels.seal_due(cst(2026, 12, 1, 16))
    handling.sign(DG, first, now=cst(2026, 12, 2, 9))  # POST /cases/{case_no}/sign
    parcel = fake.parcels[PARCEL]
    assert parcel.item(first).state is ItemState.SIGNED and parcel.item(second).state is ItemState.PACKED
    assert parcel.status is ParcelStatus.ARRIVED  # staff opened it before the courier reported it
    parcels.sign(DG, PARCEL, [second], now=cst(2026, 12, 2, 9, 5))
    assert fake.cases[second].status is Status.ACCEPTED
    (leg,) = fake.legs.values()
    courier(leg.waybill, "DELIVERED", cst(2026, 12, 2, 10))  # late: both signed already, once each
    assert [signs(first), signs(second)] == [1, 1]


def test_exception_on_a_parcel_alerts_every_case_inside_once(fake, consolidated):
    seen: set[str] = set()
    cases = [forwarded_case(fake, seen, cst(2026, 12, 1, 9), seed=30 + n) for n in range(2)]
    parcels.seal_due(cst(2026, 12, 1, 16))
    (leg,) = fake.legs.values()
    courier(leg.waybill, "EXCEPTION", cst(2026, 12, 1, 18))
    courier(leg.waybill, "EXCEPTION", cst(2026, 12, 1, 18))
    alerts = [e for e in fake.outbox.values() if e["type"] == "case.shipment_exception"]
    assert sorted(e["case_no"] for e in alerts) == sorted(cases)


def test_an_exception_left_part_way_reaches_the_rest_of_the_parcel_when_delivered_again(fake, consolidated,
                                                                                       monkeypatch):
    """A failure while the parcel's EXCEPTION is carried to its cases (a case's write refused) fails the message
    after the other cases; delivered again, the event is a duplicate for the leg but the case left behind gets
    it now, and no case records the same courier report twice."""
    seen: set[str] = set()
    cases = [forwarded_case(fake, seen, cst(2026, 12, 1, 9), seed=80 + n) for n in range(3)]
    parcels.seal_due(cst(2026, 12, 1, 16))
    (leg,) = fake.legs.values()
    trouble = parcels._trouble
    refused = {cases[1]}

    def failing(case_no: str, *args: Any) -> None:
        if case_no in refused:
            raise RuntimeError("the case's write failed")
        trouble(case_no, *args)

    monkeypatch.setattr(parcels, "_trouble", failing)
    with pytest.raises(RuntimeError):
        courier(leg.waybill, "EXCEPTION", cst(2026, 12, 1, 18))

    def reports(case_no: str) -> list[str]:
        return [e["details"]["reported_at"] for e in fake.timelines[case_no].values()
                if e["action"] == "shipment_exception"]

    assert [len(reports(c)) for c in cases] == [1, 0, 1]  # the third was not held up by the second
    refused.clear()
    courier(leg.waybill, "EXCEPTION", cst(2026, 12, 1, 18))  # the message again
    courier(leg.waybill, "EXCEPTION", cst(2026, 12, 1, 18))  # and once more
    assert [len(reports(c)) for c in cases] == [1, 1, 1]
    alerts = [e for e in fake.outbox.values() if e["type"] == "case.shipment_exception"]
    assert sorted(e["case_no"] for e in alerts) == sorted(cases)

    # A later report of trouble is kept on the leg; the cases were told the parcel is in trouble once, as a
    # leg of its own tells its case once.
    courier(leg.waybill, "EXCEPTION", cst(2026, 12, 1, 22))
    assert [e.event.value for e in fake.legs[leg.waybill].events].count("EXCEPTION") == 2
    assert [len(reports(c)) for c in cases] == [1, 1, 1]


def test_an_urgent_case_travels_alone_with_its_flag(fake, consolidated):
    seen: set[str] = set()
    urgent = forwarded_case(fake, seen, cst(2026, 12, 1, 9), seed=41, urgent=True)
    forwarded_case(fake, seen, cst(2026, 12, 1, 9), seed=42)
    (leg,) = fake.legs.values()  # booked at once, before any cut-off
    assert leg.case_no == urgent and leg.urgent and leg.parcel_id is None
    assert fake.cases[urgent].parcels == [] and fake.parcels[PARCEL].case_nos != [urgent]
    forward = next(e for e in fake.timelines[urgent].values() if e["action"] == "forward")
    assert forward["details"]["urgent"] is True


def test_results_for_pickup_at_the_receiving_window_are_consolidated_and_mail_stays_alone(fake, consolidated):
    seen: set[str] = set()
    pickup = forwarded_case(fake, seen, cst(2026, 12, 1, 9), seed=51, method="PICKUP_RECEIVING")
    mail = forwarded_case(fake, seen, cst(2026, 12, 1, 9), seed=52)
    parcels.seal_due(cst(2026, 12, 1, 16))
    (leg,) = fake.legs.values()
    courier(leg.waybill, "DELIVERED", cst(2026, 12, 2, 9))
    for case_no in (pickup, mail):
        handling.decide(DG, case_no, True, now=cst(2026, 12, 2, 10))
        handling.ship_result(DG, case_no, now=cst(2026, 12, 2, 11))
    route_pending(fake, seen)
    result_parcel = "R-DG-GOV-SZ-GOV-20261202"
    assert fake.parcels[result_parcel].case_nos == [pickup]
    assert fake.cases[pickup].parcels == [PARCEL, result_parcel]
    mailed = [x for x in fake.legs.values() if x.case_no == mail and x.kind.value == "RESULT"]
    assert len(mailed) == 1 and mailed[0].parcel_id is None  # one parcel each, to the applicant's address
    parcels.seal_due(cst(2026, 12, 2, 16))
    result_leg = fake.legs[fake.parcels[result_parcel].waybill]
    assert catalogue().office("SZ-GOV").office_id == result_leg.to_office_id
    courier(result_leg.waybill, "DELIVERED", cst(2026, 12, 3, 10))
    assert fake.cases[pickup].status is Status.READY_FOR_PICKUP
    with pytest.raises(InvalidTransition):
        parcels.mark_missing(SZ, result_parcel, pickup)
    assert parcels.sign(SZ, result_parcel).item(pickup).state is ItemState.SIGNED


def test_a_case_of_a_parcel_with_an_exception_is_re_shipped_alone_once(fake, consolidated):
    """重新寄递 from a consolidated parcel: the window names the parcel's waybill (what the case's shipments
    show); this case goes again alone, the parcel and its other case stay as they are, a second re-ship of the
    same parcel is refused, and the new leg's arrival signs the case in."""
    seen: set[str] = set()
    first, second = (forwarded_case(fake, seen, cst(2026, 12, 1, 9), seed=70 + n) for n in range(2))
    parcels.seal_due(cst(2026, 12, 1, 16))
    (parcel_leg,) = fake.legs.values()
    courier(parcel_leg.waybill, "EXCEPTION", cst(2026, 12, 1, 18))
    with pytest.raises(OutOfScope):
        handling.reship(DG, first, parcel_leg.waybill, now=cst(2026, 12, 1, 19))
    handling.reship(SZ, first, parcel_leg.waybill, "重新寄递", now=cst(2026, 12, 1, 19))
    route_pending(fake, seen)
    alone = [leg for leg in fake.legs.values() if leg.case_no == first]
    assert len(alone) == 1 and alone[0].replaces == parcel_leg.waybill and alone[0].parcel_id is None
    assert fake.legs[parcel_leg.waybill].superseded_by is None  # the other case still travels in it
    with pytest.raises(InvalidTransition):
        handling.reship(SZ, first, parcel_leg.waybill, now=cst(2026, 12, 1, 20))
    assert [leg.case_no for leg in fake.legs.values()].count(second) == 0
    _, first_legs = handling.shipments_for(SZ, first)
    _, second_legs = handling.shipments_for(SZ, second)
    assert {leg.waybill: leg.superseded_by for leg in first_legs}[parcel_leg.waybill] == alone[0].waybill
    assert [(leg.waybill, leg.superseded_by) for leg in second_legs] == [(parcel_leg.waybill, None)]
    courier(alone[0].waybill, "DELIVERED", cst(2026, 12, 2, 10))
    assert fake.cases[first].status is Status.ACCEPTED and fake.cases[second].status is Status.IN_TRANSIT


def test_with_continuous_collection_a_busy_day_takes_part_after_part_of_the_same_day(fake, consolidated, monkeypatch):
    """The local stage's demo courier collects all the time: each case's parcel is sealed moments after it
    joins, and the day's next case takes the next part of the same day, however many (it once took the next
    collection day, so 40 forwards in a day pushed parcels weeks ahead and then no parcel took cases)."""
    from chalicelib.config import settings

    monkeypatch.setenv("PARCEL_COLLECTION", "continuous")
    settings.cache_clear()
    monkeypatch.setattr(parcels, "_LAST_PART", {})
    seen: set[str] = set()
    cases = []
    for n in range(45):
        at = cst(2026, 12, 1, 9, n)
        cases.append(forwarded_case(fake, seen, at, seed=n))
        assert parcels.seal_due(at)["parcels_sealed"] == 1
    expected = [PARCEL] + [f"{PARCEL}-{part}" for part in range(2, 46)]
    assert [fake.cases[c].parcels for c in cases] == [[p] for p in expected]
    assert all(fake.parcels[p].status is ParcelStatus.SEALED and fake.parcels[p].waybill for p in expected)
    assert len(fake.legs) == 45

    monkeypatch.setattr(parcels, "_LAST_PART", {})  # a new process: the parts are found again
    late = forwarded_case(fake, seen, cst(2026, 12, 1, 10), seed=99)
    assert fake.cases[late].parcels == [f"{PARCEL}-46"]
    monkeypatch.delenv("PARCEL_COLLECTION")
    settings.cache_clear()


def test_a_case_that_fails_on_delivery_leaves_the_others_signed_and_only_it_for_the_next_delivery(
        fake, consolidated, monkeypatch):
    seen: set[str] = set()
    cases = [forwarded_case(fake, seen, cst(2026, 12, 1, 9, n), seed=40 + n) for n in range(5)]
    parcels.seal_due(cst(2026, 12, 1, 16))
    (leg,) = fake.legs.values()
    delivered = parcels._delivered
    calls: list[str] = []

    def second_case_times_out_once(case_no: str, leg: Any, at: datetime) -> None:
        calls.append(case_no)
        if case_no == cases[1] and calls.count(case_no) == 1:
            raise TimeoutError("read timeout")
        delivered(case_no, leg, at)

    monkeypatch.setattr(parcels, "_delivered", second_case_times_out_once)
    with pytest.raises(TimeoutError):  # the message fails: it is delivered again
        courier(leg.waybill, "DELIVERED", cst(2026, 12, 2, 10))
    assert [fake.cases[c].status for c in cases] == [Status.ACCEPTED, Status.IN_TRANSIT] + [Status.ACCEPTED] * 3
    courier(leg.waybill, "DELIVERED", cst(2026, 12, 2, 10))  # the redelivery: only the one left changes
    assert all(fake.cases[c].status is Status.ACCEPTED for c in cases)
    assert [signs(c) for c in cases] == [1] * 5
