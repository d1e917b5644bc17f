"""Routing, the leg sweep and the courier consumer on the in-memory unit of work and bus (tests/fakes.py),
with fixed clocks; ``fake_pump`` relays the outbox and delivers the queues to app.py's handlers."""
from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from chalicelib.bootstrap import bus
from chalicelib.domain.case import Actor
from chalicelib.domain.errors import ConcurrentUpdate, InvalidTransition
from chalicelib.domain.shipping import LegStatus
from chalicelib.services import courier_events, handling, intake, routing, sweeper
from tests.storage import Cases, Legs
from tests.support import application, service_apply

CST = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=CST)  # Monday, a working day
CITIZEN = Actor(sub="alice", role="citizen")
cases, legs = Cases(), Legs()


def staff(office: str) -> Actor:
    return Actor(sub=f"staff-{office}", role="staff", office_id=office)


def received(matter="DG-SI-CERT", office="SZ-GOV", missing=(), provided=None, district=None, now=T0, seed=1):
    body = application(matter_id=matter, office_id=office, provided=provided, id_seed=seed)
    if district:
        body["applicant"]["district"] = district
    case, _ = service_apply(CITIZEN, body, now=now)
    # The window's finding when given; otherwise the form's list (``provided``) stands.
    intake.receive(staff(office), case.case_no, list(missing) or None, now=now)
    return case.case_no


def forwarded(fake_pump, case_no, office="SZ-GOV", now=T0):
    handling.forward(staff(office), case_no, now=now)
    fake_pump.run_until_idle()
    return cases.get(case_no), legs.for_case(case_no)


def outbox_payload(db, case_no: str, version: int) -> dict:
    return dict(db.outbox[f"{case_no}#{version}"])


def test_the_applicants_district_picks_the_handling_office(fake, fake_pump):
    case_no = received("SZ-PF-WITHDRAW", "DG-GOV", district="440305")
    case, [leg] = forwarded(fake_pump, case_no, "DG-GOV")
    assert case.handling_office_id == "SZ-NS" and leg.to_office_id == "SZ-NS"
    other, [other_leg] = forwarded(fake_pump, received("SZ-PF-WITHDRAW", "DG-GOV", seed=2), "DG-GOV")
    assert other.handling_office_id == "SZ-GOV" and other_leg.to_office_id == "SZ-GOV"


def test_expected_arrival_after_the_mail_cutoff_counts_from_the_next_day(fake, fake_pump):
    _, [early] = forwarded(fake_pump, received(), now=T0)
    late_time = T0.replace(hour=17)
    _, [late] = forwarded(fake_pump, received(seed=2, now=late_time), now=late_time)
    assert early.expected_arrival.isoformat() == "2026-03-03"  # SZ→DG: one working day
    assert late.expected_arrival.isoformat() == "2026-03-04"
    assert (early.courier, early.cost_cny) == ("EMS", 18.0)


def test_redelivered_routing_messages_plan_no_second_leg(fake, fake_pump):
    case_no = received()
    case, [leg] = forwarded(fake_pump, case_no)
    forward_event = outbox_payload(fake, case_no, 3)
    assert forward_event["type"] == "case.forward"
    routing.handle_routing_event(forward_event)
    routing.handle_routing_event(forward_event)
    assert cases.get(case_no).version == case.version
    assert [x.waybill for x in legs.for_case(case_no)] == [leg.waybill]

    handling.sign(staff("DG-GOV"), case_no)
    handling.decide(staff("DG-GOV"), case_no, True)
    shipped = handling.ship_result(staff("DG-GOV"), case_no)
    fake_pump.run_until_idle()
    ship_event = outbox_payload(fake, case_no, shipped.version)
    routing.handle_routing_event(ship_event)
    routed_twice = legs.for_case(case_no)
    assert len(routed_twice) == 2 and routed_twice[1].version == 1


def test_a_poison_routing_message_reaches_the_dead_letter_queue(fake, fake_pump):
    from chalicelib.adapters.messaging import QUEUES

    bus().send("routing", {"type": "case.forward", "case_no": "KC440300202603020009999", "version": 3,
                               "at": "2026-03-02T01:00:00+00:00"})
    fake_pump.run_until_idle()
    assert fake.bus.depth("routing") == 0 and fake.bus.depth("routing-dlq") == 1
    assert fake_pump.stats["routing:failed"] == QUEUES["routing"].max_receive_count


