"""Authentication fails closed (issue 12): local HS256 tokens are trusted only in an explicitly local,
non-Lambda process; every other configuration refuses to start or answers 401; tokens must expire and be
HS256; in the cloud only the stage's own app clients get in."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

import jwt
import pytest

from chalicelib import config
from chalicelib.api import auth
from chalicelib.domain.errors import Unauthenticated
from tests.support import application, call

SECRET = config.DEFAULT_DEV_SECRET
def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def dev_token(**claims: Any) -> str:
    base = {"sub": "alice", "role": "admin", "exp": int(time.time()) + 3600}
    return jwt.encode({**base, **claims}, SECRET, algorithm="HS256")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def handmade(header: dict[str, Any], claims: dict[str, Any], key: bytes | None) -> str:
    """A token with any header, signed HMAC-SHA256 with ``key`` (or unsigned): alg-confusion attempts."""
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
    signature = _b64(hmac.new(key, signing_input.encode(), hashlib.sha256).digest()) if key else ""
    return f"{signing_input}.{signature}"


# ------------------------------------------------------------------ which mode a process ends up in

@pytest.mark.parametrize("values", [
    {},  # nothing set: no longer the local stage's HS256 with the public secret
    {"STAGE": "local"},  # the local stage without AUTH_MODE=hs256 does not trust local tokens either
    {"AUTH_MODE": "gateway", "STAGE": "local"},
])
def test_gateway_mode_is_the_default(environment, values):
    settings = environment(**values)
    assert settings.auth_mode == "gateway" and settings.auth_dev_secret == ""


@pytest.mark.parametrize("values", [
    {"STAGE": "dev", "AUTH_MODE": "hs256"},
    {"STAGE": "prod", "AUTH_MODE": "hs256", "AUTH_DEV_SECRET": SECRET},
    {"AUTH_MODE": "hs256"},  # STAGE unset is not the local stage
    {"STAGE": "local", "AUTH_MODE": "HS256"},
    {"STAGE": "local", "AUTH_MODE": "gateway "},
    {"STAGE": "local", "AUTH_MODE": ""},
])
def test_any_other_setting_answers_401_and_never_accepts_a_dev_token(environment, values):
    settings = environment(**values)
    assert settings.auth_mode == "refuse" and settings.auth_dev_secret == ""
    for token in (dev_token(), dev_token(role="citizen")):
        with pytest.raises(Unauthenticated):
            auth.authenticate(bearer(token), {})
    with pytest.raises(RuntimeError):
        auth.issue_dev_token("admin", "mallory")


@pytest.mark.parametrize("values", [
    {"STAGE": "local", "AUTH_MODE": "hs256"},  # the local stage deployed to Lambda
    {"STAGE": "local", "AUTH_MODE": "gateway"},
    {"AUTH_MODE": "gateway"},  # no STAGE at all (e.g. `chalice deploy --stage local`: no such stage now)
    {"STAGE": "prod", "AUTH_MODE": "hs256"},
    {"STAGE": "prod", "AUTH_MODE": "gateway", "AUTH_DEV_SECRET": "x" * 40},
])
def test_a_lambda_function_configured_for_local_tokens_refuses_to_start(environment, values):
    with pytest.raises(config.InsecureConfiguration):
        environment(**values, AWS_LAMBDA_FUNCTION_NAME="kc-prod-api")


def test_a_cloud_function_starts_in_gateway_mode(environment):
    settings = environment(STAGE="prod", AUTH_MODE="gateway", AWS_LAMBDA_FUNCTION_NAME="kc-prod-api",
                           AUTH_CLIENT_IDS="client-a, client-b")
    assert settings.auth_mode == "gateway" and settings.auth_client_ids == {"client-a", "client-b"}


def test_only_an_explicit_local_non_lambda_process_verifies_local_tokens(environment):
    settings = environment(STAGE="local", AUTH_MODE="hs256")
    assert settings.auth_mode == "hs256" and settings.auth_dev_secret == SECRET
    assert auth.authenticate(bearer(dev_token()), {}).role == "admin"


# ------------------------------------------------------------------ the token itself (local stage)

def test_dev_token_in_a_gateway_configured_process_is_refused_through_the_app(environment, client):
    environment(STAGE="dev", AUTH_MODE="gateway", AUTH_CLIENT_IDS="client-a")
    status, body = call(client, "POST", "/cases", bearer(dev_token(role="citizen")), application())
    assert status == 401 and body["code"] == "unauthenticated"


def test_local_tokens_must_expire(environment):
    environment(STAGE="local", AUTH_MODE="hs256")
    no_exp = jwt.encode({"sub": "alice", "role": "citizen"}, SECRET, algorithm="HS256")
    expired = dev_token(exp=int(time.time()) - 3600)
    for token in (no_exp, expired):
        with pytest.raises(Unauthenticated):
            auth.authenticate(bearer(token), {})
    with pytest.raises(ValueError):
        auth.issue_dev_token("citizen", "alice", ttl_seconds=0)


def test_alg_confusion_and_forgery_are_refused(environment):
    environment(STAGE="local", AUTH_MODE="hs256")
    claims = {"sub": "mallory", "role": "admin", "exp": int(time.time()) + 3600}
    attempts = [
        handmade({"alg": "none", "typ": "JWT"}, claims, None),
        handmade({"alg": "None", "typ": "JWT"}, claims, None),
        # RS256 in the header, HMAC-signed with the shared secret as if it were a public key.
        handmade({"alg": "RS256", "typ": "JWT"}, claims, SECRET.encode()),
        handmade({"alg": "HS512", "typ": "JWT"}, claims, SECRET.encode()),
        jwt.encode(claims, "wrong-secret-of-the-right-length-0123456789", algorithm="HS256"),
        dev_token()[:-4] + "AAAA",  # signature tampered
    ]
    for token in attempts:
        with pytest.raises(Unauthenticated):
            auth.authenticate(bearer(token), {})
    # The control: the same claims, HS256 with the right secret, get in.
    assert auth.authenticate(bearer(handmade({"alg": "HS256", "typ": "JWT"}, claims, SECRET.encode())), {})


# ------------------------------------------------------------------ the cloud: named app clients only

def gateway_context(**claims: Any) -> dict[str, Any]:
    return {"authorizer": {"claims": {"sub": "u-1", "custom:role": "citizen", **claims}}}


def test_the_gateway_accepts_only_the_stage_app_clients(environment):
    environment(STAGE="prod", AUTH_MODE="gateway", AUTH_CLIENT_IDS="app-client,console-client")
    assert auth.authenticate({}, gateway_context(token_use="id", aud="app-client")).sub == "u-1"
    assert auth.authenticate({}, gateway_context(token_use="id", aud="console-client")).sub == "u-1"
    assert auth.authenticate({}, gateway_context(token_use="access", client_id="console-client")).sub == "u-1"
    refused = [
        gateway_context(token_use="id", aud="another-client-of-the-pool"),
        gateway_context(token_use="id"),
        gateway_context(token_use="access", client_id="another", aud="app-client"),
        gateway_context(token_use="id", aud=["app-client"]),
        {"authorizer": {}},
        {},
    ]
    for context in refused:
        with pytest.raises(Unauthenticated):
            auth.authenticate(bearer(dev_token()), context)


def test_the_gateway_with_no_client_named_lets_nobody_in(environment):
    environment(STAGE="prod", AUTH_MODE="gateway")
    with pytest.raises(Unauthenticated):
        auth.authenticate({}, gateway_context(token_use="id", aud="app-client"))


def test_the_chalice_config_has_no_deployable_local_stage_and_every_stage_is_gateway():
    from infra.config import CHALICE_CONFIG

    chalice = json.loads(CHALICE_CONFIG.read_text("utf-8"))
    assert "local" not in chalice["stages"]
    assert "AUTH_MODE" not in chalice.get("environment_variables", {})
    for name, stage in chalice["stages"].items():
        env = stage["environment_variables"]
        assert env["AUTH_MODE"] == "gateway" and env["STAGE"] == name and "AUTH_DEV_SECRET" not in env
