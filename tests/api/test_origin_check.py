"""The API answers only requests that came through the stage's CloudFront distribution (and its WAF): with
ORIGIN_SECRET_ARN set, a request without CloudFront's X-Origin-Verify header is refused before any route
runs; both the current and the previous version of the secret are accepted during a rotation; an unreadable
secret refuses everything (infra/README.md, the origin secret)."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from chalicelib import config
from chalicelib.api import origin

FIRST = "a" * 48
SECOND = "b" * 48


def _reload_settings() -> None:
    """Read the settings again now, outside a request (the test client patches the environment with the
    Chalice stage's during one, which must not become the cached settings)."""
    config.settings.cache_clear()
    config.settings()


@pytest.fixture
def secret(aws: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    manager = boto3.client("secretsmanager", region_name=config.settings().region)
    arn = str(manager.create_secret(Name="kc-test-origin-verify", SecretString=FIRST)["ARN"])
    monkeypatch.setenv("ORIGIN_SECRET_ARN", arn)
    _reload_settings()
    origin.forget()
    yield arn
    monkeypatch.delenv("ORIGIN_SECRET_ARN")
    monkeypatch.delenv("ORIGIN_CHECK_EXEMPTS_REST", raising=False)
    _reload_settings()
    origin.forget()


def _health(client: Any, value: str | None) -> Any:
    return client.http.get("/health", headers={} if value is None else {"X-Origin-Verify": value})


def test_without_cloudfronts_header_every_route_is_refused_before_it_runs(client, secret):
    for value in (None, "", "a" * 47, FIRST.upper()):
        resp = _health(client, value)
        assert resp.status_code == 403, value
        assert resp.json_body["code"] == "forbidden"
    # Nor a protected or a writing route, nor a preflight: nothing reaches a view.
    assert client.http.post("/cases", body="{}", headers={"Content-Type": "application/json"}).status_code == 403
    assert client.http.request("OPTIONS", "/cases", headers={"Origin": "http://127.0.0.1:8080"}).status_code == 403
    assert _health(client, FIRST).status_code == 200


def test_a_rotation_accepts_the_current_and_the_previous_value(client, secret):
    manager = boto3.client("secretsmanager", region_name=config.settings().region)
    manager.put_secret_value(SecretId=secret, SecretString=SECOND)  # FIRST becomes AWSPREVIOUS
    origin.forget()  # as after MAX_AGE_SECONDS
    assert _health(client, SECOND).status_code == 200  # what CloudFront sends once redeployed
    assert _health(client, FIRST).status_code == 200  # what it sends until then
    assert _health(client, "c" * 48).status_code == 403


def test_an_unreadable_secret_refuses_every_request(client, secret, monkeypatch):
    monkeypatch.setenv("ORIGIN_SECRET_ARN", secret + "-gone")
    _reload_settings()
    origin.forget()
    resp = _health(client, FIRST)
    assert resp.status_code == 503 and resp.json_body["code"] == "unavailable"


@pytest.fixture
def http_api_events(monkeypatch: pytest.MonkeyPatch) -> None:
    """The test client's events as an HTTP API delivers them (payload format 1.0 names its version; a REST
    API's event, which the test client makes otherwise, does not)."""
    from chalice.local import LambdaEventConverter

    original = LambdaEventConverter.create_lambda_event

    def versioned(self: Any, *args: Any, **kwargs: Any) -> Any:
        return {**original(self, *args, **kwargs), "version": "1.0"}

    monkeypatch.setattr(LambdaEventConverter, "create_lambda_event", versioned)


def test_during_the_migration_the_rest_apis_requests_pass_and_the_http_apis_are_checked(
        client, secret, monkeypatch, request):
    monkeypatch.setenv("ORIGIN_CHECK_EXEMPTS_REST", "1")
    _reload_settings()
    assert _health(client, None).status_code == 200  # the REST API's (it has its own web ACL)
    request.getfixturevalue("http_api_events")
    assert _health(client, None).status_code == 403  # the HTTP API's, not through CloudFront
    assert _health(client, FIRST).status_code == 200


def test_the_http_apis_events_are_checked_without_the_migration(client, secret, http_api_events):
    assert _health(client, None).status_code == 403 and _health(client, FIRST).status_code == 200


def test_without_the_setting_nothing_is_checked(client):
    assert not config.settings().origin_secret_arn
    assert _health(client, None).status_code == 200


def test_behind_cloudfront_the_caller_is_the_viewer_cloudfront_names_not_the_edge():
    """The tracking-code budget counts per caller (docs/RELIABILITY.md): behind CloudFront API Gateway's source
    address is the edge's, so the caller is the address CloudFront appended to X-Forwarded-For; what the viewer
    sent before it (forgeable) is ignored."""
    edge = "130.176.0.10"
    assert origin.viewer_address({"x-forwarded-for": "198.51.100.7"}, edge) == "198.51.100.7"
    assert origin.viewer_address({"x-forwarded-for": "6.6.6.6, 198.51.100.7"}, edge) == "198.51.100.7"
    assert origin.viewer_address({"x-forwarded-for": f"6.6.6.6, 198.51.100.7, {edge}"}, edge) == "198.51.100.7"
    assert origin.viewer_address({}, edge) == edge


def test_the_tracking_budget_counts_the_viewer_behind_cloudfront(client, secret, http_api_events, monkeypatch):
    from chalicelib.api import http

    seen: list[str] = []
    original = http.RequestReader.source_ip

    def recording(self: Any) -> str:
        seen.append(original(self))
        return seen[-1]

    monkeypatch.setattr(http.RequestReader, "source_ip", recording)
    for viewer in ("198.51.100.7", "203.0.113.9"):
        client.http.get("/track/KC4403002026010100001?code=123456",
                        headers={"X-Origin-Verify": FIRST, "X-Forwarded-For": f"6.6.6.6, {viewer}"})
    assert seen == ["198.51.100.7", "203.0.113.9"]
