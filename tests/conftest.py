"""Test set-up: every test that touches AWS runs against moto in-process (``aws`` fixture), with the
application's own tables, queues and reference data."""
from __future__ import annotations

import os

# Before anything imports boto3 or the application: fake credentials, a fixed prefix, no real endpoint.
for var in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL_SQS", "AWS_PROFILE"):
    os.environ.pop(var, None)
os.environ.update(
    AWS_DEFAULT_REGION="us-east-1",
    AWS_REGION="us-east-1",
    AWS_ACCESS_KEY_ID="testing",
    AWS_SECRET_ACCESS_KEY="testing",
    STAGE="local",
    RESOURCE_PREFIX="kc-test",
    AUTH_MODE="hs256",
    POWERTOOLS_METRICS_NAMESPACE="CrossCityService",
    POWERTOOLS_TRACE_DISABLED="true",
    # Test queues redeliver at once (visibility timeout 0), so a notification claim's lease is 0 as well: the
    # cloud's lease is shorter than its visibility timeout in the same way (chalicelib/config.py).
    NOTIFICATION_CLAIM_SECONDS="0",
    # One parcel per case unless a test asks for consolidated parcels (合包: the ``consolidated`` fixture), so
    # tests of single legs see their leg at once; the local stack (e2e, `make run`) consolidates by default.
    PARCELS="single",
    # The due listings over 4 shards, as the local stack keeps them (tools/local_stack.py), not the deployed 32:
    # every sweep reads every shard of six listings. Sharding itself is proven on whatever count is set
    # (tests/service/test_due_listings.py reads settings()); the benchmarks judge the deployed 32.
    SWEEP_SHARDS="4",
)

from collections.abc import Iterator  # noqa: E402
from typing import Any  # noqa: E402

import pytest  # noqa: E402
from moto import mock_aws  # noqa: E402

from tools import emulator  # noqa: E402

# The emulator as the local stack runs it, for every test in this process: in-process mock and the moto
# server alike (the race proofs included), one DynamoDB request at a time (tools/emulator.py).
emulator.harden()


@pytest.fixture
def aws() -> Iterator[None]:
    """A fresh emulated AWS account with every table, queue and topic, and the reference data seeded."""
    from chalicelib.adapters import reference_store
    from tools.local_stack import provision_in_process

    with mock_aws():
        # Clients created earlier keep working under a new mock (moto patches botocore globally), so only
        # the cached lookups are cleared (by provision_in_process): re-creating clients costs far more than
        # the test. The tables come back from a copy of the first provisioning (tools/emulator.py).
        provision_in_process(visibility_timeout=0)
        yield
        reference_store.invalidate()


