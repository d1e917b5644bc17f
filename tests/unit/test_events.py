"""Domain events: one serializer, and a decoder that turns anything but a well-formed event of a known type
into MalformedEvent (which a queue handler reports as a failed record, with a log line, until the message
rests in the dead-letter queue)."""
from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from chalicelib.domain.events import CaseEvent, MalformedEvent, ReviewBad, decode, encode

AT = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
EVENT = CaseEvent(event_id="KC4403002026030200001#2", type="case.receive", case_no="KC4403002026030200001",
                  version=2, action="receive", from_status="SUBMITTED", to_status="RECEIVED", at=AT,
                  matter_id="DG-SI-CERT", receiving_office_id="SZ-GOV", handling_office_id=None,
                  details={"missing": []})


def test_an_event_survives_the_outbox_and_the_queue_unchanged():
    payload = json.loads(json.dumps(encode(EVENT)))
    assert payload["at"] == "2026-03-02T02:00:00+00:00" and payload["handling_office_id"] is None
    assert decode(payload) == EVENT
    assert encode(decode(payload)) == payload
    bad = ReviewBad("review#X#receiving", "review.bad", AT, "X", "receiving", "SZ-GOV", "440300")
    assert decode(encode(bad)) == bad


@pytest.mark.parametrize(("message", "problem"), [
    ("not an object", "is not a JSON object"),
    ({**encode(EVENT), "type": "case"}, "unknown event type"),
    ({**encode(EVENT), "type": "payment.received"}, "unknown event type"),
    ({k: v for k, v in encode(EVENT).items() if k != "version"}, "field 'version' is missing"),
    ({**encode(EVENT), "version": "2"}, "field 'version' is not"),
    ({**encode(EVENT), "version": True}, "field 'version' is not"),
    ({**encode(EVENT), "at": "yesterday"}, "field 'at' is not"),
    ({**encode(EVENT), "details": []}, "field 'details' is not"),
])
def test_anything_else_is_a_malformed_event_naming_why(message: Any, problem: str):
    with pytest.raises(MalformedEvent) as err:
        decode(message)
    assert problem in err.value.problem


def test_a_queue_handler_fails_a_malformed_record_with_a_log_line(monkeypatch):
    from chalicelib.api import events

    logged: list[tuple[str, dict[str, Any]]] = []
    monkeypatch.setattr(events.logger, "error", lambda msg, extra: logged.append((msg, extra)))

    def handle(message: dict[str, Any]) -> None:
        decode(message)

    record = {"messageId": "m-1", "receiptHandle": "r", "body": json.dumps({"type": "case.receive"}),
              "attributes": {}, "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs",
              "eventSourceARN": "arn:aws:sqs:us-east-1:000000000000:q", "awsRegion": "us-east-1"}
    result = events.sqs_batch({"Records": [record]}, handle)
    assert result["batchItemFailures"] == [{"itemIdentifier": "m-1"}]
    assert [(msg, extra["event_type"], extra["problem"]) for msg, extra in logged] == [
        ("malformed event", "case.receive", "field 'event_id' is missing")]
