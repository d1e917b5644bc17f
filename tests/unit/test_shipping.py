"""Parcel legs: ranks, courier events in any order, expected arrival by working days and mail cut-off."""
from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from chalicelib.adapters.courier import Booking, LocalCourier, parse_event, signature, signature_valid, signed_body
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.reference import Office, Route
from chalicelib.domain.shipping import LegKind, LegStatus, Shipment, expected_arrival, plan_leg

CST = ZoneInfo("Asia/Shanghai")
SZ = Office("SZ-GOV", "深圳", "440300", "440304", ("receiving", "handling"), "", "", "", "16:00")
ZH = Office("ZH-GOV", "珠海", "440400", "440402", ("receiving", "handling"), "", "", "", "15:30")
LANE = Route("SZ-GOV", "EMS", "EMS 政务专递", 2, 22.0, to_office_id="ZH-GOV")


def cst(*args: int) -> datetime:
    return datetime(*args, tzinfo=CST)


def leg(at: datetime | None = None) -> Shipment:
    return plan_leg(case_no="KC4403002026093000001", case_version=3, kind=LegKind.MATERIALS, waybill="EMS000000000001",
                    origin=SZ, route=LANE, handed_over_at=at or cst(2026, 9, 28, 10), to_office_id="ZH-GOV")


@pytest.mark.parametrize(("handed_over", "origin", "days", "expected"), [
    (cst(2026, 9, 28, 10), SZ, 1, date(2026, 9, 29)),  # Monday before the cut-off
    (cst(2026, 9, 28, 16), SZ, 1, date(2026, 9, 30)),  # at the cut-off: leaves with tomorrow's mail
    (cst(2026, 9, 28, 15, 45), ZH, 1, date(2026, 9, 30)),  # Zhuhai's cut-off is 15:30
    (cst(2026, 9, 30, 10), SZ, 1, date(2026, 10, 8)),  # National Day holiday in between
    (cst(2026, 9, 30, 17), SZ, 1, date(2026, 10, 9)),  # after the cut-off: counts from the holiday's end
    (cst(2026, 10, 9, 17), SZ, 1, date(2026, 10, 12)),  # Saturday 10-10 is a make-up working day (调休)
    (cst(2026, 10, 9, 10), SZ, 2, date(2026, 10, 12)),  # ... and counts as a transit day
    (cst(2026, 11, 27, 17), SZ, 2, date(2026, 12, 2)),  # Friday after the cut-off: Monday, then two days
])
def test_expected_arrival_counts_working_days_after_the_cutoff(handed_over, origin, days, expected):
    assert expected_arrival(handed_over, origin, days) == expected


def test_expected_arrival_uses_the_china_date_of_a_utc_instant():
    # 2026-09-28 23:30 UTC is 07:30 on the 29th in China
    assert expected_arrival(datetime(2026, 9, 28, 23, 30, tzinfo=UTC), SZ, 1) == date(2026, 9, 30)


def test_a_planned_leg_starts_created_with_the_route_table_values():
    shipment = leg()
    assert shipment.status is LegStatus.CREATED
    assert [e.event for e in shipment.events] == [LegStatus.CREATED]
    assert (shipment.courier, shipment.cost_cny, shipment.transit_working_days) == ("EMS", 22.0, 2)
    assert shipment.expected_arrival == date(2026, 9, 30)
    assert shipment.leg_id == "KC4403002026093000001-3"
    assert shipment.is_open and not shipment.reshippable


EVENTS = [(LegStatus.PICKED_UP, 1), (LegStatus.IN_TRANSIT, 2), (LegStatus.DELIVERED, 3)]


def _state(shipment: Shipment) -> tuple[LegStatus, list[tuple[str, str]]]:
    return shipment.status, [(e.event.value, e.at.isoformat()) for e in shipment.events]