@pytest.fixture
def consolidated(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Consolidated daily parcels (合包) on, for this test."""
    from chalicelib.config import settings

    monkeypatch.setenv("PARCELS", "consolidated")
    settings.cache_clear()
    yield
    monkeypatch.setenv("PARCELS", "single")
    settings.cache_clear()


def reset_clients() -> None:
    """Forget every cached AWS client so the next call picks up the current endpoint (mock or server)."""
    from chalicelib.adapters import messaging, reference_store, tables, transaction

    for model in tables.all_models():
        model._connection = None
    transaction.reset_connection()
    for cached in (messaging.sqs, messaging.sns, messaging.queue_url, messaging.topic_arn):
        cached.cache_clear()
    reference_store.invalidate()


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """A moto server on loopback for tests that need real concurrency (in-process moto is not thread-safe)."""
    from moto.server import ThreadedMotoServer

    from tools.local_stack import free_port
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def aws_server(moto_endpoint: str) -> Iterator[str]:
    """Like ``aws`` but against the moto server (reset before each test), for concurrent tests."""
    import requests

    from tools.local_stack import provision

    requests.post(f"{moto_endpoint}/moto-api/reset", timeout=10)
    os.environ["AWS_ENDPOINT_URL"] = moto_endpoint
    reset_clients()
    try:
        provision(visibility_timeout=0)
        yield moto_endpoint
    finally:
        os.environ.pop("AWS_ENDPOINT_URL", None)
        reset_clients()


@pytest.fixture
def client(aws: None) -> Iterator[Any]:
    """Chalice's test client on the real app (routes, middleware, blueprints). Its stage is one that
    .chalice/config.json does not name: the client puts the stage's environment into os.environ for every
    request, and the ``dev`` stage's (AUTH_MODE=gateway, RESOURCE_PREFIX=kc-dev) would be what settings
    read whenever a test has made them be read again."""
    from chalice.test import Client

    import app

    with Client(app.app, stage_name="local") as test_client:
        yield test_client


@pytest.fixture
def pump(aws: None) -> Any:
    """The local event pump, driven synchronously: ``pump.run_until_idle()`` delivers the outbox stream and
    every queue to the handlers exactly as Lambda would."""
    import app
    from tools.pump import Pump

    return Pump(app, wait_seconds=0)


class _Tee:
    """Writes to the real stream and keeps a copy to inspect."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.lines: list[str] = []

    def write(self, text: str) -> int:
        self.lines.append(text)
        return int(self.stream.write(text) or 0)

    def flush(self) -> None:
        self.stream.flush()


@pytest.fixture(scope="session", autouse=True)
def no_personal_data_in_logs() -> Iterator[_Tee]:
    """Every line the application logs during the whole test run goes through the production handler and
    formatter; none may carry a resident ID number or a mobile number in clear."""
    from chalicelib.domain.identity import ID_NUMBER_PATTERN, MOBILE_PATTERN
    from chalicelib.observability import logger

    handler = logger.registered_handler
    original = handler.stream  # type: ignore[attr-defined]
    tee = _Tee(original)
    handler.setStream(tee)  # type: ignore[attr-defined]
    yield tee
    handler.setStream(original)  # type: ignore[attr-defined]
    leaks = [line[:300] for line in "".join(tee.lines).splitlines()
             if ID_NUMBER_PATTERN.search(line) or MOBILE_PATTERN.search(line)]
    assert not leaks, f"personal data in {len(leaks)} log lines, e.g. {leaks[:3]}"


@pytest.fixture
def fake() -> Iterator[Any]:
    """The services on the in-memory unit of work and bus (tests/fakes.py, held to DynamoDB's, SQS's and SNS's
    behaviour by tests/contract) and the reference data files: no emulator, microseconds a use case."""
    import time

    from chalicelib import bootstrap
    from chalicelib.adapters import reference_store
    from chalicelib.domain.reference import Catalogue
    from chalicelib.reference import load_files
    from tests.fakes import Database

    db = Database()
    bootstrap.use(db.uow)
    bootstrap.use_bus(db.bus)
    reference_store._cache = (time.monotonic() + 10**6, Catalogue.from_rows(load_files()))
    yield db
    bootstrap.use(None)
    bootstrap.use_bus(None)
    reference_store.invalidate()


@pytest.fixture
def fake_pump(fake: Any) -> Any:
    """``pump`` on the in-memory database and bus: ``fake_pump.run_until_idle()`` relays the outbox and
    delivers every queue to app.py's handlers (tests/fakes.py ``FakePump``)."""
    from tests.fakes import FakePump

    return FakePump(fake)


ENV_KEYS = ("STAGE", "AUTH_MODE", "AUTH_DEV_SECRET", "AUTH_CLIENT_IDS", "AWS_LAMBDA_FUNCTION_NAME",
            "COURIER_WEBHOOK_SECRET", "COURIER_WEBHOOK_SECRET_ARN")


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """``environment(STAGE="dev", ...)``: this process's stage, auth and secret settings as given (the others
    unset), the settings re-read; everything restored afterwards."""
    from chalicelib import config
    from chalicelib.adapters import courier

    def configure(**values: str | None) -> Any:
        for key in ENV_KEYS:
            monkeypatch.delenv(key, raising=False)
        for key, value in values.items():
            if value is not None:
                monkeypatch.setenv(key, value)
        config.settings.cache_clear()
        courier.forget_secret()
        return config.settings()

    yield configure
    monkeypatch.undo()
    config.settings.cache_clear()
    courier.forget_secret()


@pytest.fixture(scope="session", autouse=True)
def aws_calls_of_each_function() -> Iterator[Any]:
    """Every AWS call a handler makes during the whole run, per function (tests/access_recorder.py)."""
    import json

    from chalicelib.grants import allows
    from tests.access_recorder import AccessRecorder

    recorder = AccessRecorder()
    recorder.install()
    yield recorder
    recorder.uninstall()
    dump = os.environ.get("ACCESS_RECORD_FILE")
    if dump:
        with open(f"{dump}.{os.getpid()}.json", "w") as out:
            json.dump({f: sorted(c) for f, c in recorder.calls.items()}, out, indent=1)
    # A call a handler made that its function's role would refuse in the cloud (chalicelib/grants.py).
    denied = sorted((f, *c) for f, calls in recorder.calls.items() for c in calls if not allows(f, *c))
    assert not denied, f"AWS calls not granted in chalicelib/grants.py: {denied[:10]}"
