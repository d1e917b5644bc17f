"""The application key, and keys derived from it for one purpose each.

In the cloud the key is a Secrets Manager secret (``APP_SECRET_ARN``), read at run time and cached for the
life of the container (re-read after ``MAX_AGE_SECONDS``, so a rotation reaches every container); it is never
in the function's environment. The local stage uses a fixed development key. Any other process has no key
and every use fails closed (:class:`MissingSecret`, a 500 that an alarm reports) rather than signing with a
guessable one.

Each purpose gets its own key, ``HMAC(app key, purpose)``: a cursor signature can never be replayed as a
walk-in subject, and the other way round.
"""
from __future__ import annotations

import hashlib
import hmac
import time

from ..config import DEFAULT_APP_SECRET, settings

MAX_AGE_SECONDS = 3600
_cache: dict[str, tuple[str, float]] = {}


class MissingSecret(RuntimeError):
    """No application key is configured for this process."""


def app_secret() -> str:
    s = settings()
    if not s.app_secret_arn:
        if s.local:  # STAGE=local set explicitly, outside Lambda
            return DEFAULT_APP_SECRET
        raise MissingSecret("APP_SECRET_ARN is not set: refusing to use a development key")
    cached = _cache.get(s.app_secret_arn)
    if cached and time.monotonic() - cached[1] < MAX_AGE_SECONDS:
        return cached[0]
    import boto3

    value = str(boto3.client("secretsmanager", region_name=s.region)
                .get_secret_value(SecretId=s.app_secret_arn)["SecretString"])
    if not value:
        raise MissingSecret(f"secret {s.app_secret_arn} is empty")
    _cache[s.app_secret_arn] = (value, time.monotonic())
    return value


def purpose_key(purpose: str) -> bytes:
    """The key for one purpose (``"cursor"``, ``"walk-in-subject"``)."""
    return hmac.new(app_secret().encode(), purpose.encode(), hashlib.sha256).digest()


def keyed_digest(purpose: str, message: bytes) -> str:
    """Hex HMAC-SHA256 of ``message`` under the purpose's key."""
    return hmac.new(purpose_key(purpose), message, hashlib.sha256).hexdigest()


def forget() -> None:
    """Drop the cached key (tests; a rotation is picked up after MAX_AGE_SECONDS anyway)."""
    _cache.clear()