def test_events_in_any_order_and_repeated_give_the_state_of_one_in_order_delivery():
    base = cst(2026, 9, 28, 11)
    in_order = leg()
    for event, hour in EVENTS:
        in_order.apply(event, base + timedelta(hours=hour))
    for order in itertools.permutations(EVENTS + EVENTS):
        shipment = leg()
        for event, hour in order:
            shipment.apply(event, base + timedelta(hours=hour))
        assert _state(shipment) == _state(in_order)
    assert in_order.status is LegStatus.DELIVERED and not in_order.is_open


def test_a_delivered_leg_never_goes_back_and_reports_delivery_once():
    shipment = leg()
    first = shipment.apply(LegStatus.DELIVERED, cst(2026, 9, 29, 9))
    assert first.recorded and first.delivered_now
    late = shipment.apply(LegStatus.IN_TRANSIT, cst(2026, 9, 28, 20))
    assert late.recorded and not late.moved and shipment.status is LegStatus.DELIVERED
    again = shipment.apply(LegStatus.DELIVERED, cst(2026, 9, 29, 9))
    assert not again.recorded and not again.delivered_now


def test_exception_is_trouble_once_and_makes_the_leg_reshippable():
    shipment = leg()
    shipment.apply(LegStatus.IN_TRANSIT, cst(2026, 9, 28, 12))
    trouble = shipment.apply(LegStatus.EXCEPTION, cst(2026, 9, 28, 13))
    assert trouble.trouble_now and shipment.reshippable
    assert not shipment.apply(LegStatus.IN_TRANSIT, cst(2026, 9, 28, 14)).trouble_now
    assert shipment.status is LegStatus.EXCEPTION
    returned = shipment.apply(LegStatus.RETURNED_TO_SENDER, cst(2026, 9, 29, 10))
    assert returned.trouble_now and shipment.status is LegStatus.RETURNED_TO_SENDER
    shipment.supersede("EMS000000000002")
    assert not shipment.reshippable and not shipment.is_open


def test_overdue_only_after_the_expected_arrival_day_and_only_once():
    shipment = leg()  # expected 2026-09-30
    assert not shipment.mark_overdue(cst(2026, 9, 30, 23, 59))
    assert shipment.mark_overdue(cst(2026, 10, 1, 0, 0))
    assert shipment.overdue and shipment.reshippable
    assert not shipment.mark_overdue(cst(2026, 10, 2))
    delivered = leg()
    delivered.apply(LegStatus.DELIVERED, cst(2026, 9, 29))
    assert not delivered.mark_overdue(cst(2026, 10, 9))


def test_public_view_has_no_personal_data():
    shipment = leg()
    shipment.to_address = {"city": "440300", "detail": "科苑路15号", "recipient": "张三", "phone": "13800138000"}
    text = str(shipment.public())
    assert "13800138000" not in text and "张三" not in text and "科苑路" not in text
    assert shipment.public()["to_city"] == "440300"


def test_local_courier_books_the_same_waybill_for_the_same_leg():
    courier = LocalCourier()
    one = courier.book(Booking("KC4403002026093000001-3", "EMS", "SZ-GOV", "ZH-GOV", None))
    assert one == courier.book(Booking("KC4403002026093000001-3", "EMS", "SZ-GOV", "ZH-GOV", None))
    assert one != courier.book(Booking("KC4403002026093000001-9", "EMS", "SZ-GOV", "ZH-GOV", None))
    assert one.startswith("EMS") and len(one) == 15


def test_signature_is_hmac_sha256_of_the_raw_body():
    raw, sig = signed_body({"waybill": "EMS1", "event": "DELIVERED", "at": "2026-09-28T10:00:00+08:00"})
    assert sig == signature(raw) and len(sig) == 64
    assert signature_valid(raw, sig) and signature_valid(raw, sig.upper())
    assert not signature_valid(raw + b" ", sig)
    assert not signature_valid(raw, None) and not signature_valid(raw, "")
    assert not signature_valid(raw, signature(raw, "another-secret"))


