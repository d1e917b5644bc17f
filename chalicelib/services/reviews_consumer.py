"""The tickets queue: bad reviews open rectification tickets (差评工单); the case events after which a
stage becomes reviewable open that stage's default-rating slot. Both are idempotent."""
from __future__ import annotations

from typing import Any

from ..observability import logger
from . import reviews, tickets


def handle_review_event(event: dict[str, Any]) -> None:
    etype = event.get("type", "")
    if etype == "review.bad":
        tickets.open_for_bad_review(event)
    elif etype in reviews.SLOT_EVENTS:
        reviews.open_review_slot(event)
    else:
        logger.info("tickets queue ignored an event", extra={"event_type": etype})
