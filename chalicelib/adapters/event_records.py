"""The stored events the relay reads from the tables' streams, in their two shapes (no PynamoDB here: the relay's
Lambda function loads only this, the domain events and boto3).

- An **outbox item** (``models.OutboxRecord``): the encoded event in ``payload``. The events that are not a
  case's step go this way: a ticket's, a review's, a parcel's, an overdue leg's.
- A case's **timeline event** (``models.CaseEventRecord``): a case's step is committed with its timeline
  event, which is also its outbox record. The event the queues get is the timeline entry (``event``: the step's
  number, time, action, statuses and details) and four more attributes (``relay_fields``): the event's type and
  the case's matter and offices. One item where there were two: two write units less a transaction (docs/
  PERFORMANCE.md, "Issue 15: one event item a step"). A timeline event written before (no ``event_type``) is
  never relayed from here: its event was in the outbox table.
"""
from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..domain.case import Case, Change


RELAY_FIELDS = ("event_type", "matter_id", "receiving_office_id", "handling_office_id")


def relay_fields(case: Case, change: Change) -> dict[str, str | None]:
    """What a timeline event stores for the relay besides the timeline entry."""
    return {"event_type": change.event_type, "matter_id": case.matter_id,
            "receiving_office_id": case.receiving_office_id, "handling_office_id": case.handling_office_id}


def relay_fields_of(record: Any) -> dict[str, str | None]:
    """The relay's fields of a stored timeline event (a ``models.CaseEventRecord``)."""
    return {name: getattr(record, name) for name in RELAY_FIELDS}


def case_event_payload(case_no: str, entry: dict[str, Any], fields: dict[str, Any]) -> dict[str, Any]:
    """The encoded ``CaseEvent`` of a stored timeline event: what ``encode(case_event(case, change))`` gave for
    the change (tests/unit/test_event_records.py holds them equal)."""
    seq = entry.get("seq")
    return {"event_id": f"{case_no}#{seq}", "type": fields.get("event_type"), "case_no": case_no, "version": seq,
            "action": entry.get("action"), "from_status": entry.get("from_status"),
            "to_status": entry.get("to_status"), "at": entry.get("at"), "matter_id": fields.get("matter_id"),
            "receiving_office_id": fields.get("receiving_office_id"),
            "handling_office_id": fields.get("handling_office_id"), "details": entry.get("details", {})}


def _text(image: dict[str, Any], name: str) -> str | None:
    value = image.get(name)
    return value.get("S") if isinstance(value, dict) else None


def payload_of_stream_record(record: dict[str, Any]) -> dict[str, Any] | None:
    """The encoded event of a stream record of either table (INSERTs only: TTL deletions and anything else
    are not events), or None when the item holds none. A malformed stored value raises ``ValueError``: the
    record fails and is retried, then kept by the failure destination."""
    if record.get("eventName") != "INSERT":
        return None
    image = record.get("dynamodb", {}).get("NewImage", {})
    payload = _text(image, "payload")
    if payload is not None:
        return dict(json.loads(payload))
    event_type, raw_entry, case_no = _text(image, "event_type"), _text(image, "event"), _text(image, "case_no")
    if event_type is None or raw_entry is None or case_no is None:
        return None  # a timeline event of before (its event went through the outbox table)
    entry = json.loads(raw_entry)
    if not isinstance(entry, dict):
        raise ValueError("a timeline event that is not a JSON object")
    return case_event_payload(case_no, entry, {name: _text(image, name) for name in RELAY_FIELDS})
