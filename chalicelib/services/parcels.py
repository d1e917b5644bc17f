"""Consolidated daily parcels (合包): joining, sealing at the cut-off, courier events for every case inside,
and the receiving side's check against the handover list (交接单).

- ``join_parcel``: stages a case's place in its pair's open parcel; the caller stages the case change with
  it and commits both in one transaction (a case is never in two parcels: the case change is guarded by the
  case's version, the parcel by its own). A parcel sealed meanwhile sends the case to the next collection.
- ``seal_due``: the scheduled collection. Seals every open parcel whose cut-off passed, books one waybill
  (the recipient office's name, address and phone) and plans the parcel's leg, in one transaction with the
  sealing; a case that joined meanwhile makes the seal read again and take it along. Idempotent.
- ``on_courier_event``: a courier event on a parcel's leg. DELIVERED makes the parcel ARRIVED and signs in
  each case still waiting for it (DESIGN §6: the courier's DELIVERED signs for the materials); EXCEPTION and
  RETURNED_TO_SENDER raise the case's alert for each case inside. The cases are changed one by one after the
  parcel, each guarded by its own state, so a redelivered event finishes what a crash left half done.
- ``sign`` / ``mark_missing``: the handling office checks the contents against the list.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from typing import Any

from ..adapters.courier import Booking, CourierEvent, courier
from ..adapters.reference_store import catalogue
from ..bootstrap import unit_of_work
from ..config import settings
from ..domain.actor import Actor, Role
from ..domain.case import Case, exception_recorded
from ..domain.errors import ConcurrentUpdate, Duplicate, InvalidTransition, OutOfScope, RuleViolation
from ..domain.lifecycle import Status
from ..domain.parcels import (
    ItemState,
    Parcel,
    ParcelSealed,
    ParcelStatus,
    collection_day,
    next_collection_day,
    open_parcel,
    parcel_id_for,
)
from ..domain.reference import Office
from ..domain.shipping import TROUBLE, LegKind, LegStatus, Shipment, courier_note
from ..domain.workdays import utcnow
from ..observability import logger
from .unit_of_work import UnitOfWork

COURIER = Actor.system("courier")
HANDOVER = Actor.system("handover")
MAX_ATTEMPTS = 8  # conditional writes lost to a concurrent joiner, sealer or signer are retried this often
MAX_DAYS_AHEAD = 40  # collection days and parts looked at for a parcel that still takes cases
CONTINUOUS_HORIZON = timedelta(days=3660)


def consolidating() -> bool:
    return settings().parcels == "consolidated"


def retried(step: Callable[[], Any], what: str) -> Any:
    """Run ``step`` (which opens its own unit of work) again when it lost a race on a version."""
    for attempt in range(MAX_ATTEMPTS):
        try:
            return step()
        except (ConcurrentUpdate, Duplicate):
            if attempt == MAX_ATTEMPTS - 1:
                raise
            logger.info("parcel write lost a race; reading again", extra={"what": what, "attempt": attempt + 1})
    return None


# ---------------------------------------------------------------- joining


def join_parcel(uow: UnitOfWork, kind: LegKind, origin: Office, to_office_id: str, case_no: str,
                handed_over_at: datetime) -> Parcel:
    """Stage the case on the handover list of its pair's parcel for the collection it was handed over for;
    if that one is sealed (or full), the next one. The caller commits it with the case's change."""
    day = collection_day(origin, handed_over_at)
    # The local stage's demo courier collects all the time ("continuous"): a parcel is sealed moments after a
    # case joins it, and the next case of the day takes the day's next part (not the next collection day,
    # which 40 forwards in a day would have pushed weeks ahead and then out of reach). The last part used is
    # remembered so that a join does not read every sealed part of the day again.
    continuous = settings().parcel_collection == "continuous"
    part = _last_part(uow, kind, origin.office_id, to_office_id, day) if continuous else 1
    for _ in range(MAX_DAYS_AHEAD):
        parcel_id = parcel_id_for(kind, origin.office_id, to_office_id, day, part)
        parcel = uow.parcels.find(parcel_id, case_no=case_no)  # the header and the case's sheet of the list
        if parcel is None:
            parcel = open_parcel(kind, origin, to_office_id, handed_over_at, day=day, part=part)
            parcel.join(case_no, handed_over_at)
            uow.parcels.add(parcel)
        elif parcel.holds(case_no):
            return parcel
        else:
            try:
                parcel.join(case_no, handed_over_at)
            except ParcelSealed:
                if parcel.is_open or continuous:  # full, or collected already: a further part of the day
                    part += 1
                else:
                    day, part = next_collection_day(origin, day), 1
                continue
            uow.parcels.update(parcel)
        if continuous:
            _LAST_PART[kind, origin.office_id, to_office_id, day] = part
        return parcel
    raise RuleViolation("no_parcel", f"no parcel from {origin.office_id} to {to_office_id} takes cases")


