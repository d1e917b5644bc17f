"""The outbox relay: each new outbox item (from the table's stream) goes to the queues that want it.

Which queue wants which event type is data (``QUEUES_FOR``); notifications go to applicants for the
transitions a citizen cares about, alerts to the operators' topic.
"""
from __future__ import annotations

import json
from typing import Any

from ..adapters import messaging

QUEUES_FOR: dict[str, tuple[str, ...]] = {
    "case.forward": ("routing",),
    "case.ship_result": ("routing",),
    "case.reship": ("routing",),
    "review.bad": ("tickets",),
    # A stage becomes reviewable: the tickets queue opens its default-rating slot (好差评).
    "case.receive": ("tickets",),
    "case.refuse": ("tickets",),
    "case.deliver_result": ("tickets",),
    "case.pickup": ("tickets",),
}

NOTIFY: frozenset[str] = frozenset({
    "case.receive", "case.refuse", "case.sign", "case.route", "case.return", "case.decide",
    "case.ship_result", "case.result_at_pickup_office", "case.deliver_result", "case.pickup",
    "case.terminate", "case.remind_supplement", "case.remind_pickup",
})

ALERTS: frozenset[str] = frozenset({
    "case.mark_overdue", "case.shipment_exception", "shipment.overdue", "ticket.escalated",
})


def destinations(event: dict[str, Any]) -> list[str]:
    etype = event.get("type", "")
    queues = list(QUEUES_FOR.get(etype, ()))
    if etype in NOTIFY and not (etype == "case.route" and event.get("to_status") != "ACCEPTED"):
        queues.append("notifications")
    if etype == "case.apply" and (event.get("details") or {}).get("walk_in"):
        queues.append("notifications")  # the walk-in applicant's case number, query code and link
    return queues


def payload_of_stream_record(record: dict[str, Any]) -> dict[str, Any] | None:
    """The outbox payload of a DynamoDB stream record (INSERTs only; TTL deletions are ignored)."""
    if record.get("eventName") != "INSERT":
        return None
    image = record.get("dynamodb", {}).get("NewImage", {})
    raw = image.get("payload", {}).get("S")
    return json.loads(raw) if raw else None


def relay(event: dict[str, Any]) -> None:
    for queue in destinations(event):
        messaging.send(queue, event)
    if event.get("type") in ALERTS:
        messaging.publish("alerts", event, subject=event.get("type", "alert"))


def relay_stream_batch(records: list[dict[str, Any]]) -> dict[str, Any]:
    """Relay a batch; report the first failed record (and so every later one) for retry, in order."""
    for record in records:
        try:
            payload = payload_of_stream_record(record)
            if payload is not None:
                relay(payload)
        except Exception:
            return {"batchItemFailures": [{"itemIdentifier": record["dynamodb"]["SequenceNumber"]}]}
    return {"batchItemFailures": []}
