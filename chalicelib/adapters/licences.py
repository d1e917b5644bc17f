"""The provincial licence library (电子证照库) and the social-insurance records behind two ports.

``LicenceLibrary``: look up a holder's licence of a type (with the applicant's consent), verify a licence
number, issue a licence to a holder for a case's result (idempotent per case: a repeated issue after a lost
reply yields the same licence). ``SocialInsuranceRecords``: the contribution months of a holder (the inputs
of the 秒批 rule of DG-SI-CERT).

``HttpProvincialServices`` is the cloud client of both. Its endpoint and credentials are one Secrets Manager
secret (``LICENCE_SERVICE_SECRET_ARN``: JSON ``{"endpoint", "app_id", "key"}``), read at run time and cached
like the courier's key; the local stage takes ``LICENCE_SERVICE_URL`` (the simulator, tools/licence_sim.py)
and a development key. Every request is signed (``X-App-Id``, ``X-Timestamp``, ``X-Nonce``, ``X-Signature``:
hex HMAC-SHA256 of ``timestamp\\nnonce\\nMETHOD\\npath\\nsha256(body)``), has a timeout and is retried on
network errors, timeouts and 5xx with a short backoff within a deadline; a refusal (4xx) is not retried.
Anything that does not give an answer is :class:`LicenceServiceUnavailable`: callers carry on on paper.

Only urllib and the standard library: nothing heavy in the Lambda package.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any, Protocol

from ..config import settings
from ..domain.licences import Consent, Licence

DEV_LICENCE_KEY = "local-licence-key-not-for-any-cloud-stage"
DEV_APP_ID = "kc-local"
SECRET_CACHE_SECONDS = 300
_secret_cache: dict[str, tuple[dict[str, str], float]] = {}


class LicenceServiceUnavailable(RuntimeError):
    """The service failed, timed out, is not configured or answered nonsense: no answer to rely on."""


class LicenceRequestRefused(RuntimeError):
    """The service refused the request (4xx: no consent on its side, bad request); retrying will not help."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{status}: {message}")
        self.status = status


class LicenceLibrary(Protocol):
    def lookup(self, holder_id_number: str, licence_type: str, consent: Consent) -> Licence | None:
        """The holder's current licence of this type, or None; only with the applicant's consent."""
        ...

    def verify(self, licence_no: str) -> Licence | None:
        """The licence of that number if it exists and is valid today, else None."""
        ...

    def issue(self, case_no: str, licence_type: str, holder_id_number: str, holder_name: str,
              issuer: str) -> Licence:
        """Issue a result licence to the holder; idempotent per ``case_no``."""
        ...


class SocialInsuranceRecords(Protocol):
    def contributions(self, holder_id_number: str, consent: Consent) -> list[str] | None:
        """The months (``YYYY-MM``) the holder's contributions were paid, or None when there is no record."""
        ...


def sign(key: str, method: str, path: str, body: bytes, timestamp: str, nonce: str) -> str:
    message = "\n".join((timestamp, nonce, method.upper(), path, hashlib.sha256(body).hexdigest()))
    return hmac.new(key.encode(), message.encode(), hashlib.sha256).hexdigest()


def licence_from(data: Any) -> Licence | None:
    if data is None:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("licence_no"), str):
        raise LicenceServiceUnavailable("malformed licence in the answer")
    return Licence(licence_no=data["licence_no"], licence_type=str(data.get("licence_type", "")),
                   issuer=str(data.get("issuer", "")), valid_from=data.get("valid_from"),
                   valid_until=data.get("valid_until"), holder_id_number=str(data.get("holder_id_number", "")),
                   holder_name=str(data.get("holder_name", "")))