_LAST_PART: dict[tuple[LegKind, str, str, date], int] = {}  # continuous collection: the day's last part joined


def _last_part(uow: UnitOfWork, kind: LegKind, from_office_id: str, to_office_id: str, day: date) -> int:
    """The day's last part (1 when none): remembered, or found in a few reads (the parts are numbered without
    gaps: doubling to one that is not there, then halving)."""
    known = _LAST_PART.get((kind, from_office_id, to_office_id, day))
    if known is not None:
        return known

    def exists(part: int) -> bool:
        return uow.parcels.find(parcel_id_for(kind, from_office_id, to_office_id, day, part), lines=False) is not None

    there, absent = 0, 1
    while exists(absent):
        there, absent = absent, absent * 2
    while absent - there > 1:
        middle = (there + absent) // 2
        there, absent = (middle, absent) if exists(middle) else (there, middle)
    return max(there, 1)


# ---------------------------------------------------------------- sealing


def seal_due(now: datetime | None = None) -> dict[str, int]:
    """The collection at the cut-off: seal every due parcel (on the local stage with continuous collection,
    every open parcel). One parcel that fails is logged and skipped; the next run looks again."""
    at = now or utcnow()
    horizon = at + CONTINUOUS_HORIZON if settings().parcel_collection == "continuous" else at
    counts = {"parcels_sealed": 0, "parcels_empty": 0, "parcels_failed": 0}
    with unit_of_work() as uow:
        due = list(uow.parcels.due(horizon))
    for parcel_id in due:
        try:
            outcome = retried(lambda pid=parcel_id: _seal(pid, at, horizon), "seal")  # type: ignore[misc]
        except Exception:
            logger.exception("sealing failed for a parcel", extra={"parcel_id": parcel_id})
            counts["parcels_failed"] += 1
            continue
        if outcome:
            counts[outcome] += 1
    if any(counts.values()):
        logger.info("parcels sealed", extra={"counts": counts})
    return counts


def _seal(parcel_id: str, at: datetime, horizon: datetime) -> str | None:
    with unit_of_work() as uow:
        parcel = uow.parcels.find(parcel_id)
        if parcel is None or not parcel.due_for_sealing(horizon):
            return None  # sealed by another run, or not due
        if not parcel.items:
            parcel.seal(at)
        else:
            cat = catalogue()
            route = cat.route_between(parcel.from_office_id, parcel.to_office_id)
            office = cat.office(parcel.to_office_id)
            # Idempotent on the parcel id (the courier's order number): a re-run gets the same waybill.
            waybill = courier().book(Booking(parcel.parcel_id, route.courier, parcel.from_office_id,
                                             parcel.to_office_id, None, office.name, office.address, office.phone))
            parcel.seal(at, waybill=waybill, route=route)
            uow.legs.add(parcel.leg(cat.office(parcel.from_office_id), route))
        uow.parcels.update(parcel)
        uow.commit()
        return "parcels_sealed" if parcel.status is ParcelStatus.SEALED else "parcels_empty"


