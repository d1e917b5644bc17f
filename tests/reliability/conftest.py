"""Fixtures of the API fuzzing, authorization-matrix, personal-data and bad-input tests: the app served as a
WSGI application (Chalice's local API Gateway in process, under moto) and a world of cases in every state.

Only fuzz/matrix fixtures live here (all named ``api_*``); other reliability tests keep theirs elsewhere.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.world_support import World, build_world

FULL = os.environ.get("FUZZ_SIZE", "").lower() == "full"

# Sent as X-Signature to mean "sign this body properly": the WSGI adapter computes the HMAC of the raw body
# it received, so the fuzzer's courier events reach the webhook's parsing and validation.
SIGN_ME = "fuzz-sign-me"


@dataclass
class ApiCounter:
    requests: int = 0


def chalice_wsgi(chalice_app: Any, counter: ApiCounter | None = None) -> Callable[..., Iterable[bytes]]:
    """A small WSGI adapter around Chalice's local API Gateway (the same one ``chalice local`` and
    ``chalice.test.Client`` use), so WSGI tools (schemathesis' ``from_wsgi``/``case.call(app=...)``) drive
    the real routes, middleware and blueprints in process."""
    from chalice.config import Config
    from chalice.local import LocalGateway, LocalGatewayException

    gateway = LocalGateway(chalice_app, Config.create())

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if counter is not None:
            counter.requests += 1
        raw_uri = environ.get("REQUEST_URI") or environ.get("RAW_URI") or environ.get("PATH_INFO", "/")
        path = urlsplit(raw_uri).path or "/"
        query = environ.get("QUERY_STRING", "")
        headers: dict[str, str] = {}
        for key, value in environ.items():
            if key.startswith("HTTP_"):
                headers[key[5:].replace("_", "-").lower()] = value
        if environ.get("CONTENT_TYPE"):
            headers["content-type"] = environ["CONTENT_TYPE"]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        if headers.get("x-signature") == SIGN_ME:
            from chalicelib.config import settings

            headers["x-signature"] = hmac.new(settings().courier_webhook_secret.encode(), body,
                                              hashlib.sha256).hexdigest()
        try:
            response = gateway.handle_request(method=environ["REQUEST_METHOD"],
                                              path=path + (f"?{query}" if query else ""),
                                              headers=headers, body=body)
            status = int(response["statusCode"])
            out_headers = dict(response.get("headers") or {})
            payload = response.get("body") or b""
        except LocalGatewayException as err:
            status, out_headers, payload = err.CODE, dict(err.headers or {}), err.body or b""
        data = payload.encode("utf-8") if isinstance(payload, str) else bytes(payload)
        out_headers.setdefault("Content-Type", "application/json")
        out_headers["Content-Length"] = str(len(data))
        start_response(f"{status} {_REASONS.get(status, 'Status')}", list(out_headers.items()))
        return [data]

    return app


_REASONS = {200: "OK", 201: "Created", 202: "Accepted", 400: "Bad Request", 401: "Unauthorized",
            403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed", 409: "Conflict",
            413: "Payload Too Large", 415: "Unsupported Media Type", 422: "Unprocessable Entity",
            429: "Too Many Requests", 500: "Internal Server Error"}


@pytest.fixture
def api_world(client: Any, pump: Any) -> World:
    """One case in every state (see tests/world_support.py), under moto."""
    return build_world(client, pump)


@pytest.fixture
def api_counter() -> ApiCounter:
    return ApiCounter()


@pytest.fixture
def api_wsgi(aws: None, api_counter: ApiCounter) -> Callable[..., Iterable[bytes]]:
    import app

    return chalice_wsgi(app.app, api_counter)


@pytest.fixture
def api_document() -> dict[str, Any]:
    from tools.openapi import DOCUMENT_PATH

    return dict(json.loads(DOCUMENT_PATH.read_text(encoding="utf-8")))


@pytest.fixture
def api_store_counts(aws: None) -> Callable[[], dict[str, int]]:
    """Item counts of the tables a request could write to (cases, timeline events, outbox, reviews...)."""
    import boto3

    from chalicelib.adapters import tables

    def counts() -> dict[str, int]:
        ddb = boto3.client("dynamodb", region_name="us-east-1")
        out: dict[str, int] = {}
        for model in tables.all_models():
            name = model.Meta.table_name
            out[name] = int(ddb.scan(TableName=name, Select="COUNT")["Count"])
        return out

    return counts


def pytest_report_header() -> list[str]:
    return [f"api fuzz size: {'full' if FULL else 'ci'}"]


API_FIGURES: dict[str, Any] = {}


@pytest.fixture
def api_record() -> Callable[[str, Any], None]:
    """Record a figure of this run: shown in pytest's summary and kept in .local/api-figures.json."""

    def record(name: str, value: Any) -> None:
        API_FIGURES[name] = value
        from pathlib import Path

        path = Path(__file__).resolve().parents[2] / ".local" / "api-figures.json"
        path.parent.mkdir(exist_ok=True)
        size = "full" if FULL else "ci"
        current = json.loads(path.read_text()) if path.exists() else {}
        current[size] = {**current.get(size, {}), name: value}
        path.write_text(json.dumps(current, indent=2, sort_keys=True) + "\n")

    return record


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if API_FIGURES:
        terminalreporter.write_sep("-", f"api reliability figures ({'full' if FULL else 'ci'} size)")
        for name, value in API_FIGURES.items():
            terminalreporter.write_line(f"{name}: {value}")
