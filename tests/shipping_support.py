"""Helpers for the routing and handling tests: signed courier webhooks and the case's legs."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.adapters.courier import signed_body
from tests.support import call, citizen, staff

BASE = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # Monday 09:00 CST, a working day


def at(minutes: int) -> str:
    """A fixed instant (ISO-8601 with offset): courier events in tests carry deterministic times."""
    return (BASE + timedelta(minutes=minutes)).isoformat()


def courier_event(client: Any, waybill: str, event: str, when: str, signature: str | None = None) -> tuple[int, Any]:
    """POST one courier event to the webhook, signed like the courier signs it."""
    raw, good = signed_body({"waybill": waybill, "event": event, "at": when})
    resp = client.http.post("/webhooks/courier", body=raw,
                            headers={"Content-Type": "application/json",
                                     "X-Signature": good if signature is None else signature})
    import json

    return resp.status_code, json.loads(resp.body) if resp.body else None


def legs_of(client: Any, case_no: str, hdrs: dict[str, str] | None = None) -> list[dict[str, Any]]:
    status, data = call(client, "GET", f"/cases/{case_no}/shipments", hdrs or citizen())
    assert status == 200, data
    return list(data["items"])


def case_of(client: Any, case_no: str) -> dict[str, Any]:
    status, data = call(client, "GET", f"/cases/{case_no}", citizen())
    assert status == 200, data
    return dict(data)


def forward_and_route(client: Any, pump: Any, case_no: str, office: str) -> dict[str, Any]:
    status, data = call(client, "POST", f"/cases/{case_no}/forward", staff(office))
    assert status == 200 and data["status"] == "IN_TRANSIT", data
    pump.run_until_idle()
    return case_of(client, case_no)


def deliver(client: Any, pump: Any, waybill: str, start: int = 0) -> None:
    """The courier reports a leg picked up, in transit and delivered; the pump applies the events."""
    for i, event in enumerate(("PICKED_UP", "IN_TRANSIT", "DELIVERED")):
        status, data = courier_event(client, waybill, event, at(start + i))
        assert status == 202, data
    pump.run_until_idle()