@dataclass
class HttpProvincialServices:
    """The signed HTTP client of the provincial licence library and social-insurance records."""

    endpoint: str
    app_id: str
    key: str
    timeout: float = 2.0  # per attempt: an application waits at most about attempts × timeout
    attempts: int = 3
    backoff: float = 0.1
    deadline: float = 6.0  # all attempts of one call together

    def __post_init__(self) -> None:
        # https only; plain http to loopback is the local simulator. No file: or other schemes via the secret.
        local = self.endpoint.startswith(("http://127.0.0.1:", "http://localhost:"))
        if not (self.endpoint.startswith("https://") or local):
            raise LicenceServiceUnavailable("the licence service endpoint must be an https URL")

    def _call(self, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        started = time.monotonic()
        last = "no attempt"
        for attempt in range(self.attempts):
            if attempt:
                time.sleep(self.backoff * 2 ** (attempt - 1))
            left = self.deadline - (time.monotonic() - started)
            if left <= 0:
                break
            stamp, nonce = str(int(time.time())), secrets.token_hex(8)
            request = urllib.request.Request(  # noqa: S310 - the scheme is checked in __post_init__
                self.endpoint.rstrip("/") + path, data=body, method="POST",
                headers={"Content-Type": "application/json", "X-App-Id": self.app_id, "X-Timestamp": stamp,
                         "X-Nonce": nonce, "X-Signature": sign(self.key, "POST", path, body, stamp, nonce)})
            try:
                with urllib.request.urlopen(request, timeout=min(self.timeout, left)) as answer:  # noqa: S310
                    raw = answer.read(1_000_000)
                data = json.loads(raw)
                if not isinstance(data, dict):
                    raise LicenceServiceUnavailable("the answer is not a JSON object")
                return data
            except urllib.error.HTTPError as err:
                if 400 <= err.code < 500 and err.code != 429:
                    raise LicenceRequestRefused(err.code, _message(err)) from None
                last = f"HTTP {err.code}"
            except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as err:
                last = type(err).__name__
            except ValueError:  # JSON that does not parse: a broken proxy or service
                last = "malformed answer"
        raise LicenceServiceUnavailable(f"licence service gave no answer ({last})")

    def lookup(self, holder_id_number: str, licence_type: str, consent: Consent) -> Licence | None:
        data = self._call("/v1/licences/lookup", {
            "holder_id_number": holder_id_number, "licence_type": licence_type,
            "consent": {"case_no": consent.case_no, "licence_type": consent.licence_type,
                        "purpose": consent.purpose}})
        return licence_from(data.get("licence"))

    def verify(self, licence_no: str) -> Licence | None:
        data = self._call("/v1/licences/verify", {"licence_no": licence_no})
        return licence_from(data.get("licence")) if data.get("valid") else None

    def issue(self, case_no: str, licence_type: str, holder_id_number: str, holder_name: str,
              issuer: str) -> Licence:
        data = self._call("/v1/licences/issue", {
            "request_id": case_no, "licence_type": licence_type, "holder_id_number": holder_id_number,
            "holder_name": holder_name, "issuer": issuer})
        licence = licence_from(data.get("licence"))
        if licence is None:
            raise LicenceServiceUnavailable("issue answered without a licence")
        return licence

    def contributions(self, holder_id_number: str, consent: Consent) -> list[str] | None:
        data = self._call("/v1/social-insurance/contributions", {
            "holder_id_number": holder_id_number,
            "consent": {"case_no": consent.case_no, "licence_type": consent.licence_type,
                        "purpose": consent.purpose}})
        months = data.get("months")
        if months is None:
            return None
        if not isinstance(months, list) or not all(isinstance(m, str) for m in months):
            raise LicenceServiceUnavailable("malformed contribution months")
        return list(months)


def _message(err: urllib.error.HTTPError) -> str:
    try:
        return str(json.loads(err.read(10_000)).get("message", ""))[:200]
    except Exception:
        return ""


class UnavailableServices:
    """No licence service is configured for this process: every call fails closed (the paper way)."""

    def lookup(self, holder_id_number: str, licence_type: str, consent: Consent) -> Licence | None:
        raise LicenceServiceUnavailable("no licence service is configured")

    def verify(self, licence_no: str) -> Licence | None:
        raise LicenceServiceUnavailable("no licence service is configured")

    def issue(self, case_no: str, licence_type: str, holder_id_number: str, holder_name: str,
              issuer: str) -> Licence:
        raise LicenceServiceUnavailable("no licence service is configured")

    def contributions(self, holder_id_number: str, consent: Consent) -> list[str] | None:
        raise LicenceServiceUnavailable("no licence service is configured")


def credentials(max_age: float = SECRET_CACHE_SECONDS) -> dict[str, str] | None:
    """Endpoint, app id and key: the Secrets Manager secret (LICENCE_SERVICE_SECRET_ARN) or, on the local
    stage only, LICENCE_SERVICE_URL with the development key; None when neither is set."""
    arn = os.environ.get("LICENCE_SERVICE_SECRET_ARN", "")
    if arn:
        cached = _secret_cache.get(arn)
        if cached and time.monotonic() - cached[1] < max_age:
            return cached[0]
        import boto3

        raw = boto3.client("secretsmanager", region_name=settings().region).get_secret_value(SecretId=arn)
        value = json.loads(raw["SecretString"])
        found = {k: str(value.get(k, "")) for k in ("endpoint", "app_id", "key")}
        if not all(found.values()):
            raise LicenceServiceUnavailable("the licence service secret lacks endpoint, app_id or key")
        _secret_cache[arn] = (found, time.monotonic())
        return found
    url = os.environ.get("LICENCE_SERVICE_URL", "")
    if url and settings().local:
        return {"endpoint": url, "app_id": DEV_APP_ID,
                "key": os.environ.get("LICENCE_SERVICE_KEY", DEV_LICENCE_KEY)}
    return None


def forget_secret() -> None:
    _secret_cache.clear()


def provincial_services() -> HttpProvincialServices | UnavailableServices:
    """The configured client (credentials read lazily, cached), or one that fails closed."""
    try:
        found = credentials()
    except LicenceServiceUnavailable:
        return UnavailableServices()
    except Exception:
        return UnavailableServices()
    if found is None:
        return UnavailableServices()
    return HttpProvincialServices(found["endpoint"], found["app_id"], found["key"],
                                  timeout=float(os.environ.get("LICENCE_SERVICE_TIMEOUT", "2")))
