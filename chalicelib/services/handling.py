"""Handling (属地办理): forward, sign, return for correction, decide, ship the result, pickup, re-ship.

One function per use case: load the case, call the domain, commit the change with its timeline and
outgoing event. Parcels are planned by the router from those events (services/routing.py).
"""
from __future__ import annotations

from datetime import datetime

from ..adapters.reference_store import catalogue
from ..bootstrap import unit_of_work
from ..domain.access import require_read
from ..domain.actor import Actor
from ..domain.case import Case, DeliveryMethod
from ..domain.errors import InvalidTransition, NotFound, OutOfScope
from ..domain.lifecycle import Action
from ..domain.shipping import Shipment
from ..domain.workdays import utcnow
from . import licences, parcels
from .case_steps import change_case
from .unit_of_work import UnitOfWork


def forward(actor: Actor, case_no: str, note: str = "", now: datetime | None = None, urgent: bool = False) -> Case:
    """转办: the receiving office sends the case on; the router picks the office and plans the parcel (the
    pair's daily parcel, 合包; an urgent case, 加急, alone)."""
    return change_case(case_no, lambda case: case.forward(actor, now or utcnow(), note, urgent=urgent))


def sign(actor: Actor, case_no: str, note: str = "", now: datetime | None = None) -> Case:
    """签收: handling staff sign for the arrived materials (the courier's DELIVERED does the same). A case
    that travelled in a sealed parcel is signed on its handover list in the same transaction."""
    with unit_of_work() as uow:
        case = uow.cases.get(case_no)
        at = now or utcnow()
        change = case.sign(actor, at, catalogue().matter(case.matter_id), note)
        parcels.sign_for_case(uow, actor, case, at)
        uow.cases.update(case, change)
        uow.commit()
        return case


def return_for_correction(actor: Actor, case_no: str, reason: str, now: datetime | None = None) -> Case:
    """退回补正."""
    days = catalogue().deadlines.correction_working_days
    return change_case(case_no, lambda case: case.return_for_correction(actor, now or utcnow(), reason, days))


def decide(actor: Actor, case_no: str, approved: bool, note: str = "", now: datetime | None = None) -> Case:
    deadlines = catalogue().deadlines
    return change_case(case_no, lambda case: case.decide(actor, now or utcnow(), approved, note, deadlines))


def ship_result(actor: Actor, case_no: str, note: str = "", now: datetime | None = None) -> Case:
    """Send the result back as the applicant chose; the router plans the result leg. A result to be delivered
    as an electronic licence is issued instead (services/licences.py): no parcel."""
    with unit_of_work() as uow:
        if uow.cases.get(case_no).delivery.method == DeliveryMethod.ELECTRONIC:
            return licences.issue_result(actor, case_no, note, now)
    deadlines = catalogue().deadlines
    return change_case(case_no, lambda case: case.ship_result(actor, now or utcnow(), note, deadlines))


def pickup(actor: Actor, case_no: str, note: str = "", now: datetime | None = None) -> Case:
    """领取: staff of the pickup office hand the result over."""
    return change_case(case_no, lambda case: case.pickup(actor, now or utcnow(), note))


def reship(actor: Actor, case_no: str, waybill: str | None = None, note: str = "",
           now: datetime | None = None) -> Case:
    """重新寄递: staff of the sending office send again a parcel that went wrong (exception, returned to
    sender, or overdue). The router books the new leg and marks the old one superseded."""
    with unit_of_work() as uow:
        case = uow.cases.get(case_no)
        at = now or utcnow()
        case.require(Action.RESHIP, actor)  # who and when, before which parcel
        leg = _leg_to_reship(uow, case, waybill)
        if leg.from_office_id != actor.office_id:
            raise OutOfScope(f"only staff of {leg.from_office_id}, which sent {leg.waybill}, can re-ship it")
        if not leg.reshippable:
            raise InvalidTransition(
                f"shipment {leg.waybill} is {leg.status.value}; only a parcel with an exception, returned to "
                "sender or overdue can be re-shipped", current_status=leg.status.value,
            )
        uow.cases.update(case, case.reship(actor, at, leg.waybill, note))
        uow.commit()
        return case


def _leg_to_reship(uow: UnitOfWork, case: Case, waybill: str | None) -> Shipment:
    legs = uow.legs
    case_no, status, awaited = case.case_no, case.status, case.awaited_leg()
    if waybill:
        leg = legs.find(waybill)
        # A case's own leg, or the leg of a consolidated parcel (合包) it travels in: re-shipping the latter
        # sends this case again alone (the parcel's other cases are re-shipped, or arrive, on their own).
        if leg is None or (leg.case_no != case_no and leg.parcel_id not in case.parcels):
            raise NotFound(f"shipment {waybill} of case {case_no} not found")
        if leg.kind is not awaited:
            raise InvalidTransition(f"shipment {waybill} is not the parcel a {status.value} case waits for",
                                    current_status=status.value)
        return leg
    current = [leg for leg in parcels.legs_of_case(uow, case)
               if leg.kind is awaited and leg.superseded_by is None and leg.waybill not in case.reshipped]
    if not current:
        raise InvalidTransition("the case has no parcel on its way yet", current_status=status.value)
    return legs.get(current[-1].waybill)  # consistent read of the latest leg


def shipments_for(actor: Actor, case_no: str) -> tuple[Case, list[Shipment]]:
    """The case's legs with their tracking events, for whoever may read the case."""
    with unit_of_work() as uow:
        case = uow.cases.get(case_no)
        require_read(actor, case)
        return case, parcels.legs_of_case(uow, case)
