"""Turning requests into calls and results (or domain errors) into HTTP responses, in one place."""
from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
import json
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from chalice import Blueprint, Chalice, Response
from chalice.app import Request, RouteEntry

from ..adapters.secrets import purpose_key
from ..config import settings
from ..domain.errors import (
    Conflict,
    DomainError,
    InvalidInput,
    InvalidTransition,
    NotFound,
    OutOfScope,
    PayloadTooLarge,
    RuleViolation,
    ServiceUnavailable,
    TooManyRequests,
    Unauthenticated,
)
from ..domain.formats import bounded_int
from ..observability import logger
from .auth import authenticate, require_role
from .cors import cors_headers, preflight_view
from .origin import behind_cloudfront, origin_check, viewer_address
from .schemas import has_invisible_characters, parse_body

if TYPE_CHECKING:
    from ..domain.case import Actor

STATUS_OF: list[tuple[type[DomainError], int]] = [
    (InvalidInput, 400),
    (Unauthenticated, 401),
    (OutOfScope, 403),
    (NotFound, 404),
    (InvalidTransition, 409),
    (Conflict, 409),
    (PayloadTooLarge, 413),
    (RuleViolation, 422),
    (TooManyRequests, 429),
    (ServiceUnavailable, 503),
]

JSON_HEADERS = {"Content-Type": "application/json; charset=utf-8"}


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(body=json.dumps(body, ensure_ascii=False), status_code=status,
                    headers={**JSON_HEADERS, **(headers or {})})


def error_response(err: DomainError) -> Response:
    status = next((s for cls, s in STATUS_OF if isinstance(err, cls)), 400)
    body: dict[str, Any] = {"code": err.code, "message": err.message}
    body.update({k: v for k, v in err.details.items() if v is not None})
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return json_response(body, status, headers)


def guarded(view: Callable[..., Any]) -> Callable[..., Any]:
    """Domain errors become their status with a ``{"code", "message"}`` body; anything else a logged 500."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return view(*args, **kwargs)
        except DomainError as err:
            return error_response(err)
        except Exception as err:
            logger.exception("unhandled error", extra={"error_type": type(err).__name__})
            return json_response({"code": "internal_error", "message": "internal error"}, 500)

    return wrapper


def correlation(event: Any, get_response: Callable[[Any], Response]) -> Response:
    """HTTP middleware: one correlation id per request (the caller's X-Correlation-Id or API Gateway's
    request id) on every log line and echoed in the response."""
    headers = getattr(event, "headers", None) or {}
    context = getattr(event, "context", None) or {}
    correlation_id = str(headers.get("x-correlation-id") or context.get("requestId") or "")[:64] or None
    logger.set_correlation_id(correlation_id)
    response = get_response(event)
    if correlation_id:
        response.headers["X-Correlation-Id"] = correlation_id
    return response


def framework_errors(event: Any, get_response: Callable[[Any], Response]) -> Response:
    """HTTP middleware: the errors Chalice answers by itself before a view runs (415 for a Content-Type no
    route accepts, 405) get the API's ``{"code", "message"}`` shape like every other error."""
    response = get_response(event)
    body = response.body
    if response.status_code >= 400 and isinstance(body, dict) and set(body) == {"Code", "Message"}:
        code = "".join(f"_{c.lower()}" if c.isupper() else c for c in str(body["Code"])).lstrip("_")
        return json_response({"code": code, "message": str(body["Message"])}, response.status_code,
                             {k: str(v) for k, v in response.headers.items() if k.lower() != "content-type"})
    return response


# Bodies are parsed here, as JSON, whatever the client declared: a client that forgets the Content-Type
# header gets the same clear 400 (or success) instead of the framework's own 415 shape.
ACCEPTED_CONTENT_TYPES = ["application/json", "text/plain", "application/x-www-form-urlencoded",
                          "application/octet-stream", "multipart/form-data"]


class ServiceApp(Chalice):
    """Chalice whose every route maps domain errors to HTTP (Chalice's own middleware never sees a view's
    exception: it turns it into a 500 first), and whose every path answers CORS preflights (chalicelib/api/
    cors.py) for the console's origins only."""

    def __init__(self, app_name: str, **kwargs: Any) -> None:
        super().__init__(app_name, **kwargs)
        self.register_middleware(correlation, "http")
        self.register_middleware(origin_check, "http")  # before anything else reads the request
        self.register_middleware(framework_errors, "http")
        self.register_middleware(cors_headers, "http")

    def _register_route(self, name: str, user_handler: Any, kwargs: Any, **unused: Any) -> None:
        # Every route registration (the app's own and its blueprints') passes here: each path gets its OPTIONS
        # route once, answering with the methods the path has when the preflight arrives.
        super()._register_route(name, user_handler, kwargs, **unused)
        for path, entries in self.routes.items():
            if "OPTIONS" not in entries:
                view = preflight_view(functools.partial(self._methods_of, path), lambda: self.current_request)
                entries["OPTIONS"] = RouteEntry(view, f"preflight{path}", path, "OPTIONS",
                                                content_types=ACCEPTED_CONTENT_TYPES)

    def _methods_of(self, path: str) -> list[str]:
        return sorted(m for m in self.routes[path] if m != "OPTIONS")

    def route(self, path: str, **kwargs: Any) -> Callable[..., Any]:
        kwargs.setdefault("content_types", ACCEPTED_CONTENT_TYPES)
        register = super().route(path, **kwargs)
        return lambda view: register(guarded(view))