# ---------------------------------------------------------------- courier events


def on_courier_event(uow: UnitOfWork, leg: Shipment, event: CourierEvent) -> None:
    """A courier event on a parcel's leg (its ``parcel_id`` set): recorded on the leg (and the parcel's
    arrival) in one transaction, then carried to every case inside."""
    assert leg.parcel_id is not None
    applied = leg.apply(event.event, event.at)
    if applied.recorded:
        parcel = uow.parcels.get(leg.parcel_id, lines=False)
        if applied.delivered_now and parcel.status is ParcelStatus.SEALED:
            parcel.arrive(event.at)
            uow.parcels.update(parcel)
        uow.legs.update(leg)
        uow.commit()
    else:
        logger.info("duplicate courier event", extra={"waybill": leg.waybill, "event": event.event.value})
    if leg.superseded_by is not None:
        return
    if leg.status is LegStatus.DELIVERED:
        # Also on a duplicate: a crash after the parcel's commit left some cases behind.
        _each_case(_waiting(leg.parcel_id), lambda c: _delivered(c, leg, event.at), "delivered")
    elif applied.trouble_now or (not applied.recorded and leg.status is event.event and leg.status in TROUBLE):
        # Also on a duplicate of the trouble the leg is in: a failure part-way through left some cases without
        # it. Each case records one courier report once (its timeline is checked), however often it arrives.
        _each_case(_waiting(leg.parcel_id), lambda c: _trouble(c, leg, event), "exception")


def _each_case(case_nos: list[str], step: Callable[[str], None], what: str) -> None:
    """``step`` for every case of a parcel, each its own unit of work. One that fails does not stop the others:
    the message is failed at the end (and so delivered again) only for those, which is all the next delivery
    has left to do. Stopping at the first failure made a big parcel's delivery start over from its first case
    every time, and under a steady rate of transient errors (5 %, in tests/reliability/test_parcel_delivery.py)
    a parcel of a hundred cases never got through."""
    failed: list[tuple[str, Exception]] = []
    for case_no in case_nos:
        try:
            retried(lambda c=case_no: step(c), what)  # type: ignore[misc]
        except Exception as err:  # a transient error, or a case that cannot take the change: retried whole
            failed.append((case_no, err))
    if failed:
        logger.warning("cases of a parcel left for the next delivery",
                       extra={"what": what, "failed": len(failed), "of": len(case_nos),
                              "reason": type(failed[0][1]).__name__})
        raise failed[0][1]


def _waiting(parcel_id: str) -> list[str]:
    with unit_of_work() as uow:
        parcel = uow.parcels.get(parcel_id)
    return [i.case_no for i in parcel.items if parcel.awaits(i.case_no) or i.state is ItemState.SIGNED]


def _when(reported: datetime, last_change: datetime) -> datetime:
    return max(last_change, min(reported, utcnow()))


def _delivered(case_no: str, leg: Shipment, at: datetime) -> None:
    """The case first: one that has moved on (signed already: every case of a parcel delivered again) costs
    one read, and the parcel's list is read only for a case still in transit."""
    with unit_of_work() as uow:
        case = uow.cases.get(case_no)
        if not case.parcels or case.parcels[-1] != leg.parcel_id:
            return
        arriving = Status.IN_TRANSIT if leg.kind is LegKind.MATERIALS else Status.RESULT_IN_TRANSIT
        if case.status is not arriving:
            return  # signed by staff already, or moved on
        parcel = uow.parcels.get(str(leg.parcel_id), case_no=case_no)
        if not (parcel.awaits(case_no) or parcel.item(case_no).state is ItemState.SIGNED):
            return  # found missing meanwhile: it waits for its own parcel
        when = _when(at, case.updated_at)
        note = f"delivered by {leg.courier} {leg.waybill} in parcel {parcel.parcel_id}"
        if leg.kind is LegKind.MATERIALS:
            change = case.sign(COURIER, when, catalogue().matter(case.matter_id), note=note)
        else:
            change = case.result_arrived(COURIER, when, leg.waybill, catalogue().deadlines)
        uow.cases.update(case, change)
        uow.commit()


