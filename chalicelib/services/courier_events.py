"""Courier tracking events applied to legs and cases, from the courier-events queue.

DELIVERED on a materials leg signs the case in (ACCEPTED); DELIVERED on a result leg completes the case
or makes it ready for pickup at the receiving office; EXCEPTION and RETURNED_TO_SENDER raise an alert
(``case.shipment_exception``) so that staff can re-ship. The leg and the case change are written in one
transaction, both conditional on their versions, so a duplicate or out-of-order event changes nothing
twice and a race is retried from the queue.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from ..adapters.courier import CourierEvent, parse_event
from ..adapters.reference_store import catalogue
from ..bootstrap import bus, unit_of_work
from ..domain.actor import Actor
from ..domain.case import Case, Change
from ..domain.errors import InvalidInput, InvalidTransition, OutOfScope
from ..domain.shipping import Applied, LegKind, LegStatus, Shipment, courier_note
from ..domain.workdays import utcnow
from ..observability import logger
from . import parcels
from .unit_of_work import CaseRepository, UnitOfWork

COURIER = Actor.system("courier")


def accept(event: CourierEvent) -> None:
    """A tracking event from the courier's signed webhook: queued, and applied by ``apply_courier_event``
    (the webhook answers 202 at once; the queue retries and dead-letters)."""
    bus().send("courier-events", event.message())


def apply_courier_event(message: dict[str, Any]) -> None:
    try:
        event = parse_event(message)
    except InvalidInput as err:  # the webhook validated it; a malformed message can never succeed
        logger.warning("malformed courier event dropped", extra={"reason": err.message})
        return
    with unit_of_work() as uow:
        _apply(uow, event)


def _apply(uow: UnitOfWork, event: CourierEvent) -> None:
    leg = uow.legs.find(event.waybill)
    if leg is None:
        logger.warning("courier event for an unknown waybill dropped", extra={"waybill": event.waybill,
                                                                            "event": event.event.value})
        return
    if leg.parcel_id:  # a consolidated parcel (合包): the event reaches every case inside
        parcels.on_courier_event(uow, leg, event)
        return
    applied = leg.apply(event.event, event.at)
    if not applied.recorded:
        logger.info("duplicate courier event", extra={"waybill": leg.waybill, "event": event.event.value})
        return
    case, change = _case_change(uow.cases, leg, applied, event)
    if case is not None and change is not None:
        uow.cases.update(case, change)
    uow.legs.update(leg)
    uow.commit()


def _case_change(cases: CaseRepository, leg: Shipment, applied: Applied,
                 event: CourierEvent) -> tuple[Case | None, Change | None]:
    """The case change this event causes, if any: only a status newly reached on a current leg counts."""
    if leg.superseded_by is not None or not (applied.delivered_now or applied.trouble_now):
        return None, None
    case = cases.get(leg.case_no)
    at = _when(event.at, case.updated_at)
    try:
        if applied.trouble_now:
            return case, case.record_shipment_exception(COURIER, at, leg.waybill, event.event.value,
                                                        note=courier_note(leg.courier, event.event.value, leg.waybill),
                                                        reported_at=event.at)
        if leg.kind is LegKind.MATERIALS:
            matter = catalogue().matter(case.matter_id)
            return case, case.sign(COURIER, at, matter,
                                     note=courier_note(leg.courier, LegStatus.DELIVERED, leg.waybill))
        return case, case.result_arrived(COURIER, at, leg.waybill, catalogue().deadlines)
    except (InvalidTransition, OutOfScope) as err:
        # e.g. staff signed for the materials before the courier reported them delivered
        logger.info("courier event needs no case change", extra={"case_no": case.case_no,
                                                                "waybill": leg.waybill, "reason": err.message})
        return None, None


def _when(reported: datetime, last_change: datetime) -> datetime:
    """When the courier says it happened, but never in the future nor before the case's last change."""
    return max(last_change, min(reported, utcnow()))
