"""SQS queues and SNS topics: their definitions (shared by the local stack and the cloud templates)
and lazily created clients to publish to them."""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import boto3

from ..config import settings


@dataclass(frozen=True)
class QueueSpec:
    logical: str
    purpose: str
    handler_timeout_seconds: int = 30
    max_receive_count: int = 5  # then the message moves to the dead-letter queue
    batch_size: int = 10

    @property
    def visibility_timeout_seconds(self) -> int:
        # AWS advice: at least six times the function timeout, so a slow batch is not redelivered mid-run.
        return self.handler_timeout_seconds * 6

    @property
    def dlq_logical(self) -> str:
        return f"{self.logical}-dlq"


QUEUES: dict[str, QueueSpec] = {
    q.logical: q
    for q in (
        QueueSpec("routing", "plans parcel legs when a case is forwarded or its result shipped"),
        QueueSpec("courier-events", "courier tracking events from the signed webhook"),
        QueueSpec("tickets", "opens a rectification ticket (差评工单) for each bad review"),
        QueueSpec("notifications", "SMS-style messages to applicants"),
    )
}

TOPICS: dict[str, str] = {
    "notifications": "SMS to applicants (SNS)",
    "alerts": "operational alerts and escalations for staff and supervisors",
}


@lru_cache(maxsize=1)
def sqs() -> Any:
    return boto3.client("sqs", region_name=settings().region)


@lru_cache(maxsize=1)
def sns() -> Any:
    return boto3.client("sns", region_name=settings().region)


@lru_cache(maxsize=32)
def queue_url(logical: str) -> str:
    return str(sqs().get_queue_url(QueueName=settings().name(logical))["QueueUrl"])


@lru_cache(maxsize=8)
def topic_arn(logical: str) -> str:
    # create_topic is idempotent and returns the ARN without needing the account id in config.
    return str(sns().create_topic(Name=settings().name(logical))["TopicArn"])


def send(logical: str, body: dict[str, Any]) -> str:
    """Put one message on a queue; returns its message id."""
    resp = sqs().send_message(QueueUrl=queue_url(logical), MessageBody=json.dumps(body, ensure_ascii=False))
    return str(resp["MessageId"])


def publish(topic: str, message: dict[str, Any], subject: str = "") -> None:
    kwargs: dict[str, Any] = {"TopicArn": topic_arn(topic), "Message": json.dumps(message, ensure_ascii=False)}
    if subject:
        kwargs["Subject"] = subject[:100]
    sns().publish(**kwargs)


def send_sms(phone: str, text: str) -> None:
    """SMS to a mainland mobile through SNS (in the cloud: the SNS SMS channel)."""
    sns().publish(PhoneNumber=f"+86{phone}", Message=text)


def create_all(visibility_timeout: int | None = None) -> None:
    """Create every queue with its DLQ and redrive policy, and every topic. Safe to run twice."""
    client = sqs()
    for spec in QUEUES.values():
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
    for topic in TOPICS:
        topic_arn(topic)
    queue_url.cache_clear()