def _trouble(case_no: str, leg: Shipment, event: CourierEvent) -> None:
    with unit_of_work() as uow:
        case = uow.cases.get(case_no)
        if case.status not in (Status.IN_TRANSIT, Status.RESULT_IN_TRANSIT) or leg.parcel_id not in case.parcels:
            return
        if exception_recorded(uow.cases.timeline(case_no), leg.waybill, event.event.value, event.at):
            return  # recorded by an earlier delivery of this event (or an earlier attempt whose reply was lost)
        change = case.record_shipment_exception(COURIER, _when(event.at, case.updated_at), leg.waybill,
                                                event.event.value,
                                                note=courier_note(leg.courier, event.event.value, leg.waybill,
                                                                  leg.parcel_id),
                                                reported_at=event.at)
        uow.cases.update(case, change)
        uow.commit()


# ---------------------------------------------------------------- the handover check


def sign(actor: Actor, parcel_id: str, case_nos: Iterable[str] | None = None, note: str = "",
         now: datetime | None = None) -> Parcel:
    """签收 against the handover list: the cases named, or every case not checked yet. Each case still in
    transit is signed in (ACCEPTED) by the signing staff member; signing again signs nothing twice."""
    at = now or utcnow()
    wanted = list(case_nos) if case_nos is not None else None

    def check() -> Parcel:
        with unit_of_work() as uow:
            parcel = uow.parcels.get(parcel_id)
            if parcel.sign(actor, at, wanted, note):
                uow.parcels.update(parcel)
                uow.commit()
            return parcel

    parcel: Parcel = retried(check, "sign")
    for item in parcel.items:
        if item.state is ItemState.SIGNED and (wanted is None or item.case_no in wanted):
            retried(lambda c=item.case_no: _sign_case(actor, parcel, c, at), "sign case")  # type: ignore[misc]
    return parcel


def _sign_case(actor: Actor, parcel: Parcel, case_no: str, at: datetime) -> None:
    with unit_of_work() as uow:
        case = uow.cases.get(case_no)
        if not case.parcels or case.parcels[-1] != parcel.parcel_id:
            return
        if parcel.kind is LegKind.MATERIALS and case.status is Status.IN_TRANSIT:
            change = case.sign(actor, max(at, case.updated_at), catalogue().matter(case.matter_id),
                               note=f"按合包 {parcel.parcel_id} 的交接单签收")
        elif parcel.kind is LegKind.RESULT and case.status is Status.RESULT_IN_TRANSIT:
            change = case.result_arrived(HANDOVER, max(at, case.updated_at), parcel.waybill or parcel.parcel_id,
                                         catalogue().deadlines)
        else:
            return
        uow.cases.update(case, change)
        uow.commit()


def mark_missing(actor: Actor, parcel_id: str, case_no: str, note: str = "", now: datetime | None = None) -> Parcel:
    """缺件: the case is on the list but not in the parcel. In one transaction: the list says so and the case
    goes back to waiting for its materials (``case.materials_missing``: sent again alone, alert, SMS)."""
    at = now or utcnow()

    def mark() -> Parcel:
        with unit_of_work() as uow:
            parcel = uow.parcels.get(parcel_id, case_no=case_no)
            if parcel.kind is not LegKind.MATERIALS:
                raise InvalidTransition("only a parcel of materials has cases missing from it",
                                        current_status=parcel.status.value)
            parcel.mark_missing(actor, at, case_no, note)
            case = uow.cases.get(case_no)
            uow.cases.update(case, case.materials_missing(actor, max(at, case.updated_at), parcel_id, note))
            uow.parcels.update(parcel)
            uow.commit()
            return parcel

    parcel: Parcel = retried(mark, "mark missing")
    return parcel