def test_a_stale_leg_write_loses_cleanly(fake, fake_pump):
    _, [leg] = forwarded(fake_pump, received())
    first, second = legs.get(leg.waybill), legs.get(leg.waybill)
    first.apply(LegStatus.PICKED_UP, T0)
    legs.save(first)
    second.apply(LegStatus.IN_TRANSIT, T0.replace(hour=10))
    with pytest.raises(ConcurrentUpdate):
        legs.save(second)
    # the consumer retries from the queue and then sees both events
    courier_events.apply_courier_event({"waybill": leg.waybill, "event": "IN_TRANSIT",
                                        "at": T0.replace(hour=10).isoformat()})
    stored = legs.get(leg.waybill)
    assert stored.status is LegStatus.IN_TRANSIT and len(stored.events) == 3


def test_the_sweeper_marks_overdue_legs_and_cases_and_terminates_once(fake, fake_pump):
    in_transit = received(seed=1)
    forwarded(fake_pump, in_transit)  # its leg is expected on 2026-03-03
    accepted = received(seed=2)
    forwarded(fake_pump, accepted)
    handling.sign(staff("DG-GOV"), accepted, now=T0)  # promised by 2026-03-05 (3 working days)
    waiting = received("DG-HUKOU-MOVE", provided=["身份证", "户口簿", "迁入地证明"], seed=3)  # 照片 due 03-09
    assert cases.get(waiting).supplement_due.isoformat() == "2026-03-09"

    def sweep(*when):
        return sweeper.sweep(now=datetime(*when, tzinfo=CST))

    quiet = sweep(2026, 3, 3, 23, 59)
    assert (quiet["terminated"], quiet["overdue"], quiet["legs_overdue"]) == (0, 0, 0)
    counts = sweep(2026, 3, 4, 0, 0)
    assert (counts["legs_overdue"], counts["overdue"]) == (2, 0)  # the signed case's parcel never reported in
    assert all(leg.overdue for c in (in_transit, accepted) for leg in legs.for_case(c))
    counts = sweep(2026, 3, 6, 0, 0)
    # The signed case passed its promised date; the waiting case sat RECEIVED (not forwarded) past that
    # state's own deadline (2 working days).
    assert (counts["legs_overdue"], counts["overdue"], counts["terminated"]) == (0, 2, 0)
    assert cases.get(accepted).overdue and cases.get(waiting).stage_overdue
    counts = sweep(2026, 3, 10, 0, 0)
    assert (counts["terminated"], counts["overdue"], counts["legs_overdue"]) == (1, 0, 0)
    assert cases.get(waiting).status.value == "TERMINATED"

    versions = {c: cases.get(c).version for c in (in_transit, accepted, waiting)}
    leg_versions = {leg.waybill: leg.version for c in (in_transit, accepted) for leg in legs.for_case(c)}
    again = sweep(2026, 3, 12, 0, 0)
    assert (again["terminated"], again["overdue"], again["legs_overdue"]) == (0, 0, 0)
    assert versions == {c: cases.get(c).version for c in versions}
    assert leg_versions == {leg.waybill: leg.version for c in (in_transit, accepted) for leg in legs.for_case(c)}

    fake_pump.run_until_idle()
    alerts = [a["type"] for a in fake.bus.published("alerts")]
    assert sorted(alerts) == ["case.mark_overdue", "case.mark_overdue", "shipment.overdue", "shipment.overdue"]


def test_an_overdue_leg_can_be_reshipped(fake, fake_pump):
    case_no = received()
    _, [_leg] = forwarded(fake_pump, case_no)
    with pytest.raises(InvalidTransition) as err:
        handling.reship(staff("SZ-GOV"), case_no)
    assert err.value.current_status == "CREATED"
    sweeper.sweep(now=datetime(2026, 3, 4, tzinfo=CST))
    handling.reship(staff("SZ-GOV"), case_no)
    fake_pump.run_until_idle()
    old, new = legs.for_case(case_no)
    assert old.superseded_by == new.waybill and not old.is_open and new.is_open
    assert json.dumps(old.public())  # still shown, as superseded

