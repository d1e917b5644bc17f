"""The outbox relay: each new event (from the outbox table's stream, and a case's steps from its timeline
events' stream: adapters/event_records.py) goes to the queues that want it.

Which queues want which event type is data (``RELAY``): the consumers' queues, the applicant's
notifications for the transitions a citizen cares about, the operators' alerts topic. Every item is
decoded into its event type first: one that is not an event fails its record (retried, with a log line
naming why) rather than being sent on.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ..adapters.event_records import payload_of_stream_record
from ..bootstrap import bus
from ..domain.events import DomainEvent, decode, encode
from ..observability import logger
from .bus import BATCH_BYTES, BATCH_LIMIT


@dataclass(frozen=True)
class Destinations:
    queues: tuple[str, ...] = ()
    notify: bool = False  # the applicant gets a text (notifications queue)
    notify_only_to: str | None = None  # ... only when the change leads to this status
    alert: bool = False  # the operators' alerts topic
    notify_walk_in_only: bool = False  # ... only for an application window staff entered for a walk-in


_TICKETS, _ROUTING = ("tickets",), ("routing",)
_NOTIFY = Destinations(notify=True)

RELAY: dict[str, Destinations] = {
    "case.forward": Destinations(_ROUTING),
    "case.ship_result": Destinations(_ROUTING, notify=True),
    "case.reship": Destinations(_ROUTING),
    # A stage becomes reviewable: the tickets queue opens its default-rating slot (好差评).
    "case.receive": Destinations(_TICKETS, notify=True),
    "case.refuse": Destinations(_TICKETS, notify=True),
    "case.deliver_result": Destinations(_TICKETS, notify=True),
    "case.pickup": Destinations(_TICKETS, notify=True),
    "review.bad": Destinations(_TICKETS),
    # Accepted: the routing queue checks the matter's approval rule (秒批, services/approval.py).
    "case.sign": Destinations(_ROUTING, notify=True),
    "case.route": Destinations(_ROUTING, notify=True, notify_only_to="ACCEPTED"),  # electronic: accepted at once
    # A material arrives (容缺 or 补正) while accepted: the rule is checked again if it did not approve.
    "case.supplement": Destinations(_ROUTING),
    # A result issued as an electronic licence completes the case: the handling stage becomes reviewable.
    "case.issue_result": Destinations(_TICKETS, notify=True),
    "case.return": _NOTIFY,
    "case.decide": _NOTIFY,
    "case.result_at_pickup_office": _NOTIFY,
    "case.terminate": _NOTIFY,
    "case.remind_supplement": _NOTIFY,  # a supplement or correction deadline ends today
    "case.remind_pickup": _NOTIFY,  # a result waits for pickup
    # A walk-in application: the applicant's case number, query code and tracking link (only for walk-ins).
    "case.apply": Destinations(notify=True, notify_walk_in_only=True),
    "case.mark_overdue": Destinations(alert=True),
    "case.shipment_exception": Destinations(alert=True),
    # 缺件: a case missing from its parcel is sent again alone (routing), operators alerted, applicant told.
    "case.materials_missing": Destinations(_ROUTING, notify=True, alert=True),
    "shipment.overdue": Destinations(alert=True),
    "ticket.escalated": Destinations(alert=True),
}


def destinations(event: DomainEvent) -> list[str]:
    """The queues an event goes to (every other type of event goes nowhere)."""
    to = RELAY.get(event.type, Destinations())
    queues = list(to.queues)
    walk_in = bool((getattr(event, "details", None) or {}).get("walk_in"))
    if (to.notify and (to.notify_only_to is None or getattr(event, "to_status", None) == to.notify_only_to)
            and (walk_in or not to.notify_walk_in_only)):
        queues.append("notifications")
    return queues


def alerts(event: DomainEvent) -> bool:
    """Whether the event also goes to the operators' alerts topic."""
    return RELAY.get(event.type, Destinations()).alert


def relay(payload: dict[str, Any]) -> None:
    event = decode(payload)
    body = encode(event)
    for queue in destinations(event):
        bus().send(queue, body)
    if alerts(event):
        bus().publish("alerts", body, subject=event.type)


def relay_stream_batch(records: list[dict[str, Any]]) -> dict[str, Any]:
    """Relay a batch of stream records; report the first record not relayed (and so every later one) for
    retry, in order.

    The messages for one queue go out together, up to ten in a request (SendMessageBatch: one request where
    there were ten, at the load a stream batch holds many records). Every record before the reported one
    had each of its messages taken; messages of the reported record and later ones may have been taken too
    and are sent again with the retry, as after a crash (at least once: the consumers are idempotent)."""
    events: list[tuple[DomainEvent, dict[str, Any]] | None] = []  # each record's event and its body, once
    first_bad = len(records)
    for i, record in enumerate(records):
        try:
            payload = payload_of_stream_record(record)
            event = decode(payload) if payload is not None else None
            events.append((event, encode(event)) if event is not None else None)
        except Exception as err:
            _not_relayed(record, err)
            first_bad = i
            break
    outgoing: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    for i, decoded in enumerate(events):
        if decoded is not None:
            for queue in destinations(decoded[0]):
                outgoing.setdefault(queue, []).append((i, decoded[1]))
    for queue, messages in outgoing.items():
        for chunk in _chunks([m for m in messages if m[0] < first_bad]):
            try:
                unsent = bus().send_batch(queue, [body for _, body in chunk])
            except Exception as err:
                _not_relayed(records[chunk[0][0]], err)
                first_bad = min(first_bad, chunk[0][0])
                break
            if unsent:
                first_bad = min(first_bad, *(chunk[k][0] for k in unsent))
                logger.warning("messages not taken by their queue", extra={"queue": queue, "count": len(unsent)})
    for i, decoded in enumerate(events[:first_bad]):
        if decoded is not None and alerts(decoded[0]):
            try:
                bus().publish("alerts", decoded[1], subject=decoded[0].type)
            except Exception as err:
                _not_relayed(records[i], err)
                first_bad = i
                break
    if first_bad < len(records):
        return {"batchItemFailures": [{"itemIdentifier": _sequence(records[first_bad])}]}
    return {"batchItemFailures": []}


def _chunks(messages: list[tuple[int, dict[str, Any]]]) -> list[list[tuple[int, dict[str, Any]]]]:
    """Runs of at most BATCH_LIMIT messages and BATCH_BYTES of bodies, in order."""
    chunks: list[list[tuple[int, dict[str, Any]]]] = []
    size = 0
    for message in messages:
        length = len(json.dumps(message[1], ensure_ascii=False).encode())
        if not chunks or len(chunks[-1]) == BATCH_LIMIT or size + length > BATCH_BYTES:
            chunks.append([])
            size = 0
        chunks[-1].append(message)
        size += length
    return chunks


def _sequence(record: dict[str, Any]) -> Any:
    return record.get("dynamodb", {}).get("SequenceNumber")


def _not_relayed(record: dict[str, Any], err: Exception) -> None:
    logger.exception("outbox record not relayed", extra={"sequence_number": _sequence(record),
                                                         "reason": type(err).__name__})