class ServiceBlueprint(Blueprint):
    def route(self, path: str, **kwargs: Any) -> Callable[..., Any]:
        kwargs.setdefault("content_types", ACCEPTED_CONTENT_TYPES)
        register = super().route(path, **kwargs)
        return lambda view: register(guarded(view))


class RequestReader:
    """Reads what a route needs from Chalice's current request."""

    def __init__(self, request: Request) -> None:
        self.request = request
        self._actor: Actor | None = None

    def actor(self, *roles: str) -> Actor:
        self._actor = authenticate(self.request.headers, self.request.context)
        return require_role(self._actor, *roles) if roles else self._actor

    def body(self, schema: str, optional: bool = False) -> dict[str, Any]:
        raw = self.request.raw_body
        data = raw.encode() if isinstance(raw, str) else raw
        return parse_body(data, schema, settings().max_body_bytes, optional=optional)

    def query(self, name: str) -> str | None:
        params: Any = self.request.query_params or {}
        value = params.get(name)
        if value in (None, ""):
            return None
        if has_invisible_characters(str(value)):
            raise InvalidInput(name, "contains control, zero-width or bidirectional-override characters")
        return str(value)

    def source_ip(self) -> str:
        """The caller's address as API Gateway saw it (``unknown`` where there is none, e.g. in-process)."""
        identity = (self.request.context or {}).get("identity") or {}
        headers: Any = self.request.headers or {}
        address = str(identity.get("sourceIp") or "unknown")
        if behind_cloudfront(self.request):  # sourceIp is the edge's: the viewer is in X-Forwarded-For
            return viewer_address(headers, address)
        if settings().auth_mode != "hs256":
            return address
        # hs256 is only ever the mode of a local, non-Lambda process (chalicelib.config): never in a cloud.
        # `chalice local` says 127.0.0.1 for everyone, so a per-address budget across all cases would be one
        # budget for every local caller: one guesser would close anonymous tracking of every case to everybody.
        # Locally a caller is therefore the address and the case it asks about (tracking and claiming one case
        # still share a budget), unless the caller names itself (the local stack's tests do).
        local_caller = headers.get("x-local-caller")
        if local_caller:
            return f"local:{str(local_caller)[:64]}"
        case_no = (self.request.uri_params or {}).get("case_no")
        return f"{address}#{str(case_no)[:32]}" if case_no else address

    def limit(self, default: int = 20, maximum: int = 100) -> int:
        raw = self.query("limit")
        if raw is None:
            return default
        value = bounded_int(raw, 1, maximum)  # ASCII digits only: int("²") raises, int("１０") converts
        if value is None:
            raise InvalidInput("limit", f"must be an integer from 1 to {maximum}")
        return value

    def cursor(self) -> dict[str, Any] | None:
        """The position a list resumes from. Every list's cursor is checked here, once: it must carry this
        API's signature for this very listing (path, filters and caller), so a forged one — a negative index,
        another office's or applicant's partition, a well-formed start key this API never issued — is a 400
        naming ``cursor`` before any repository sees it. (The repositories still check the shape.)"""
        raw = self.query("cursor")
        if raw is None:
            return None
        payload, _, mac = raw.partition(".")
        if not (_CURSOR_PART.fullmatch(payload) and _CURSOR_PART.fullmatch(mac)
                and hmac.compare_digest(mac, self._cursor_mac(payload))):
            raise InvalidInput("cursor", NOT_OUR_CURSOR)
        try:
            value = json.loads(base64.urlsafe_b64decode(payload.encode() + b"==="))
        except (binascii.Error, ValueError, UnicodeDecodeError):  # pragma: no cover - we signed it
            raise InvalidInput("cursor", NOT_OUR_CURSOR) from None
        if not isinstance(value, dict):  # pragma: no cover - we signed it
            raise InvalidInput("cursor", NOT_OUR_CURSOR)
        return value

    def next_cursor(self, cursor: dict[str, Any] | None) -> str | None:
        """The opaque ``next_cursor`` of a page: the position, signed for this listing and caller."""
        if cursor is None:
            return None
        payload = base64.urlsafe_b64encode(json.dumps(cursor, separators=(",", ":")).encode()).decode().rstrip("=")
        return f"{payload}.{self._cursor_mac(payload)}"

    def _cursor_mac(self, payload: str) -> str:
        params: Any = self.request.query_params or {}
        # The filters as the route reads them (an empty value is no filter, as in ``query``).
        filters = sorted((k, str(v)) for k, v in params.items() if k not in ("cursor", "limit") and v not in (None, ""))
        actor = self._actor or authenticate(self.request.headers, self.request.context)  # lists: signed-in only
        listing = json.dumps([self.request.path, self.request.uri_params or {},
                              filters, actor.sub], separators=(",", ":"), sort_keys=True)
        mac = hmac.new(purpose_key("cursor"), f"{listing}\n{payload}".encode(), hashlib.sha256).digest()[:18]
        return base64.urlsafe_b64encode(mac).decode()


NOT_OUR_CURSOR = "is not a cursor this API issued for this listing"
_CURSOR_PART = re.compile(r"[A-Za-z0-9_-]{1,4096}")
