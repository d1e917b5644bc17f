"""One contract for both buses: every test runs on the in-memory one (tests/fakes.py ``FakeBus``) and on
SQS and SNS (adapters/messaging.py) against moto, as the test stack provisions them (visibility timeout 0),
so that service tests on the fake prove what they would prove on the emulator.

What is held to: a message arrives as its body's JSON (Chinese text as it was); every message sent is
received until its consumer deletes it, and one deleted is gone; a batch of up to ten is taken whole and
received as its messages; a message received ``max_receive_count``
times and never deleted rests in the queue's dead-letter queue; what is published to the alerts topic
reaches its subscriber; an SMS goes to the number with the mainland prefix; a queue or topic that is not
defined and a body that is not JSON are refused.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from chalicelib.adapters.messaging import QUEUES
from chalicelib.services.bus import Bus
from tests.fakes import FakeBus


@dataclass
class Backend:
    name: str
    bus: Bus
    receive: Callable[[str], list[tuple[str, dict[str, Any]]]]  # (receipt, body) of one receive call
    delete: Callable[[str, str], None]
    depth: Callable[[str], int]
    alerts: Callable[[], list[dict[str, Any]]]  # what a subscriber of the alerts topic got so far
    sms: Callable[[], list[tuple[str, str]]]


@pytest.fixture(params=["memory", "sqs"])
def backend(request: pytest.FixtureRequest) -> Iterator[Backend]:
    if request.param == "memory":
        fake = FakeBus()
        yield Backend("memory", fake,
                      lambda q: [(m.message_id, json.loads(m.body)) for m in fake.receive(q)],
                      fake.delete, fake.depth, lambda: fake.published("alerts"), lambda: list(fake.sms))
        return
    request.getfixturevalue("aws")
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.sns.models import sns_backends

    from chalicelib.adapters import messaging
    from tests.shipping_support import AlertsProbe, queue_depth

    probe, got = AlertsProbe(), []

    def receive(queue: str) -> list[tuple[str, dict[str, Any]]]:
        resp = messaging.sqs().receive_message(QueueUrl=messaging.queue_url(queue), MaxNumberOfMessages=10)
        return [(m["ReceiptHandle"], json.loads(m["Body"])) for m in resp.get("Messages", [])]

    def delete(queue: str, receipt: str) -> None:
        messaging.sqs().delete_message(QueueUrl=messaging.queue_url(queue), ReceiptHandle=receipt)

    def alerts() -> list[dict[str, Any]]:
        got.extend(probe.received())
        return list(got)

    def sms() -> list[tuple[str, str]]:
        return [(phone, text) for phone, text in sns_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sms_messages.values()]

    yield Backend("sqs", messaging.BUS, receive, delete, queue_depth, alerts, sms)


def test_a_message_is_received_as_its_json_until_it_is_deleted(backend):
    bodies = [{"type": "case.forward", "case_no": f"KC{n}", "details": {"reason": "材料缺失", "n": [n]}}
              for n in range(3)]
    ids = {backend.bus.send("routing", body) for body in bodies}
    assert len(ids) == 3 and all(isinstance(i, str) and i for i in ids)
    assert backend.depth("routing") == 3 and backend.depth("tickets") == 0
    first = backend.receive("routing")
    assert sorted((b for _, b in first), key=lambda b: b["case_no"]) == bodies
    for receipt, body in first:
        if body["case_no"] != "KC1":
            backend.delete("routing", receipt)
    again = backend.receive("routing")  # not deleted: visible again at once (visibility timeout 0)
    assert [b for _, b in again] == [bodies[1]]
    backend.delete("routing", again[0][0])
    assert backend.receive("routing") == [] and backend.depth("routing") == 0


def test_a_message_never_deleted_rests_in_the_dead_letter_queue_after_its_receives(backend):
    backend.bus.send("tickets", {"type": "review.bad", "case_no": "KC9"})
    for _ in range(QUEUES["tickets"].max_receive_count):
        assert [b["case_no"] for _, b in backend.receive("tickets")] == ["KC9"]
    assert backend.receive("tickets") == []
    assert backend.depth("tickets") == 0 and backend.depth("tickets-dlq") == 1
    assert [b["case_no"] for _, b in backend.receive("tickets-dlq")] == ["KC9"]


def test_alerts_reach_the_topics_subscriber_and_sms_the_applicants_phone(backend):
    backend.bus.publish("alerts", {"type": "case.mark_overdue", "case_no": "KC1", "details": {"stage": "受理"}},
                        subject="case.mark_overdue" * 10)  # longer than SNS takes: the adapter cuts it
    assert backend.alerts() == [{"type": "case.mark_overdue", "case_no": "KC1", "details": {"stage": "受理"}}]
    backend.bus.send_sms("13800138000", "【跨城通办】您的办件已收件。")
    assert backend.sms() == [("+8613800138000", "【跨城通办】您的办件已收件。")]


def test_what_is_not_defined_or_not_json_is_refused(backend):
    with pytest.raises(Exception):  # each side raises its own kind: refused is the contract
        backend.bus.send("no-such-queue", {"a": 1})
    with pytest.raises(Exception):
        backend.bus.publish("no-such-topic", {"a": 1})
    with pytest.raises(TypeError):
        backend.bus.send("routing", {"at": object()})
    assert backend.depth("routing") == 0


def test_a_batch_of_up_to_ten_is_taken_whole_and_received_as_single_messages(backend):
    bodies = [{"type": "case.receive", "case_no": f"KC{n}", "details": {"note": "原件已核"}} for n in range(10)]
    assert backend.bus.send_batch("notifications", bodies) == []  # every position taken
    assert backend.depth("notifications") == 10
    received = backend.receive("notifications")
    assert sorted((b for _, b in received), key=lambda b: int(b["case_no"][2:])) == bodies
    for receipt, _ in received:
        backend.delete("notifications", receipt)
    for wrong in ([], [{"n": n} for n in range(11)]):
        with pytest.raises(ValueError):
            backend.bus.send_batch("notifications", wrong)
    with pytest.raises(Exception):
        backend.bus.send_batch("no-such-queue", [{"a": 1}])
    with pytest.raises(TypeError):  # one body that is not JSON: nothing of the batch is sent
        backend.bus.send_batch("routing", [{"a": 1}, {"at": object()}])
    assert backend.depth("notifications") == 0 and backend.depth("routing") == 0
