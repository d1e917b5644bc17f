"""Consolidated daily parcels (合包): collection days and cut-off (调休 included), joining and sealing,
the handover list checked case by case with one case missing, and urgent cases travelling alone."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from chalicelib.domain.actor import Actor
from chalicelib.domain.errors import InvalidTransition, NotFound, OutOfScope
from chalicelib.domain.parcels import (
    ItemState,
    ParcelSealed,
    ParcelStatus,
    collection_day,
    consolidates,
    open_parcel,
    parse_parcel_id,
)
from chalicelib.domain.reference import Office, Route
from chalicelib.domain.shipping import LegKind, LegStatus

CST = ZoneInfo("Asia/Shanghai")
SZ = Office("SZ-GOV", "深圳", "440300", "440304", ("receiving", "handling"), "", "", "", "16:00")
ZH = Office("ZH-GOV", "珠海", "440400", "440402", ("receiving", "handling"), "", "", "", "15:30")
EVERY_DAY = Office("XX-GOV", "每日", "440300", "440304", ("receiving",), "", "", "", "16:00",
                   collection_days="all_days")
LANE = Route("SZ-GOV", "EMS", "EMS 政务专递", 1, 18.0, to_office_id="DG-GOV")
DG_STAFF = Actor("dg-1", "staff", office_id="DG-GOV")
SZ_STAFF = Actor("sz-1", "staff", office_id="SZ-GOV")


def cst(*args: int) -> datetime:
    return datetime(*args, tzinfo=CST)


@pytest.mark.parametrize(("at", "office", "expected"), [
    (cst(2026, 9, 28, 10), SZ, date(2026, 9, 28)),  # Monday before the cut-off: today's collection
    (cst(2026, 9, 28, 15, 59), SZ, date(2026, 9, 28)),
    (cst(2026, 9, 28, 16), SZ, date(2026, 9, 29)),  # at the cut-off: tomorrow's
    (cst(2026, 9, 28, 15, 45), ZH, date(2026, 9, 29)),  # Zhuhai's cut-off is 15:30
    (cst(2026, 10, 3, 10), SZ, date(2026, 10, 8)),  # National Day: no collection until the 8th
    (cst(2026, 9, 30, 17), SZ, date(2026, 10, 8)),  # after the last cut-off before the holiday
    (cst(2026, 10, 10, 10), SZ, date(2026, 10, 10)),  # Saturday 10-10 is a make-up working day (调休)
    (cst(2026, 10, 9, 17), SZ, date(2026, 10, 10)),  # ... so Friday's late forwards leave on Saturday
    (cst(2026, 10, 10, 17), SZ, date(2026, 10, 12)),  # Sunday 10-11 is a holiday again
    (cst(2026, 11, 28, 10), SZ, date(2026, 11, 30)),  # an ordinary Saturday: Monday's collection
    (cst(2026, 11, 28, 10), EVERY_DAY, date(2026, 11, 28)),  # an office collected every day
])
def test_a_forward_leaves_with_the_collection_of_its_cutoff(at, office, expected):
    assert collection_day(office, at) == expected


def test_cases_join_the_pairs_open_parcel_and_sealing_fixes_the_handover_list():
    parcel = open_parcel(LegKind.MATERIALS, SZ, "DG-GOV", cst(2026, 12, 1, 9))
    assert parcel.parcel_id == "M-SZ-GOV-DG-GOV-20261201" and parcel.status is ParcelStatus.OPEN
    assert parcel.cutoff_at == cst(2026, 12, 1, 16)
    assert parcel.join("KC1", cst(2026, 12, 1, 9)) and parcel.join("KC2", cst(2026, 12, 1, 11))
    assert not parcel.join("KC1", cst(2026, 12, 1, 12))  # a redelivered message joins once
    assert not parcel.due_for_sealing(cst(2026, 12, 1, 15, 59))
    assert parcel.due_for_sealing(cst(2026, 12, 1, 16))

    assert parcel.seal(cst(2026, 12, 1, 16), waybill="EMS000000000009", route=LANE)
    assert parcel.status is ParcelStatus.SEALED and parcel.case_nos == ["KC1", "KC2"]
    assert parcel.cost_cny == 18.0 and parcel.waybill == "EMS000000000009"
    assert not parcel.seal(cst(2026, 12, 1, 16, 5), waybill="EMS000000000010", route=LANE)  # idempotent
    assert parcel.waybill == "EMS000000000009"
    with pytest.raises(ParcelSealed):
        parcel.join("KC3", cst(2026, 12, 1, 16, 1))  # goes to the next collection's parcel instead
    assert parcel.case_nos == ["KC1", "KC2"]

    leg = parcel.leg(SZ, LANE)
    assert (leg.waybill, leg.parcel_id, leg.kind) == ("EMS000000000009", parcel.parcel_id, LegKind.MATERIALS)
    assert leg.expected_arrival == date(2026, 12, 2) and leg.status is LegStatus.CREATED


def test_an_empty_parcel_is_closed_and_never_booked():
    parcel = open_parcel(LegKind.MATERIALS, SZ, "DG-GOV", cst(2026, 12, 1, 9))
    assert parcel.seal(cst(2026, 12, 1, 16))
    assert parcel.status is ParcelStatus.EMPTY and parcel.waybill is None
    with pytest.raises(ValueError):
        parcel.leg(SZ, LANE)
    with_cases = open_parcel(LegKind.MATERIALS, SZ, "DG-GOV", cst(2026, 12, 1, 9))
    with_cases.join("KC1", cst(2026, 12, 1, 9))
    with pytest.raises(ValueError):  # a parcel with cases is never sealed without its waybill
        with_cases.seal(cst(2026, 12, 1, 16))


def test_partial_arrival_signs_the_rest_and_leaves_the_missing_case_alone():
    parcel = open_parcel(LegKind.MATERIALS, SZ, "DG-GOV", cst(2026, 12, 1, 9))
    for n in (1, 2, 3):
        parcel.join(f"KC{n}", cst(2026, 12, 1, 9 + n))
    parcel.seal(cst(2026, 12, 1, 16), waybill="EMS000000000009", route=LANE)
    assert parcel.arrive(cst(2026, 12, 2, 10)) and not parcel.arrive(cst(2026, 12, 2, 11))

    with pytest.raises(OutOfScope):  # only the receiving office checks the contents
        parcel.sign(SZ_STAFF, cst(2026, 12, 2, 11))
    assert parcel.sign(DG_STAFF, cst(2026, 12, 2, 11), ["KC1"]) == ["KC1"]
    missing = parcel.mark_missing(DG_STAFF, cst(2026, 12, 2, 11, 5), "KC2", "材料未见")
    assert missing.state is ItemState.MISSING and missing.note == "材料未见"
    # Sign all: only what is still unchecked; the missing case stays missing, the signed one signed once.
    assert parcel.sign(DG_STAFF, cst(2026, 12, 2, 11, 10)) == ["KC3"]
    assert parcel.sign(DG_STAFF, cst(2026, 12, 2, 11, 20)) == []
    assert [i.state for i in parcel.items] == [ItemState.SIGNED, ItemState.MISSING, ItemState.SIGNED]
    assert parcel.item("KC1").checked_at == cst(2026, 12, 2, 11)
    with pytest.raises(InvalidTransition):
        parcel.sign(DG_STAFF, cst(2026, 12, 2, 12), ["KC2"])
    with pytest.raises(InvalidTransition):
        parcel.mark_missing(DG_STAFF, cst(2026, 12, 2, 12), "KC1")
    with pytest.raises(NotFound):
        parcel.sign(DG_STAFF, cst(2026, 12, 2, 12), ["KC9"])
    assert parcel.summary()["items_by_state"] == {"PACKED": 0, "SIGNED": 2, "MISSING": 1}


def test_signing_a_sealed_parcel_before_the_couriers_event_makes_it_arrived():
    parcel = open_parcel(LegKind.MATERIALS, SZ, "DG-GOV", cst(2026, 12, 1, 9))
    parcel.join("KC1", cst(2026, 12, 1, 9))
    with pytest.raises(InvalidTransition):  # nothing to sign for while it is open
        parcel.sign(DG_STAFF, cst(2026, 12, 1, 10))
    parcel.seal(cst(2026, 12, 1, 16), waybill="EMS000000000009", route=LANE)
    assert parcel.sign(DG_STAFF, cst(2026, 12, 2, 9)) == ["KC1"]
    assert parcel.status is ParcelStatus.ARRIVED


def test_urgent_cases_and_mail_to_an_address_travel_alone():
    assert consolidates(LegKind.MATERIALS, "DG-GOV")
    assert not consolidates(LegKind.MATERIALS, "DG-GOV", urgent=True)  # 加急: its own parcel
    assert consolidates(LegKind.RESULT, "SZ-GOV")  # a result to be picked up at the receiving window
    assert not consolidates(LegKind.RESULT, None)  # mailed to the applicant: one parcel each


def test_parcel_ids_from_a_path_are_checked():
    assert parse_parcel_id("M-SZ-GOV-DG-GOV-20261201") == "M-SZ-GOV-DG-GOV-20261201"
    for bad in ("", "x", "M-../../etc", "M-" + "A" * 90, "Q-SZ-GOV-DG-GOV-20261201"):
        with pytest.raises(Exception, match="parcel_id"):
            parse_parcel_id(bad)