def sign_for_case(uow: UnitOfWork, actor: Actor, case: Case, at: datetime) -> None:
    """Staff signed for one case on its own (``POST /cases/{case_no}/sign``): stage its line of the handover
    list as signed too, when its parcel has been sealed (the caller commits it with the case's change)."""
    if not case.parcels:
        return
    parcel = uow.parcels.find(case.parcels[-1], case_no=case.case_no)
    if (parcel is None or parcel.kind is not LegKind.MATERIALS or not parcel.awaits(case.case_no)
            or parcel.status not in (ParcelStatus.SEALED, ParcelStatus.ARRIVED)
            or actor.office_id != parcel.to_office_id):
        return
    parcel.sign(actor, at, [case.case_no])
    uow.parcels.update(parcel)


# ---------------------------------------------------------------- reads


def require_parcel_reader(actor: Actor, parcel: Parcel) -> None:
    """Staff of either office; supervisors of either office's city (or the province); admins."""
    if actor.role is Role.STAFF and actor.office_id in parcel.offices():
        return
    if actor.role is Role.ADMIN:
        return
    if actor.role is Role.SUPERVISOR:
        cat = catalogue()
        cities = {cat.office(o).city for o in parcel.offices() if o in cat.offices}
        if actor.city == "440000" or actor.city in cities:
            return
    raise OutOfScope(f"parcel {parcel.parcel_id} is not one of your offices'")


def parcel_detail(actor: Actor, parcel_id: str) -> tuple[Parcel, Shipment | None, dict[str, Case]]:
    """The parcel, its leg with the courier's events (once sealed), and the cases on its handover list."""
    with unit_of_work() as uow:
        parcel = uow.parcels.get(parcel_id)
        require_parcel_reader(actor, parcel)
        leg = uow.legs.find(parcel.waybill) if parcel.waybill else None
        cases: dict[str, Case] = {}
        for case_no in parcel.case_nos:
            try:
                cases[case_no] = uow.cases.get(case_no, consistent=False)
            except Exception:  # a case that cannot be read is listed without its details
                logger.warning("case on a handover list unreadable", extra={"case_no": case_no})
        return parcel, leg, cases


def office_parcels(actor: Actor, office_id: str, direction: str | None, status: str | None, limit: int,
                   cursor: dict[str, Any] | None) -> tuple[list[Parcel], dict[str, Any] | None]:
    """An office's parcels, for its own staff (outgoing, incoming, or both)."""
    if actor.role is not Role.STAFF or actor.office_id != office_id:
        raise OutOfScope(f"only staff of {office_id} list its parcels")
    with unit_of_work() as uow:
        return uow.parcels.of_office(office_id, direction, status, limit, cursor)


def legs_of_case(uow: UnitOfWork, case: Case) -> list[Shipment]:
    """The legs a case's materials and result travel in: its own, and those of its sealed parcels."""
    legs = list(uow.legs.for_case(case.case_no))
    if not case.parcels:
        return legs
    for parcel_id in case.parcels:
        parcel = uow.parcels.find(parcel_id, lines=False)
        if parcel is not None and parcel.waybill:
            leg = uow.legs.find(parcel.waybill)
            if leg is not None:
                legs.append(leg)
    # For this case, a parcel it was re-shipped from alone is superseded by its own replacement (the parcel
    # itself goes on for its other cases).
    replaced = {leg.replaces: leg.waybill for leg in legs if leg.replaces and leg.case_no == case.case_no}
    legs = [dataclasses.replace(leg, superseded_by=replaced[leg.waybill])
            if leg.parcel_id and leg.superseded_by is None and leg.waybill in replaced else leg for leg in legs]
    # Materials before results (instants are stored to the second: two legs may share one).
    return sorted(legs, key=lambda leg: (leg.kind is LegKind.RESULT, leg.created_at, leg.waybill))