@pytest.mark.parametrize(("body", "field"), [
    ({"event": "DELIVERED", "at": "2026-09-28T10:00:00+08:00"}, "waybill"),
    ({"waybill": "EMS 1", "event": "DELIVERED", "at": "2026-09-28T10:00:00+08:00"}, "waybill"),
    ({"waybill": "EMS0001", "event": "LOST", "at": "2026-09-28T10:00:00+08:00"}, "event"),
    ({"waybill": "EMS0001", "event": "DELIVERED", "at": "2026-09-28T25:00:00"}, "at"),
    ({"waybill": "EMS0001", "event": "DELIVERED", "at": "yesterday"}, "at"),
    ({"waybill": "EMS0001", "event": "DELIVERED", "at": 1759024800}, "at"),
])
def test_courier_events_are_validated_naming_the_field(body, field):
    with pytest.raises(InvalidInput) as err:
        parse_event(body)
    assert err.value.field == field


def test_courier_event_instant_is_kept_in_utc():
    event = parse_event({"waybill": "EMS0001", "event": "IN_TRANSIT", "at": "2026-09-28T10:00:00+08:00"})
    assert event.at == datetime(2026, 9, 28, 2, 0, tzinfo=UTC)
    assert event.message() == {"waybill": "EMS0001", "event": "IN_TRANSIT", "at": "2026-09-28T02:00:00+00:00"}


# ---------------------------------------------------------------- a leg that ended (issue 13)


@pytest.mark.parametrize("order", [("RETURNED_TO_SENDER", "DELIVERED"), ("DELIVERED", "RETURNED_TO_SENDER")])
def test_the_first_end_of_a_leg_stands_and_later_events_are_kept_for_operators(order):
    parcel = leg()
    parcel.apply(LegStatus.IN_TRANSIT, cst(2026, 9, 28, 12))
    first, second = (LegStatus(e) for e in order)
    assert parcel.apply(first, cst(2026, 9, 29, 9)).moved
    late = parcel.apply(second, cst(2026, 9, 29, 15))
    assert late.recorded and not late.moved and not late.delivered_now
    assert parcel.status is first
    for _ in range(2):  # duplicates change nothing
        assert not parcel.apply(second, cst(2026, 9, 29, 15)).recorded
        assert not parcel.apply(first, cst(2026, 9, 29, 9)).recorded
    assert [e["event"] for e in parcel.public()["events"]] == ["CREATED", "IN_TRANSIT", first.value]
    assert [e.event for e in parcel.late_events] == [second]


def test_a_late_courier_event_after_delivery_is_not_shown_as_back_on_the_road():
    parcel = leg()
    parcel.apply(LegStatus.DELIVERED, cst(2026, 9, 29, 9))
    for event, when in ((LegStatus.IN_TRANSIT, cst(2026, 9, 30, 9)), (LegStatus.DELIVERED, cst(2026, 9, 30, 10)),
                        (LegStatus.IN_TRANSIT, cst(2099, 1, 1, 0))):
        applied = parcel.apply(event, when)
        assert applied.recorded and not applied.moved
    public = parcel.public()
    assert public["status"] == "DELIVERED" and public["events"][-1]["event"] == "DELIVERED"
    assert len(parcel.late_events) == 3


def test_a_booking_carries_the_recipient_and_shows_it_masked():
    booking = Booking("KC1-3", "EMS", "DG-GOV", None, "440300", "张三丰", "南山区科技园科苑路15号", "13800138000")
    assert booking.recipient_phone == "13800138000"
    shown = repr(booking) + str(booking)
    assert "13800138000" not in shown and "张三丰" not in shown and "科苑路15号" not in shown
    assert "138****8000" in shown


def test_courier_notes_on_the_timeline_are_in_chinese_and_name_the_waybill_or_the_parcel():
    from chalicelib.domain.shipping import courier_note

    assert courier_note("EMS", LegStatus.EXCEPTION, "EMS1234567890") == "EMS 异常（运单 EMS1234567890）"
    assert courier_note("EMS", "DELIVERED", "EMS1", "M-SZ-GOV-DG-GOV-20261201") == \
        "EMS 已投递（合包 M-SZ-GOV-DG-GOV-20261201）"
    assert courier_note("SF", "RETURNED_TO_SENDER", "SF1") == "SF 已退回寄件方（运单 SF1）"
