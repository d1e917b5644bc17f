"""The messaging port: what the services send through (queues, the alerts topic, SMS to applicants).

The SQS/SNS implementation is ``adapters/messaging.py``; tests put the in-memory one (tests/fakes.py) in
its place through ``bootstrap.use_bus``. Both keep the same behaviour, which one contract suite
(tests/contract/test_bus.py) proves on both: a message is its body as JSON (what does not serialize is
refused at sending), a batch holds at most ``BATCH_LIMIT`` messages, a queue or topic that is not defined is
refused, a message not deleted by its
consumer comes back and after its queue's ``max_receive_count`` receives rests in the dead-letter queue.
"""
from __future__ import annotations

import abc
from typing import Any

BATCH_LIMIT = 10  # messages in one SendMessageBatch (SQS's limit)
BATCH_BYTES = 200_000  # their bodies together, under SQS's 256 KiB a request


def check_batch(bodies: list[dict[str, Any]]) -> None:
    """Refuse a batch that no SendMessageBatch can carry: every implementation refuses the same."""
    if not 0 < len(bodies) <= BATCH_LIMIT:
        raise ValueError(f"a batch holds 1 to {BATCH_LIMIT} messages, not {len(bodies)}")


class Bus(abc.ABC):
    @abc.abstractmethod
    def send(self, queue: str, body: dict[str, Any]) -> str:
        """Put one message on a queue (its logical name); returns the message id."""

    @abc.abstractmethod
    def send_batch(self, queue: str, bodies: list[dict[str, Any]]) -> list[int]:
        """Put up to ``BATCH_LIMIT`` messages on a queue in one request (SQS bills it as one request); returns
        the positions of those that were not taken (each may be sent again). Raises when the request fails."""

    @abc.abstractmethod
    def publish(self, topic: str, message: dict[str, Any], subject: str = "") -> None:
        """Publish one message to a topic (its logical name) for every subscriber."""

    @abc.abstractmethod
    def send_sms(self, phone: str, text: str) -> None:
        """Text a mainland mobile number."""
