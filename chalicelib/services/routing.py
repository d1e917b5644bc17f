"""Mail-back routing (邮寄寄递): plans parcel legs on the routing queue. (Issue 3 fills this in.)"""
from __future__ import annotations

from typing import Any


def handle_routing_event(event: dict[str, Any]) -> None:
    """Handle one routing-queue message (case.forward, case.ship_result, case.reship)."""
    raise NotImplementedError("routing is not built yet")


def public_shipments(case_no: str) -> list[dict[str, Any]]:
    """The case's parcel legs without personal data (for public tracking)."""
    return []
