"""The relay of a stream batch (services/outbox_relay.py): each queue's messages go out together, ten to a
request, and what is reported for retry is the first record that did not get every message through, so that
every record before it was relayed whole (at least once), whatever failed: a request, one entry, the alerts
topic or a record that is not an event."""
from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from chalicelib.domain.events import CaseEvent, encode
from chalicelib.services import outbox_relay


def _event(n: int, event_type: str = "case.receive") -> dict[str, Any]:
    return encode(CaseEvent(event_id=f"KC4403002026120200{n:03d}#2", type=event_type,
                            case_no=f"KC4403002026120200{n:03d}", version=2, action=event_type.split(".")[1],
                            from_status="SUBMITTED", to_status="RECEIVED",
                            at=datetime(2026, 12, 2, 1, 0, tzinfo=UTC), matter_id="DG-SI-CERT",
                            receiving_office_id="SZ-GOV", handling_office_id="DG-GOV"))


def _record(n: int, payload: dict[str, Any] | None = None) -> dict[str, Any]:
    image = {"payload": {"S": json.dumps(payload if payload is not None else _event(n))}}
    return {"eventName": "INSERT", "dynamodb": {"SequenceNumber": str(100 + n), "NewImage": image}}


def _cases(fake: Any, queue: str) -> list[str]:
    return [json.loads(m.body)["case_no"][-3:] for m in fake.bus.queues[queue]]


def test_a_batch_goes_out_ten_messages_to_a_request(fake, monkeypatch):
    requests: list[tuple[str, int]] = []
    send_batch = fake.bus.send_batch
    monkeypatch.setattr(fake.bus, "send_batch", lambda q, b: requests.append((q, len(b))) or send_batch(q, b))
    monkeypatch.setattr(fake.bus, "send", lambda *a: pytest.fail("one message a request"))

    assert outbox_relay.relay_stream_batch([_record(n) for n in range(23)]) == {"batchItemFailures": []}

    # case.receive: the tickets queue (its review slot) and the applicant's notification, in record order.
    assert sorted(requests) == [("notifications", 3), ("notifications", 10), ("notifications", 10),
                                ("tickets", 3), ("tickets", 10), ("tickets", 10)]
    assert _cases(fake, "tickets") == _cases(fake, "notifications") == [f"{n:03d}" for n in range(23)]


def test_an_entry_not_taken_is_reported_with_every_later_record(fake, monkeypatch):
    send_batch = fake.bus.send_batch

    def refuses_the_fourth_on_tickets(queue: str, bodies: list[dict[str, Any]]) -> list[int]:
        if queue != "tickets":
            return send_batch(queue, bodies)
        send_batch(queue, bodies[:3] + bodies[4:])
        return [3]

    monkeypatch.setattr(fake.bus, "send_batch", refuses_the_fourth_on_tickets)
    result = outbox_relay.relay_stream_batch([_record(n) for n in range(6)])
    assert result == {"batchItemFailures": [{"itemIdentifier": "103"}]}  # records 0-2 relayed whole


def test_a_failed_request_reports_its_first_record_and_nothing_later_is_lost(fake, monkeypatch):
    send_batch = fake.bus.send_batch
    calls = {"tickets": 0}

    def second_tickets_request_fails(queue: str, bodies: list[dict[str, Any]]) -> list[int]:
        if queue == "tickets":
            calls["tickets"] += 1
            if calls["tickets"] == 2:
                raise ConnectionError("timeout")
        return send_batch(queue, bodies)

    monkeypatch.setattr(fake.bus, "send_batch", second_tickets_request_fails)
    records = [_record(n) for n in range(15)]
    assert outbox_relay.relay_stream_batch(records) == {"batchItemFailures": [{"itemIdentifier": "110"}]}
    # The retry from record 10 sends its messages again where they were taken already: at least once.
    monkeypatch.setattr(fake.bus, "send_batch", send_batch)
    assert outbox_relay.relay_stream_batch(records[10:]) == {"batchItemFailures": []}
    assert sorted(set(_cases(fake, "tickets"))) == [f"{n:03d}" for n in range(15)]
    assert sorted(set(_cases(fake, "notifications"))) == [f"{n:03d}" for n in range(15)]


def test_a_record_that_is_not_an_event_stops_the_batch_there_and_an_alert_that_fails_too(fake, monkeypatch):
    records = [_record(0), _record(1), _record(2, {"type": "case.receive"}), _record(3)]  # 2: fields missing
    assert outbox_relay.relay_stream_batch(records) == {"batchItemFailures": [{"itemIdentifier": "102"}]}
    assert _cases(fake, "tickets") == ["000", "001"]  # nothing of the records after it went out

    overdue = [_record(n, _event(n, "case.mark_overdue")) for n in range(4, 7)]

    def topic_down(topic: str, message: dict[str, Any], subject: str = "") -> None:
        if message["case_no"].endswith("005"):
            raise ConnectionError("SNS unavailable")

    monkeypatch.setattr(fake.bus, "publish", topic_down)
    assert outbox_relay.relay_stream_batch(overdue) == {"batchItemFailures": [{"itemIdentifier": "105"}]}
