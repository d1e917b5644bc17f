"""Domain events: what a committed change tells the rest of the system, as types.

A change is committed with its event in the outbox (one transaction); the relay puts the event on the
queues that want it, and every consumer decodes the message back into its type with ``decode``. The
payload is the event's fields by name (``encode``): one serializer for the outbox, the queues and the
alerts topic. A message that is not an event of a known type with well-formed fields raises
``MalformedEvent``, which a queue handler reports as a failed record (retried, then dead-lettered) with
a log line naming the type and the field, instead of a KeyError somewhere in a consumer.
"""
from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .workdays import iso, parse_instant


class MalformedEvent(ValueError):
    """A message that does not decode into a known event type."""

    def __init__(self, event_type: object, problem: str) -> None:
        super().__init__(f"event {event_type!r}: {problem}")
        self.event_type = event_type
        self.problem = problem


@dataclass(frozen=True)
class CaseEvent:
    """``case.<action>``: one committed step of a case. ``event_id`` is ``{case_no}#{version}``, so
    consumers drop what they have already seen; ``version`` is the case's version after the step."""

    event_id: str
    type: str
    case_no: str
    version: int
    action: str
    from_status: str
    to_status: str
    at: datetime
    matter_id: str
    receiving_office_id: str
    handling_office_id: str | None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ShipmentOverdue:
    """``shipment.overdue``: a parcel leg is still open after its expected-arrival day (an alert)."""

    event_id: str
    type: str
    case_no: str
    waybill: str
    leg_version: int
    kind: str
    from_office_id: str
    to_office_id: str | None
    to_city: str | None
    status: str
    expected_arrival: str
    at: datetime
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ReviewBad:
    """``review.bad``: a stage was rated bad (差评); the tickets queue opens its rectification ticket."""

    event_id: str
    type: str
    at: datetime
    case_no: str
    stage: str
    office_id: str
    city: str


@dataclass(frozen=True)
class TicketEvent:
    """``ticket.<action>``: one committed step of a rectification ticket (``ticket.escalated`` alerts)."""

    event_id: str
    type: str
    at: datetime
    ticket_id: str
    case_no: str
    stage: str
    office_id: str
    city: str
    status: str
    version: int
    details: dict[str, Any] = field(default_factory=dict)


DomainEvent = CaseEvent | ShipmentOverdue | ReviewBad | TicketEvent


def _kind_of(event_type: str) -> type[DomainEvent] | None:
    if event_type.startswith("case."):
        return CaseEvent
    if event_type.startswith("ticket."):
        return TicketEvent
    return {"shipment.overdue": ShipmentOverdue, "review.bad": ReviewBad}.get(event_type)


def encode(event: DomainEvent) -> dict[str, Any]:
    """The event as the JSON object stored in the outbox and sent on the queues."""
    return {f.name: _out(getattr(event, f.name)) for f in dataclasses.fields(event)}


def _out(value: Any) -> Any:
    return iso(value) if isinstance(value, datetime) else value


def decode(payload: object) -> DomainEvent:
    """The typed event of a message; ``MalformedEvent`` when the type is unknown or a field is missing or
    of the wrong kind."""
    if not isinstance(payload, dict):
        raise MalformedEvent(None, "is not a JSON object")
    event_type = payload.get("type")
    kind = _kind_of(event_type) if isinstance(event_type, str) else None
    if kind is None or not isinstance(event_type, str):
        raise MalformedEvent(event_type, "unknown event type")
    hints = typing.get_type_hints(kind)
    values: dict[str, Any] = {}
    for f in dataclasses.fields(kind):
        if f.name not in payload:
            if f.default_factory is not dataclasses.MISSING:
                continue
            raise MalformedEvent(event_type, f"field {f.name!r} is missing")
        values[f.name] = _in(event_type, f.name, hints[f.name], payload[f.name])
    return kind(**values)


def _in(event_type: str, name: str, hint: Any, value: Any) -> Any:
    allowed = typing.get_args(hint) if isinstance(hint, types.UnionType) else (hint,)
    if value is None and type(None) in allowed:
        return None
    for kind in allowed:
        if kind is datetime and isinstance(value, str):
            try:
                return parse_instant(value)
            except ValueError:
                break
        if kind is int and isinstance(value, int) and not isinstance(value, bool):
            return value
        if kind is str and isinstance(value, str):
            return value
        if typing.get_origin(kind) is dict and isinstance(value, dict):
            return value
    raise MalformedEvent(event_type, f"field {name!r} is not {hint}")
