"""CORS for the web console: the API answers browsers from the console's origin(s) only, never ``*``.

The allowed origins come from env ``CONSOLE_ORIGIN`` (comma-separated; in the cloud the CloudFront
distribution's origin, set by infra/console.py; on the local stage ``http://127.0.0.1:8080`` and
``http://localhost:8080`` by default). Chalice's own ``CORSConfig`` is not used: it takes one fixed origin,
baked into the API definition when it is packaged (before the distribution exists), and ``chalice local``
would answer preflights for it without the app. Instead every path gets an ``OPTIONS`` route that the app
answers itself (``ServiceApp`` adds them), and a middleware echoes an allowed ``Origin`` on every response.
Bearer tokens, not cookies, authenticate: credentials are not allowed.
"""
from __future__ import annotations

import os
import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from chalice import Response

from ..config import settings

LOCAL_ORIGINS = "http://127.0.0.1:8080,http://localhost:8080"
ORIGIN = re.compile(r"^https?://[A-Za-z0-9.-]+(:\d{1,5})?$")
ALLOW_HEADERS = "Authorization,Content-Type,Idempotency-Key,X-Correlation-Id"
EXPOSE_HEADERS = "Idempotent-Replayed,X-Correlation-Id"
MAX_AGE_SECONDS = "7200"  # browsers cap it there (Chromium: 2 h): one preflight per path and hour or two


@lru_cache(maxsize=1)
def console_origins() -> frozenset[str]:
    """The origins allowed to call the API from a browser. Anything that is not exactly
    ``scheme://host[:port]`` (``*``, a path, a typo) is ignored: a bad setting closes CORS, never opens it."""
    default = LOCAL_ORIGINS if settings().stage == "local" else ""
    raw = os.environ.get("CONSOLE_ORIGIN", default)
    return frozenset(o.strip().rstrip("/") for o in raw.split(",") if ORIGIN.match(o.strip().rstrip("/")))


def _header(event: Any, name: str) -> str | None:
    headers = getattr(event, "headers", None) or {}
    value = headers.get(name)
    return str(value) if value else None


def allowed_origin(event: Any) -> str | None:
    origin = _header(event, "origin")
    return origin if origin is not None and origin in console_origins() else None


def cors_headers(event: Any, get_response: Callable[[Any], Response]) -> Response:
    """HTTP middleware: an allowed Origin is echoed on every answer (errors included, so the console can
    read their message); ``Vary: Origin`` keeps caches from serving one origin's answer to another."""
    response = get_response(event)
    origin = allowed_origin(event)
    response.headers["Vary"] = "Origin"
    if origin is not None:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Expose-Headers"] = EXPOSE_HEADERS
    return response


def preflight_view(methods: Callable[[], list[str]],
                   current_request: Callable[[], Any]) -> Callable[..., Response]:
    """The ``OPTIONS`` view of one path: 204 with what the browser may send, for an allowed origin; 403 in
    the API's error shape for any other origin."""

    def preflight(**_path_params: str) -> Response:
        request = current_request()
        allow = ",".join([*methods(), "OPTIONS"])
        if _header(request, "origin") is None:  # not a browser's preflight: say what the path allows
            return Response(body="", status_code=204, headers={"Allow": allow})
        origin = allowed_origin(request)
        if origin is None:
            from .http import json_response

            return json_response({"code": "origin_not_allowed",
                                  "message": "this origin may not call the API from a browser"}, 403)
        return Response(body="", status_code=204, headers={
            "Access-Control-Allow-Origin": origin,
            "Access-Control-Allow-Methods": allow,
            "Access-Control-Allow-Headers": ALLOW_HEADERS,
            "Access-Control-Max-Age": MAX_AGE_SECONDS,
        })

    return preflight
