"""The tickets queue: bad reviews open rectification tickets (差评工单); the case events after which a
stage becomes reviewable open that stage's default-rating slot. Both are idempotent; any other message is
MalformedEvent (dead-lettered)."""
from __future__ import annotations

from typing import Any

from ..domain.events import CaseEvent, MalformedEvent, ReviewBad, decode
from . import reviews, tickets


def handle_review_event(message: dict[str, Any]) -> None:
    event = decode(message)
    if isinstance(event, ReviewBad):
        tickets.open_for_bad_review(event)
    elif isinstance(event, CaseEvent) and event.type in reviews.SLOT_EVENTS:
        reviews.open_review_slot(event)
    else:
        raise MalformedEvent(event.type, "not an event the tickets queue handles")
