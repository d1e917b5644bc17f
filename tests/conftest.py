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
)

from collections.abc import Iterator  # noqa: E402
from typing import Any  # noqa: E402

import pytest  # noqa: E402
from moto import mock_aws  # noqa: E402


@pytest.fixture
def aws() -> Iterator[None]:
    """A fresh emulated AWS account with every table, queue and topic, and the reference data seeded."""
    import boto3

    from chalicelib.adapters import messaging, reference_store, tables

    with mock_aws():
        messaging.sqs.cache_clear()
        messaging.sns.cache_clear()
        messaging.queue_url.cache_clear()
        messaging.topic_arn.cache_clear()
        tables.create_tables(boto3.client("dynamodb", region_name="us-east-1"))
        messaging.create_all(visibility_timeout=0)
        reference_store.seed()
        yield
        reference_store.invalidate()


@pytest.fixture
def client(aws: None) -> Iterator[Any]:
    """Chalice's test client on the real app (routes, middleware, blueprints)."""
    from chalice.test import Client

    import app

    with Client(app.app) as test_client:
        yield test_client


@pytest.fixture
def pump(aws: None) -> Any:
    """The local event pump, driven synchronously: ``pump.run_until_idle()`` delivers the outbox stream and
    every queue to the handlers exactly as Lambda would."""
    import app
    from tools.pump import Pump

    return Pump(app, wait_seconds=0)
