"""SQS queues and SNS topics: their definitions (shared by the local stack and the cloud templates)
and lazily created clients to publish to them. Creating them is provisioning: infra/ in the cloud,
tools/provision.py for the emulator."""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import boto3

from ..config import settings
from ..services.bus import Bus, check_batch


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

# SMS go straight to the applicant's phone (``send_sms``), not through a topic.
TOPICS: dict[str, str] = {
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


def topic_variable(logical: str) -> str:
    """The environment variable that carries a topic's ARN (set by the stack; locally by tools/provision.py)."""
    return f"TOPIC_ARN_{logical.upper().replace('-', '_')}"


@lru_cache(maxsize=8)
def topic_arn(logical: str) -> str:
    """The topic's ARN from the environment: the runtime creates nothing (fail closed when it is not set)."""
    arn = os.environ.get(topic_variable(logical))
    if not arn:
        raise RuntimeError(f"{topic_variable(logical)} is not set: the stack sets it for each function that "
                           f"publishes to the {logical} topic")
    return arn


def send(logical: str, body: dict[str, Any]) -> str:
    """Put one message on a queue; returns its message id."""
    resp = sqs().send_message(QueueUrl=queue_url(logical), MessageBody=json.dumps(body, ensure_ascii=False))
    return str(resp["MessageId"])


def send_batch(logical: str, bodies: list[dict[str, Any]]) -> list[int]:
    """Put up to ten messages on a queue in one SendMessageBatch; returns the positions SQS did not take."""
    check_batch(bodies)
    entries = [{"Id": str(i), "MessageBody": json.dumps(body, ensure_ascii=False)} for i, body in enumerate(bodies)]
    resp = sqs().send_message_batch(QueueUrl=queue_url(logical), Entries=entries)
    return sorted(int(failed["Id"]) for failed in resp.get("Failed", []))


def publish(topic: str, message: dict[str, Any], subject: str = "") -> None:
    kwargs: dict[str, Any] = {"TopicArn": topic_arn(topic), "Message": json.dumps(message, ensure_ascii=False)}
    if subject:
        kwargs["Subject"] = subject[:100]
    sns().publish(**kwargs)


def send_sms(phone: str, text: str) -> None:
    """SMS to a mainland mobile through SNS (in the cloud: the SNS SMS channel)."""
    sns().publish(PhoneNumber=f"+86{phone}", Message=text)


class SqsSnsBus(Bus):
    """The messaging port on SQS and SNS. Each call looks the module's function up when it runs, so that
    the fault-injection tests that replace ``send`` and the like reach every caller."""

    def send(self, queue: str, body: dict[str, Any]) -> str:
        return send(queue, body)

    def send_batch(self, queue: str, bodies: list[dict[str, Any]]) -> list[int]:
        return send_batch(queue, bodies)

    def publish(self, topic: str, message: dict[str, Any], subject: str = "") -> None:
        publish(topic, message, subject)

    def send_sms(self, phone: str, text: str) -> None:
        send_sms(phone, text)


BUS = SqsSnsBus()
