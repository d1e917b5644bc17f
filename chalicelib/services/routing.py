"""Mail-back routing (邮寄寄递): plans parcel legs from the routing queue.

- ``case.forward``: picks the handling office of the matter (by the applicant's district where a city has
  several), and creates the materials leg with the case's ROUTE change in one transaction; an electronic
  matter (电子流转) is accepted at once, with no parcel.
- ``case.ship_result``: the result leg, from the applicant's choice: to the address (MAIL) or to the
  receiving office (PICKUP_RECEIVING); pickup at the handling office needs no parcel.
- ``case.reship``: a new leg on the same lane; the old one is marked superseded.
- ``case.materials_missing``: the materials of a case missing from its parcel go again, alone.

合包 (services/parcels.py): a materials leg between two offices, and a result to be picked up at the
receiving office, join the pair's daily parcel instead of being booked alone (its waybill is booked when
the parcel is sealed at the cut-off). Urgent cases (加急) and results mailed to an address travel alone.

Idempotent: a leg's id and waybill derive from the case number and the version of the event that asked
for it, legs are inserted only if absent, and the ROUTE change is guarded by the case version.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from ..adapters.courier import Booking, courier
from ..adapters.reference_store import catalogue
from ..bootstrap import unit_of_work
from ..domain.actor import Actor
from ..domain.case import Case, DeliveryMethod
from ..domain.errors import ConcurrentUpdate, Duplicate
from ..domain.events import CaseEvent, MalformedEvent, decode
from ..domain.lifecycle import Status
from ..domain.parcels import consolidates
from ..domain.reference import Catalogue, Office, Route
from ..domain.shipping import LegKind, Shipment, leg_id_for, plan_leg
from ..domain.workdays import add_working_days, utcnow
from ..observability import logger
from . import parcels
from .unit_of_work import UnitOfWork

ROUTER = Actor.system("router")


def handle_routing_event(message: dict[str, Any]) -> None:
    """Handle one routing-queue message (case.forward, case.ship_result, case.reship); anything else is
    MalformedEvent (dead-lettered)."""
    event = decode(message)
    if not isinstance(event, CaseEvent) or event.type not in _HANDLERS:
        raise MalformedEvent(event.type, "not an event the routing queue handles")
    _HANDLERS[event.type](event)


def _book(case_no: str, version: int, kind: LegKind, origin: Office, route: Route, event: CaseEvent,
          to_office_id: str | None = None, to_address: dict[str, Any] | None = None,
          replaces: str | None = None, urgent: bool = False) -> Shipment:
    leg_id = leg_id_for(case_no, version)
    to_city = str(to_address.get("city")) if to_address else None
    if to_address:  # the applicant's address (邮寄送达)
        recipient = (str(to_address.get("recipient", "")), str(to_address.get("detail", "")),
                     str(to_address.get("phone", "")))
    else:  # an office: its name, address and phone from the reference data
        office = catalogue().office(to_office_id or "")
        recipient = (office.name, office.address, office.phone)
    waybill = courier().book(Booking(leg_id, route.courier, origin.office_id, to_office_id, to_city, *recipient))
    leg = plan_leg(case_no=case_no, case_version=version, kind=kind, waybill=waybill, origin=origin,
                   route=route, handed_over_at=event.at, to_office_id=to_office_id,
                   to_address=to_address, replaces=replaces or None)
    leg.urgent = urgent
    return leg


def _book_alone(uow: UnitOfWork, event: CaseEvent, kind: LegKind, origin: Office, route: Route, already: str,
                to_office_id: str | None = None, to_address: dict[str, Any] | None = None,
                replaces: str | None = None) -> None:
    """Book one case's leg on its own and commit it; a redelivered message finds the leg there (its waybill
    derives from the event) and only says so (``already``)."""
    leg = _book(event.case_no, event.version, kind, origin, route, event, to_office_id=to_office_id,
                to_address=to_address, replaces=replaces)
    uow.legs.add(leg)
    try:
        uow.commit()
    except Duplicate:
        logger.info(already, extra={"case_no": event.case_no, "waybill": leg.waybill})


def _forwarded(event: CaseEvent) -> None:
    def attempt() -> None:
        with unit_of_work() as uow:
            _route(uow, event)

    parcels.retried(attempt, "forward")  # a joiner or a sealing that won the parcel's version: read again


def _route(uow: UnitOfWork, event: CaseEvent) -> None:
    case = uow.cases.get(event.case_no)
    if case.handling_office_id or case.status is not Status.IN_TRANSIT:
        logger.info("forward already routed or moved on", extra={"case_no": case.case_no,
                                                                 "status": case.status.value})
        return
    cat = catalogue()
    matter = cat.matter(case.matter_id)
    office = cat.handling_office_for(matter, case.applicant.district)
    at = utcnow()
    if case.electronic:
        uow.cases.update(case, case.route(ROUTER, at, office, matter))
        uow.commit()
        return
    route = cat.route_between(case.receiving_office_id, office.office_id)
    origin = cat.office(case.receiving_office_id)
    if parcels.consolidating() and consolidates(LegKind.MATERIALS, office.office_id,
                                                urgent=bool(event.details.get("urgent"))):
        # 合包: the case and its line on the pair's handover list, in one transaction.
        parcel = parcels.join_parcel(uow, LegKind.MATERIALS, origin, office.office_id, case.case_no, event.at)
        uow.cases.update(case, case.route(
            ROUTER, at, office, matter, parcel_id=parcel.parcel_id, collection_day=parcel.collection_day.isoformat(),
            courier=route.courier,
            expected_arrival=add_working_days(parcel.collection_day, route.transit_working_days).isoformat()))
        uow.commit()
        return
    leg = _book(case.case_no, event.version, LegKind.MATERIALS, origin, route, event, to_office_id=office.office_id,
                urgent=bool(event.details.get("urgent")))
    change = case.route(ROUTER, at, office, matter, waybill=leg.waybill, courier=leg.courier,
                        expected_arrival=leg.expected_arrival.isoformat())
    uow.cases.update(case, change)
    uow.legs.add(leg)
    try:
        uow.commit()
    except (ConcurrentUpdate, Duplicate):
        if uow.cases.get(case.case_no).handling_office_id:
            return  # a concurrent delivery of this message routed it
        raise


def _result_lane(cat: Catalogue, case: Case) -> tuple[Route, str | None, dict[str, Any] | None]:
    assert case.handling_office_id is not None
    if case.delivery.method == DeliveryMethod.PICKUP_RECEIVING:
        return (cat.route_between(case.handling_office_id, case.receiving_office_id),
                case.receiving_office_id, None)
    address = case.delivery.address or {}
    return cat.route_to_address(case.handling_office_id, str(address.get("city"))), None, dict(address)


def _result_shipped(event: CaseEvent) -> None:
    if event.to_status != Status.RESULT_IN_TRANSIT:
        return  # pickup at the handling office: the result is ready there, no parcel

    def attempt() -> None:
        with unit_of_work() as uow:
            _plan_result_leg(uow, event)

    parcels.retried(attempt, "result")


def _plan_result_leg(uow: UnitOfWork, event: CaseEvent) -> None:
    case = uow.cases.get(event.case_no)
    if case.status is not Status.RESULT_IN_TRANSIT or not case.handling_office_id:
        logger.info("result already delivered or case moved on", extra={"case_no": case.case_no})
        return
    cat = catalogue()
    route, to_office_id, to_address = _result_lane(cat, case)
    if parcels.consolidating() and consolidates(LegKind.RESULT, to_office_id):
        # A result to be picked up at the receiving window travels in the pair's daily parcel.
        if any(p.startswith("R-") for p in case.parcels):
            return  # packed already (a redelivered message)
        assert to_office_id is not None
        parcel = parcels.join_parcel(uow, LegKind.RESULT, cat.office(case.handling_office_id), to_office_id,
                                     case.case_no, event.at)
        uow.cases.update(case, case.pack(ROUTER, max(utcnow(), case.updated_at), parcel.parcel_id,
                                         parcel.collection_day.isoformat()))
        uow.commit()
        return
    _book_alone(uow, event, LegKind.RESULT, cat.office(case.handling_office_id), route, "result leg already planned",
                to_office_id=to_office_id, to_address=to_address)


def _reshipped(event: CaseEvent) -> None:
    with unit_of_work() as uow:
        _replace_leg(uow, event)


def _replace_leg(uow: UnitOfWork, event: CaseEvent) -> None:
    old = uow.legs.find(str(event.details.get("waybill")))
    if old is None:
        logger.warning("reship of an unknown leg dropped", extra={"case_no": event.case_no})
        return
    cat = catalogue()
    origin = cat.office(old.from_office_id)
    if old.to_office_id:
        route = cat.route_between(old.from_office_id, old.to_office_id)
    else:
        route = cat.route_to_address(old.from_office_id, str(old.to_city))
    if old.parcel_id:
        # The leg of a consolidated parcel (合包): this case goes again alone; the parcel and its other cases
        # are left as they are (each is re-shipped, or arrives, on its own).
        _book_alone(uow, event, old.kind, origin, route, "case already re-shipped from its parcel",
                    to_office_id=old.to_office_id, replaces=old.waybill)
        return
    leg = _book(old.case_no, event.version, old.kind, origin, route, event,
                to_office_id=old.to_office_id, to_address=old.to_address, replaces=old.waybill)
    if old.superseded_by:
        if old.superseded_by != leg.waybill:
            logger.warning("leg already superseded", extra={"waybill": old.waybill})
        return
    old.supersede(leg.waybill)
    uow.legs.add(leg)
    uow.legs.update(old)
    uow.commit()


def _accepted(event: CaseEvent) -> None:
    """Accepted by the handling office, or a material supplied while accepted: the matter's approval rule, if
    it has one (秒批)."""
    if event.to_status == Status.ACCEPTED:
        from . import approval

        approval.on_accepted(event)


def _materials_missing(event: CaseEvent) -> None:
    """缺件: the materials of a case missing from its parcel are sent again, alone (not in a daily parcel)."""
    with unit_of_work() as uow:
        case = uow.cases.get(event.case_no)
        if case.status is not Status.IN_TRANSIT or not case.handling_office_id:
            logger.info("missing materials: case moved on", extra={"case_no": case.case_no})
            return
        cat = catalogue()
        route = cat.route_between(case.receiving_office_id, case.handling_office_id)
        _book_alone(uow, event, LegKind.MATERIALS, cat.office(case.receiving_office_id), route,
                    "missing materials already re-sent", to_office_id=case.handling_office_id,
                    replaces=str(event.details.get("parcel_id") or ""))


_HANDLERS: dict[str, Callable[[CaseEvent], None]] = {
    "case.forward": _forwarded,
    "case.ship_result": _result_shipped,
    "case.reship": _reshipped,
    "case.sign": _accepted,
    "case.route": _accepted,
    "case.supplement": _accepted,
    "case.materials_missing": _materials_missing,
}


def sweep_legs(now: datetime) -> dict[str, int]:
    """Marks legs still open after their expected-arrival day as overdue and escalates each once
    (``shipment.overdue`` → alerts). What it marked is no longer due, so a re-run changes nothing."""
    marked = 0
    with unit_of_work() as uow:
        due = list(uow.legs.due(now))
    for waybill in due:
        try:
            with unit_of_work() as uow:
                if _escalate_leg(uow, waybill, now):
                    marked += 1
        except Exception:  # one bad leg is logged and skipped: the run goes on
            logger.exception("leg sweep failed for a leg", extra={"waybill": waybill})
    return {"legs_overdue": marked}


def _escalate_leg(uow: UnitOfWork, waybill: str, now: datetime) -> bool:
    leg = uow.legs.find(waybill)
    if leg is None or not leg.mark_overdue(now):
        return False
    escalation = leg.overdue_event(now)
    uow.legs.update(leg)
    uow.outbox.add(escalation, once=True)
    try:
        uow.commit()
    except (ConcurrentUpdate, Duplicate):
        logger.info("leg changed during the sweep; next run looks again", extra={"waybill": waybill})
        return False
    return True

