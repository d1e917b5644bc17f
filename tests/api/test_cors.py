"""CORS (DESIGN §9): browsers may call the API from the console's origin(s) only — never ``*`` — and every
path answers the preflight, through the Chalice test client and through ``chalice local``'s own gateway."""
from __future__ import annotations

from typing import Any

import pytest

from chalicelib.api import cors
from tests.support import call, citizen

LOCAL = ("http://127.0.0.1:8080", "http://localhost:8080")


def _concrete(path: str) -> str:
    return path.replace("{case_no}", "KC4403002026010100001").replace("{office_id}", "SZ-GOV").replace(
        "{ticket_id}", "TK-KC4403002026010100001-receiving").replace("{stage}", "receiving")


def _routes() -> dict[str, list[str]]:
    import app

    return {path: sorted(m for m in methods if m != "OPTIONS") for path, methods in app.app.routes.items()}


@pytest.fixture
def origins(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Set CONSOLE_ORIGIN for one test (the allowed origins are read once per process)."""
    def use(value: str | None) -> frozenset[str]:
        if value is None:
            monkeypatch.delenv("CONSOLE_ORIGIN", raising=False)
        else:
            monkeypatch.setenv("CONSOLE_ORIGIN", value)
        cors.console_origins.cache_clear()
        return cors.console_origins()

    yield use
    cors.console_origins.cache_clear()


def test_every_path_answers_the_preflight_for_the_console_only(client: Any) -> None:
    routes = _routes()
    assert len(routes) >= 25
    for path, methods in routes.items():
        for origin in LOCAL:
            resp = client.http.request("OPTIONS", _concrete(path), headers={
                "Origin": origin, "Access-Control-Request-Method": methods[0],
                "Access-Control-Request-Headers": "authorization,content-type"})
            assert resp.status_code == 204, (path, resp.status_code, resp.body)
            assert resp.headers["Access-Control-Allow-Origin"] == origin
            assert resp.headers["Access-Control-Allow-Methods"].split(",") == [*methods, "OPTIONS"]
            allowed = resp.headers["Access-Control-Allow-Headers"].lower().split(",")
            assert {"authorization", "content-type", "idempotency-key"} <= set(allowed)
        resp = client.http.request("OPTIONS", _concrete(path), headers={"Origin": "https://evil.example"})
        assert resp.status_code == 403 and "Access-Control-Allow-Origin" not in resp.headers, path


def test_chalice_local_forwards_every_preflight_to_the_app() -> None:
    """``chalice local`` answers a preflight by itself unless the path has an OPTIONS route; with ours the app
    answers, so the origin check is the same locally as in the cloud."""
    from chalice.config import Config
    from chalice.local import LocalGateway

    import app

    gateway = LocalGateway(app.app, Config(chalice_stage="local"))
    for path, methods in _routes().items():
        resp = gateway.handle_request("OPTIONS", _concrete(path), {"origin": LOCAL[1]}, None)
        headers = {k.lower(): v for k, v in resp["headers"].items()}
        assert resp["statusCode"] == 204, (path, resp)
        assert headers["access-control-allow-origin"] == LOCAL[1]
        assert headers["access-control-allow-methods"].split(",") == [*methods, "OPTIONS"]
        resp = gateway.handle_request("OPTIONS", _concrete(path), {"origin": "null"}, None)
        assert resp["statusCode"] == 403 and "access-control-allow-origin" not in {k.lower() for k in resp["headers"]}


def test_answers_and_errors_carry_the_allowed_origin_only(client: Any) -> None:
    resp = client.http.get("/health", headers={"Origin": LOCAL[0]})
    assert resp.headers["Access-Control-Allow-Origin"] == LOCAL[0] and resp.headers["Vary"] == "Origin"
    assert "X-Correlation-Id" in resp.headers["Access-Control-Expose-Headers"]
    resp = client.http.get("/me/cases", headers={"Origin": LOCAL[1]})  # a 401 the console must be able to read
    assert resp.status_code == 401 and resp.headers["Access-Control-Allow-Origin"] == LOCAL[1]
    resp = client.http.get("/health", headers={"Origin": "http://127.0.0.1:9999"})
    assert "Access-Control-Allow-Origin" not in resp.headers and resp.headers["Vary"] == "Origin"
    status, _ = call(client, "GET", "/me/cases", {**citizen(), "Origin": "https://evil.example"})
    assert status == 200  # CORS is the browser's guard; the API still answers a token from anywhere
    assert call(client, "OPTIONS", "/health")[0] == 204  # no Origin: not a preflight, says what is allowed


def test_the_allowed_origins_come_from_console_origin_and_never_widen(origins: Any) -> None:
    assert origins(None) == frozenset(LOCAL)  # the local stage's default
    assert origins("https://d111111abcdef8.cloudfront.net") == {"https://d111111abcdef8.cloudfront.net"}
    assert origins(" https://a.example/ ,https://b.example:8443") == {"https://a.example", "https://b.example:8443"}
    assert origins("*") == frozenset()
    assert origins("*,https://a.example") == {"https://a.example"}
    assert origins("https://a.example/path,ftp://b.example,https://*.example,") == frozenset()


def test_cloud_stages_allow_no_origin_by_default(origins: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.config import Settings, settings

    monkeypatch.setattr(cors, "settings", lambda: Settings(**{**vars(settings()), "stage": "dev"}))
    assert origins(None) == frozenset()
