"""The courier (EMS 政务专递 by default) behind one interface: book a leg, and read its signed webhooks.

``Courier.book`` returns the waybill for a leg. It must be idempotent on the leg id (the courier's
customer order number): planning the same leg twice gets the same waybill, so a redelivered routing
message never books a second parcel. The local implementation derives the waybill from the leg id;
a real courier client passes the leg id as its order number and returns the waybill it is given.

Webhooks carry ``X-Timestamp`` (Unix seconds) and ``X-Signature``: the hex HMAC-SHA256, with the shared
key, of ``timestamp + "." + raw body``. A timestamp more than five minutes from our clock is refused, so a
captured request cannot be replayed later (docs/courier-webhook.md is the courier's side).

The local stage also accepts the older body-only form (``X-Signature`` = HMAC of the raw body, no
``X-Timestamp``) because DESIGN §6 defines that form and outside contract checks drive the local stack with
it; no cloud stage accepts it. In the cloud the key is read from Secrets Manager at run time
(COURIER_WEBHOOK_SECRET_ARN) and cached, never from a plain environment variable.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from ..config import settings
from ..domain.errors import InvalidInput
from ..domain.identity import mask_name, mask_phone
from ..domain.shipping import COURIER_EVENTS, LegStatus
from ..domain.workdays import CST, iso, parse_instant

WAYBILL = re.compile(r"^[A-Za-z0-9-]{4,64}$")
EVENT_AGE_LIMIT = timedelta(days=366)
HEX_SIGNATURE = re.compile(r"^[0-9a-fA-F]{64}$")


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


MAX_SKEW_SECONDS = 300  # how far X-Timestamp may be from our clock, either way
SECRET_CACHE_SECONDS = 300  # how long a key read from Secrets Manager is used before it is read again
# A signature that does not match a key read longer ago than this re-reads the key once (a rotation), so a
# rotated key works within a minute while forged requests cost at most one read a minute.
SECRET_REFRESH_SECONDS = 60
HEX_SIGNATURE = re.compile(r"^[0-9a-fA-F]{64}$")
TIMESTAMP = re.compile(r"^[0-9]{1,12}$")
_secret_cache: dict[str, tuple[str, float]] = {}  # secret ARN → (key, when read, monotonic)


def webhook_secret(max_age: float = SECRET_CACHE_SECONDS) -> str:
    """The courier's HMAC key: from Secrets Manager when COURIER_WEBHOOK_SECRET_ARN is set (cached for
    ``max_age`` seconds, so a rotated key is picked up without a deployment), else the local stage's
    COURIER_WEBHOOK_SECRET. Empty when there is none: then no webhook is accepted."""
    s = settings()
    if not s.courier_webhook_secret_arn:
        return s.courier_webhook_secret
    cached = _secret_cache.get(s.courier_webhook_secret_arn)
    if cached and time.monotonic() - cached[1] < max_age:
        return cached[0]
    import boto3

    client = boto3.client("secretsmanager", region_name=s.region)
    value = str(client.get_secret_value(SecretId=s.courier_webhook_secret_arn)["SecretString"])
    _secret_cache[s.courier_webhook_secret_arn] = (value, time.monotonic())
    return value


def forget_secret() -> None:
    _secret_cache.clear()


def signature(raw: bytes, secret: str | None = None, timestamp: str | None = None) -> str:
    """Hex HMAC-SHA256 of ``timestamp + "." + raw`` (of ``raw`` alone when there is no timestamp)."""
    key = (secret if secret is not None else webhook_secret()).encode()
    message = raw if timestamp is None else timestamp.encode() + b"." + raw
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def signature_valid(raw: bytes, given: str | None, timestamp: str | None = None,
                    now: float | None = None) -> bool:
    """Constant-time check of ``X-Signature`` (and ``X-Timestamp``); an unset key accepts nothing.

    Without a timestamp only the local stage accepts a signature (of the body alone, DESIGN §6)."""
    if not given or not HEX_SIGNATURE.match(given.strip()):
        return False  # also keeps non-ASCII text out of compare_digest, which raises on it
    if timestamp is None:
        if not settings().local:
            return False
    else:
        if not TIMESTAMP.match(timestamp.strip()):
            return False
        timestamp = timestamp.strip()
        if abs((time.time() if now is None else now) - int(timestamp)) > MAX_SKEW_SECONDS:
            return False
    given = given.strip().lower()
    secret = webhook_secret()
    if secret and hmac.compare_digest(signature(raw, secret, timestamp), given):
        return True
    fresh = webhook_secret(max_age=SECRET_REFRESH_SECONDS)  # the key may have been rotated
    return bool(fresh) and fresh != secret and hmac.compare_digest(signature(raw, fresh, timestamp), given)


def parse_event(data: dict[str, Any], received_at: datetime | None = None) -> CourierEvent:
    """Validate a webhook body ``{"waybill", "event", "at"}``; the error names the field. With
    ``received_at`` (the webhook, where events enter) ``at`` must also lie within a year of it."""
    waybill = data.get("waybill")
    if not isinstance(waybill, str) or not WAYBILL.fullmatch(waybill):
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
    if received_at is not None and abs(instant - received_at) > EVENT_AGE_LIMIT:
        # A parcel event is recent: year 0001 or 9999 is a courier's bug, and later date arithmetic (working
        # days, overdue checks) must never meet an instant at the edge of datetime's range.
        raise InvalidInput("at", "must be within a year of now")
    return CourierEvent(waybill, LegStatus(event), instant)


def signed_body(event: dict[str, Any], secret: str | None = None) -> tuple[bytes, str]:
    """A webhook body and its body-only signature (DESIGN §6's form, accepted by the local stage only)."""
    raw = json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode()
    return raw, signature(raw, secret)


def signed_request(event: dict[str, Any], secret: str | None = None,
                   timestamp: int | None = None) -> tuple[bytes, dict[str, str]]:
    """A webhook body and its headers, as a courier sends them in every stage (timestamped signature)."""
    raw = json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode()
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    return raw, {"Content-Type": "application/json", "X-Timestamp": stamp,
                 "X-Signature": signature(raw, secret, stamp)}
