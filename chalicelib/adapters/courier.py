"""The courier (EMS 政务专递 by default) behind one interface: book a leg, and read its signed webhooks.

``Courier.book`` returns the waybill for a leg. It must be idempotent on the leg id (the courier's
customer order number): planning the same leg twice gets the same waybill, so a redelivered routing
message never books a second parcel. The local implementation derives the waybill from the leg id;
a real courier client passes the leg id as its order number and returns the waybill it is given.

Webhooks carry ``X-Signature``: the hex HMAC-SHA256 of the raw body with the shared secret.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from ..config import settings
from ..domain.errors import InvalidInput
from ..domain.identity import mask_name, mask_phone
from ..domain.shipping import COURIER_EVENTS, LegStatus
from ..domain.workdays import CST, iso, parse_instant

WAYBILL = re.compile(r"^[A-Za-z0-9-]{4,64}$")


@dataclass(frozen=True)
class Booking:
    """What a courier needs to take a parcel: where from, and who receives it where (name, address, phone).
    The recipient's details are personal data when the parcel goes to the applicant: ``repr`` (and so any
    log line) shows them masked."""

    leg_id: str
    courier: str
    from_office_id: str
    to_office_id: str | None
    to_city: str | None
    recipient_name: str = field(default="", repr=False)
    recipient_address: str = field(default="", repr=False)
    recipient_phone: str = field(default="", repr=False)

    def __repr__(self) -> str:
        return (f"Booking(leg_id={self.leg_id!r}, courier={self.courier!r}, from_office_id={self.from_office_id!r}, "
                f"to_office_id={self.to_office_id!r}, to_city={self.to_city!r}, "
                f"recipient_name={mask_name(self.recipient_name)!r}, recipient_address="
                f"{self.recipient_address[:6] + '…' if self.recipient_address else ''!r}, "
                f"recipient_phone={mask_phone(self.recipient_phone)!r})")

    __str__ = __repr__


class Courier(Protocol):
    def book(self, booking: Booking) -> str:
        """Book a parcel pickup for this leg; returns the waybill (idempotent on ``booking.leg_id``)."""
        ...


class LocalCourier:
    """Deterministic waybills, no outside service: courier code + 12 digits derived from the leg id."""

    def book(self, booking: Booking) -> str:
        digits = int(hashlib.sha256(booking.leg_id.encode()).hexdigest(), 16) % 10**12
        prefix = re.sub(r"[^A-Z0-9]", "", booking.courier.upper())[:4] or "KC"
        return f"{prefix}{digits:012d}"


def courier() -> Courier:
    return LocalCourier()


# ---------------------------------------------------------------- webhooks


@dataclass(frozen=True)
class CourierEvent:
    waybill: str
    event: LegStatus
    at: datetime

    def message(self) -> dict[str, str]:
        return {"waybill": self.waybill, "event": self.event.value, "at": iso(self.at)}


def signature(raw: bytes, secret: str | None = None) -> str:
    key = (secret if secret is not None else settings().courier_webhook_secret).encode()
    return hmac.new(key, raw, hashlib.sha256).hexdigest()


def signature_valid(raw: bytes, given: str | None) -> bool:
    """Constant-time check of ``X-Signature``; an unset secret accepts nothing."""
    secret = settings().courier_webhook_secret
    if not secret or not given:
        return False
    return hmac.compare_digest(signature(raw, secret), given.strip().lower())


def parse_event(data: dict[str, Any]) -> CourierEvent:
    """Validate a webhook body ``{"waybill", "event", "at"}``; the error names the field."""
    waybill = data.get("waybill")
    if not isinstance(waybill, str) or not WAYBILL.match(waybill):
        raise InvalidInput("waybill", "must be 4 to 64 letters, digits or '-'")
    event = data.get("event")
    if event not in COURIER_EVENTS:
        raise InvalidInput("event", f"must be one of {', '.join(COURIER_EVENTS)}")
    at = data.get("at")
    if not isinstance(at, str) or len(at) > 40:
        raise InvalidInput("at", "must be an ISO-8601 date and time")
    try:
        instant = parse_instant(at, local=CST)  # mainland couriers report China Standard Time
    except ValueError:
        raise InvalidInput("at", "must be an ISO-8601 date and time") from None
    return CourierEvent(waybill, LegStatus(event), instant)


def signed_body(event: dict[str, Any], secret: str | None = None) -> tuple[bytes, str]:
    """A webhook body and its signature, as a courier sends them (the simulator and tests use this)."""
    raw = json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode()
    return raw, signature(raw, secret)
