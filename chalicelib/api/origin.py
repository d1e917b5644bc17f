"""Only requests that came through the stage's CloudFront distribution (and so through its WAF web ACL) reach
the routes.

An HTTP API cannot have a WAF web ACL of its own and its execute-api endpoint is public, so CloudFront adds a
secret header (``X-Origin-Verify``) to every request it sends to the API (infra/console.py), and this HTTP
middleware, the first to run after the correlation id is set, refuses any request without it (403) before a
route, the body parser or a table is touched. The secret lives in Secrets Manager (``ORIGIN_SECRET_ARN``),
read at run time and cached for ``MAX_AGE_SECONDS``; both its current and its previous version are accepted,
so a rotation (infra/README.md) never refuses CloudFront's requests while the distribution changes over.

No ``ORIGIN_SECRET_ARN`` (the local stage, tests): there is no CloudFront, nothing is checked. A secret that
cannot be read refuses every request (503): fail closed.

While a live stage moves from its REST API to the HTTP API (``ORIGIN_CHECK_EXEMPTS_REST=1``, set by the stack
with ``-c restApi=keep``), requests delivered by the REST API pass: that API has its own regional web ACL and
cannot add the header. They are told apart by the event itself, which only API Gateway writes (the function
may be invoked by these two APIs only): an HTTP API's event carries ``"version"``, a REST API's does not.
"""
from __future__ import annotations

import hmac
import time
from collections.abc import Callable
from typing import Any

from chalice import Response

from ..config import settings
from ..observability import logger

HEADER = "x-origin-verify"
MAX_AGE_SECONDS = 300
_cache: dict[str, tuple[tuple[str, ...], float]] = {}


def accepted_values(arn: str) -> tuple[str, ...]:
    """The secret's current and (if any) previous value, cached for MAX_AGE_SECONDS."""
    cached = _cache.get(arn)
    if cached and time.monotonic() - cached[1] < MAX_AGE_SECONDS:
        return cached[0]
    import boto3
    from botocore.exceptions import ClientError

    client = boto3.client("secretsmanager", region_name=settings().region)
    values = [str(client.get_secret_value(SecretId=arn)["SecretString"])]
    try:
        values.append(str(client.get_secret_value(SecretId=arn, VersionStage="AWSPREVIOUS")["SecretString"]))
    except ClientError as err:  # never rotated: there is no previous version
        if err.response.get("Error", {}).get("Code") != "ResourceNotFoundException":
            raise
    accepted = tuple(v for v in values if len(v) >= 32)  # a short or empty value would be guessable
    _cache[arn] = (accepted, time.monotonic())
    return accepted


def forget() -> None:
    """Drop the cached values (tests; a rotation is picked up after MAX_AGE_SECONDS anyway)."""
    _cache.clear()


def origin_check(event: Any, get_response: Callable[[Any], Response]) -> Response:
    """HTTP middleware: 403 unless the request carries CloudFront's origin header."""
    s = settings()
    arn = s.origin_secret_arn
    if not arn or (s.origin_check_exempts_rest and _from_rest_api(event)):
        return get_response(event)
    from .http import json_response

    try:
        accepted = accepted_values(arn)
    except Exception as err:
        logger.error("origin secret unreadable", extra={"error_type": type(err).__name__})
        accepted = ()
    if not accepted:
        return json_response({"code": "unavailable", "message": "the service is unavailable, retry later"}, 503)
    headers = getattr(event, "headers", None) or {}
    given = str(headers.get(HEADER) or "")
    if not any(hmac.compare_digest(given.encode(), value.encode()) for value in accepted):
        logger.warning("request without the origin header refused")
        return json_response({"code": "forbidden",
                              "message": "this API is served through its CloudFront distribution only"}, 403)
    return get_response(event)


def _from_rest_api(event: Any) -> bool:
    original = event.to_original_event() if hasattr(event, "to_original_event") else {}
    return isinstance(original, dict) and "version" not in original


def viewer_address(headers: Any, source_ip: str) -> str:
    """The caller's address behind CloudFront. API Gateway's ``sourceIp`` is then the CloudFront edge's, shared
    by everyone that edge serves; CloudFront appends the viewer's address to ``X-Forwarded-For`` (after
    whatever the viewer sent, which it may forge), and API Gateway may append the edge's own after it. So the
    viewer is the last entry that is not the edge's. Without the header: the source address."""
    forwarded = [a.strip() for a in str((headers or {}).get("x-forwarded-for") or "").split(",") if a.strip()]
    while forwarded and forwarded[-1] == source_ip:
        forwarded.pop()
    return forwarded[-1][:64] if forwarded else source_ip


def behind_cloudfront(event: Any) -> bool:
    """Whether this request reached the function through CloudFront (and so passed the origin check): the
    check is on and the request is not one a REST API kept for a migration delivered."""
    s = settings()
    return bool(s.origin_secret_arn) and not (s.origin_check_exempts_rest and _from_rest_api(event))
