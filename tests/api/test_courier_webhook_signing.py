"""The courier webhook's signature (issue 12): a timestamped HMAC in every stage, five minutes of skew at
most so a captured request cannot be replayed later, the body-only form of DESIGN §6 in the local stage
only, and in the cloud a key read from Secrets Manager (cached), never from the environment."""
from __future__ import annotations

import json
import time

import boto3
import pytest

from chalicelib.adapters import courier
from chalicelib.adapters.courier import signature_valid, signed_body, signed_request
from tests.shipping_support import queue_depth

EVENT = {"waybill": "EMS000000000001", "event": "PICKED_UP", "at": "2026-03-02T09:00:00+08:00"}
CLOUD_KEY = "cloud-courier-key-from-secrets-manager-0123456789"


def post(client, raw: bytes, headers: dict[str, str]) -> int:
    resp = client.http.post("/webhooks/courier", body=raw, headers={"Content-Type": "application/json", **headers})
    return int(resp.status_code)


def cloud(environment, key: str = CLOUD_KEY) -> str:
    """A cloud-configured process (stage dev, outside Lambda) whose courier key is in Secrets Manager."""
    arn = boto3.client("secretsmanager").create_secret(Name="kc-test-courier-webhook-secret",
                                                       SecretString=key)["ARN"]
    environment(STAGE="dev", AUTH_MODE="gateway", COURIER_WEBHOOK_SECRET_ARN=arn,
                COURIER_WEBHOOK_SECRET="dev-courier-secret")  # set, and ignored outside the local stage
    return str(arn)


def test_the_timestamped_form_is_accepted_locally(client):
    raw, headers = signed_request(EVENT)
    assert post(client, raw, headers) == 202
    assert queue_depth("courier-events") == 1


# Past the 300 s bound by a margin: X-Timestamp is whole seconds and the check runs a moment later, so a
# probe 1 s past the bound could fall back inside it on a slow machine.
@pytest.mark.parametrize("age", [330, -330, 3600, 10**9])
def test_a_stale_or_future_timestamp_is_refused_so_replays_fail(client, age):
    raw, headers = signed_request(EVENT, timestamp=int(time.time()) - age)
    assert post(client, raw, headers) == 401
    assert queue_depth("courier-events") == 0


def test_a_captured_request_replayed_after_the_window_is_refused():
    raw, headers = signed_request(EVENT, timestamp=1_800_000_000)
    stamp, sig = headers["X-Timestamp"], headers["X-Signature"]
    assert signature_valid(raw, sig, stamp, now=1_800_000_000 + 299)
    assert not signature_valid(raw, sig, stamp, now=1_800_000_000 + 301)
    # Moving the timestamp forward breaks the signature: it covers the timestamp.
    assert not signature_valid(raw, sig, str(1_800_000_000 + 300), now=1_800_000_000 + 301)


@pytest.mark.parametrize("headers", [
    {"X-Signature": "é" * 64},  # not hex: 401, not a 500 from compare_digest
    {"X-Signature": "0" * 64, "X-Timestamp": "１７００００００００"},  # fullwidth digits
    {"X-Signature": "0" * 64, "X-Timestamp": "-5"},
    {"X-Signature": "0" * 64, "X-Timestamp": "1e9"},
    {"X-Timestamp": str(int(time.time()))},
    {"X-Signature": "zz" * 32},
])
def test_malformed_signature_headers_are_401(client, headers):
    raw = json.dumps(EVENT).encode()
    assert post(client, raw, headers) == 401


def test_forgeries_are_refused(client):
    raw, headers = signed_request(EVENT, secret="not-the-key")
    assert post(client, raw, headers) == 401
    raw, headers = signed_request(EVENT)
    assert post(client, raw.replace(b"PICKED_UP", b"DELIVERED"), headers) == 401
    # The timestamped signature sent without its timestamp is not a body-only signature.
    assert post(client, raw, {"X-Signature": headers["X-Signature"]}) == 401
    assert queue_depth("courier-events") == 0


def test_the_local_stage_also_accepts_the_body_only_form_of_design_6(client):
    raw, sig = signed_body(EVENT)
    assert post(client, raw, {"X-Signature": sig}) == 202


@pytest.mark.emulator  # on moto: Secrets Manager
def test_the_cloud_refuses_the_body_only_form_and_reads_the_key_from_secrets_manager(client, environment):
    cloud(environment)
    raw, sig = signed_body(EVENT, secret=CLOUD_KEY)
    assert post(client, raw, {"X-Signature": sig}) == 401  # no timestamp: a replay could never be refused
    raw, headers = signed_request(EVENT, secret="dev-courier-secret")
    assert post(client, raw, headers) == 401  # COURIER_WEBHOOK_SECRET is not a key in the cloud
    raw, headers = signed_request(EVENT, secret=CLOUD_KEY)
    assert post(client, raw, headers) == 202
    assert queue_depth("courier-events") == 1


def test_the_cloud_without_a_key_accepts_nothing(client, environment):
    environment(STAGE="dev", AUTH_MODE="gateway", COURIER_WEBHOOK_SECRET="dev-courier-secret")
    for secret in ("dev-courier-secret", ""):
        raw, headers = signed_request(EVENT, secret=secret)
        assert post(client, raw, headers) == 401


@pytest.mark.emulator  # on moto: Secrets Manager
def test_the_key_is_cached_and_a_rotated_key_is_read_again(client, environment, monkeypatch):
    arn = cloud(environment)
    raw, headers = signed_request(EVENT, secret=CLOUD_KEY)
    assert post(client, raw, headers) == 202
    boto3.client("secretsmanager").put_secret_value(SecretId=arn, SecretString="rotated-key-0123456789")
    reads = []
    real_client = boto3.client
    monkeypatch.setattr(boto3, "client", lambda *a, **k: reads.append(a) or real_client(*a, **k))
    raw, headers = signed_request(EVENT, secret=CLOUD_KEY)
    assert post(client, raw, headers) == 202 and not reads  # served from the cache
    # A mismatch re-reads the key only once the cached one is a minute old: forgeries cannot hammer it.
    raw, headers = signed_request(EVENT, secret="rotated-key-0123456789")
    assert post(client, raw, headers) == 401 and not reads
    monkeypatch.setattr(courier, "SECRET_REFRESH_SECONDS", 0)
    assert post(client, raw, headers) == 202 and reads == [("secretsmanager",)]
    raw, headers = signed_request(EVENT, secret=CLOUD_KEY)
    assert post(client, raw, headers) == 401  # the old key is gone
