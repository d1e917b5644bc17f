"""The local console server: the built console with SPA fallback, its run-time config, and demo sign-in whose
tokens the API accepts."""
from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from chalicelib.api.auth import actor_from_claims
from chalicelib.config import DEFAULT_DEV_SECRET
from tools import console_server


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    dist: Path = tmp_path_factory.mktemp("dist")
    (dist / "index.html").write_text("<!doctype html><title>跨城通办</title>", "utf-8")
    (dist / "assets").mkdir()
    (dist / "assets" / "index-abc123.js").write_text("console.log(1)", "utf-8")
    server = console_server.serve(0, "http://127.0.0.1:9", dist=dist)
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


def test_routes_of_the_app_fall_back_to_index(console: str) -> None:
    for path in ("/", "/track", "/citizen/cases/KC4403002026112300017"):
        r = requests.get(console + path, timeout=5)
        assert r.status_code == 200 and "跨城通办" in r.text
        assert r.headers["Cache-Control"] == "no-cache"
        assert "script-src 'self'" in r.headers["Content-Security-Policy"]
        assert r.headers["X-Frame-Options"] == "DENY"


def test_hashed_assets_are_immutable_and_missing_ones_404(console: str) -> None:
    r = requests.get(console + "/assets/index-abc123.js", timeout=5)
    assert r.status_code == 200 and "immutable" in r.headers["Cache-Control"]
    assert requests.get(console + "/assets/gone-000.js", timeout=5).status_code == 404
    assert requests.get(console + "/../../etc/passwd", timeout=5).status_code in (200, 404)
    assert "root:" not in requests.get(console + "/%2e%2e/%2e%2e/etc/passwd", timeout=5).text


def test_config_points_at_the_api_and_local_sign_in(console: str) -> None:
    config = requests.get(console + "/config.json", timeout=5).json()
    assert config == {"stage": "local", "apiUrl": "http://127.0.0.1:9",
                      "auth": {"mode": "local", "tokenUrl": "/local-auth/token",
                               "identitiesUrl": "/local-auth/identities"}}


def test_demo_identities_cover_every_group(console: str) -> None:
    items = requests.get(console + "/local-auth/identities", timeout=5).json()["items"]
    offices = {o["office_id"] for o in json.loads((console_server.REFERENCE / "offices.json").read_text("utf-8"))}
    assert {i["office_id"] for i in items if i["role"] == "staff"} == offices
    assert {i["city"] for i in items if i["role"] == "supervisor"} == {"440300", "441900", "440400", "440000"}
    assert len([i for i in items if i["role"] == "citizen"]) >= 2


def test_a_demo_token_is_one_the_api_reads(console: str) -> None:
    import jwt

    cases = (("staff-SZ-GOV", "staff"), ("supervisor-440000", "supervisor"), ("citizen-alice", "citizen"))
    for identity, role in cases:
        r = requests.post(console + "/local-auth/token", json={"identity": identity}, timeout=5)
        assert r.status_code == 200
        claims = jwt.decode(r.json()["token"], DEFAULT_DEV_SECRET, algorithms=["HS256"])
        actor = actor_from_claims(claims)
        assert actor.role == role
    assert actor_from_claims(jwt.decode(
        requests.post(console + "/local-auth/token", json={"identity": "staff-SZ-GOV"}, timeout=5).json()["token"],
        DEFAULT_DEV_SECRET, algorithms=["HS256"])).office_id == "SZ-GOV"


def test_bad_sign_in_requests_are_refused(console: str) -> None:
    r = requests.post(console + "/local-auth/token", json={"identity": "admin-root"}, timeout=5)
    assert r.status_code == 404 and r.json()["field"] == "identity"
    assert requests.post(console + "/local-auth/token", data="not json", timeout=5).status_code == 400
    other_site = requests.post(console + "/local-auth/token", json={"identity": "citizen-alice"},
                               headers={"Origin": "https://evil.example"}, timeout=5)
    assert other_site.status_code == 403
    assert requests.get(console + "/local-auth/token", timeout=5).status_code == 405
