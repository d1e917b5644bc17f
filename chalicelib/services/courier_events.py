"""Courier tracking events applied to shipments and cases. (Issue 3 fills this in.)"""
from __future__ import annotations

from typing import Any


def apply_courier_event(event: dict[str, Any]) -> None:
    raise NotImplementedError("courier events are not built yet")
