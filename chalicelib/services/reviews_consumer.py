"""Opens rectification tickets for bad reviews from the tickets queue. (Issue 4 fills this in.)"""
from __future__ import annotations

from typing import Any


def handle_review_event(event: dict[str, Any]) -> None:
    raise NotImplementedError("tickets are not built yet")
