"""Provisioning of an emulated account (the local stack, the tests, the benchmarks): every table with its
TTL, every queue with its dead-letter queue and redrive policy, every topic. In the cloud the stack (infra/)
makes all of these; the runtime creates nothing and finds topics by the ARNs in its environment
(``TOPIC_ARN_<NAME>``), which ``create_topics`` sets here for this process and its children."""
from __future__ import annotations

import json
import os
from typing import Any

from chalicelib.adapters import messaging
from chalicelib.adapters.dynamodb import forget_blocks
from chalicelib.adapters.models import CounterRecord
from chalicelib.adapters.tables import all_models, ttl_attribute
from chalicelib.config import settings


def create_tables(client: Any) -> list[str]:
    """Create every missing table (and its TTL) with a boto3 DynamoDB client; safe to run twice."""
    existing: set[str] = set()
    for page in client.get_paginator("list_tables").paginate():
        existing.update(page["TableNames"])
    created = []
    for model in all_models():
        name = model.Meta.table_name
        if name in existing:
            continue
        model.create_table(wait=False, billing_mode="PAY_PER_REQUEST")
        client.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
        created.append(name)
        if model is CounterRecord:  # a new counters table: numbers this process holds in blocks are not its own
            forget_blocks()
        attr = ttl_attribute(model)
        if attr:
            client.update_time_to_live(
                TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": attr}
            )
    return created


def create_queues(visibility_timeout: int | None = None) -> None:
    """Every queue with its DLQ and redrive policy. Safe to run twice."""
    client = messaging.sqs()
    for spec in messaging.QUEUES.values():
        dlq_url = client.create_queue(QueueName=settings().name(spec.dlq_logical))["QueueUrl"]
        dlq_arn = client.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        client.create_queue(
            QueueName=settings().name(spec.logical),
            Attributes={
                "VisibilityTimeout": str(spec.visibility_timeout_seconds if visibility_timeout is None
                                         else visibility_timeout),
                "RedrivePolicy": json.dumps(
                    {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(spec.max_receive_count)}
                ),
            },
        )
    messaging.queue_url.cache_clear()


def create_topics() -> dict[str, str]:
    """Every topic (CreateTopic is idempotent); its ARN goes into this process's environment, as the stack
    puts it into each publishing function's."""
    arns = {}
    for logical in messaging.TOPICS:
        arn = str(messaging.sns().create_topic(Name=settings().name(logical))["TopicArn"])
        os.environ[messaging.topic_variable(logical)] = arn
        arns[logical] = arn
    messaging.topic_arn.cache_clear()
    return arns


def find_topics() -> None:
    """For operator tools run from a shell (tools.outbox relays events that may publish alerts): the stage's
    topic ARNs found by name (ListTopics, read only) into this process's environment, where not set."""
    missing = {settings().name(t): t for t in messaging.TOPICS if not os.environ.get(messaging.topic_variable(t))}
    if not missing:
        return
    for page in messaging.sns().get_paginator("list_topics").paginate():
        for topic in page["Topics"]:
            logical = missing.get(topic["TopicArn"].rsplit(":", 1)[-1])
            if logical:
                os.environ[messaging.topic_variable(logical)] = topic["TopicArn"]
    messaging.topic_arn.cache_clear()
