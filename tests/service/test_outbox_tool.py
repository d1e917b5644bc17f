"""tools.outbox (issue 12): list the outbox events the relay gave up on and relay them again, one, a range,
or every failed batch, idempotently (a failure record goes only once its events were re-sent).

On moto (``client``): the tool reads the outbox table and the stream-failure queue of the AWS account and
sends to its SQS queues, adapters the in-memory fakes do not model."""
from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta

import boto3
import pytest

from chalicelib.config import settings
from tests.shipping_support import queue_depth
from tests.support import received_case, resident_id
from tools import outbox


def run(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    code = outbox.main(list(args), out=out)
    return code, out.getvalue()


def _failures_queue() -> str:
    return str(boto3.client("sqs").create_queue(QueueName=settings().name(outbox.STREAM_FAILURES))["QueueUrl"])


def _failure_record(url: str, first: datetime, last: datetime) -> None:
    """What Lambda writes to the on-failure destination of a stream mapping that gave up on a batch."""
    info = {"shardId": "shardId-0001", "startSequenceNumber": "100", "endSequenceNumber": "104", "batchSize": 5,
            "approximateArrivalOfFirstRecord": first.isoformat().replace("+00:00", "Z"),
            "approximateArrivalOfLastRecord": last.isoformat().replace("+00:00", "Z"),
            "streamArn": "arn:aws:dynamodb:us-east-1:123456789012:table/kc-test-outbox/stream/x"}
    boto3.client("sqs").send_message(QueueUrl=url, MessageBody=json.dumps(
        {"version": "1.0", "timestamp": last.isoformat(), "DDBStreamBatchInfo": info}))


@pytest.fixture
def unrelayed(client):
    """A case received at the window: its outbox events were written but the relay never ran."""
    before = datetime.now(UTC) - timedelta(seconds=1)
    case = received_case(client)
    after = datetime.now(UTC) + timedelta(seconds=1)
    assert queue_depth("tickets") == 0 and queue_depth("notifications") == 0
    return case, before, after


def test_list_a_time_range_shows_the_events_masked(unrelayed):
    case, before, after = unrelayed
    code, text = run("list", "--from", before.isoformat(), "--to", after.isoformat())
    assert code == 0 and case["case_no"] in text and "case.receive" in text
    code, text = run("--json", "list", "--from", before.isoformat(), "--to", after.isoformat())
    assert code == 0 and resident_id(1) not in text
    assert [e["type"] for e in json.loads(text)["events"]][-1] == "case.receive"


def test_relay_one_event_sends_it_where_the_relay_would(unrelayed):
    _case, before, after = unrelayed
    _, text = run("--json", "list", "--from", before.isoformat(), "--to", after.isoformat())
    receive = next(e for e in json.loads(text)["events"] if e["type"] == "case.receive")
    code, text = run("relay", receive["event_id"])
    assert code == 0 and receive["event_id"] in text
    assert queue_depth("tickets") == 1 and queue_depth("notifications") == 1
    assert run("relay", "no-such-event")[0] == 2


def test_relay_a_range(unrelayed):
    _, before, after = unrelayed
    code, text = run("--json", "relay", "--from", before.isoformat(), "--to", after.isoformat())
    assert code == 0 and len(json.loads(text)["relayed"]) >= 2
    assert queue_depth("tickets") == 1 and queue_depth("notifications") == 1


def test_failed_batches_are_listed_and_relayed_once(unrelayed):
    case, before, after = unrelayed
    url = _failures_queue()
    _failure_record(url, before, after)
    code, text = run("list")
    assert code == 0 and "1 failed batch(es)" in text and "shard shardId-0001 sequence 100..104" in text
    assert case["case_no"] in text
    code, text = run("--json", "relay", "--failed")
    result = json.loads(text)
    assert code == 0 and result["batches"] == 1 and result["relayed"]
    assert queue_depth("tickets") == 1 and queue_depth("notifications") == 1
    # Idempotent: the failure record is gone, so a second run re-sends nothing.
    code, text = run("--json", "relay", "--failed")
    assert code == 0 and json.loads(text) == {"relayed": [], "batches": 0, "failed_batches": 0}
    assert queue_depth("tickets") == 1
    assert "0 failed batch(es)" in run("list")[1]


def test_a_batch_whose_relay_fails_stays_queued(unrelayed, monkeypatch):
    _, before, after = unrelayed
    url = _failures_queue()
    _failure_record(url, before, after)

    def broken(event):
        raise RuntimeError("SQS unavailable")

    monkeypatch.setattr(outbox.outbox_relay, "relay", broken)
    code, text = run("--json", "relay", "--failed")
    assert code == 1 and json.loads(text)["failed_batches"] == 1
    monkeypatch.undo()
    assert "1 failed batch(es)" in run("list")[1]


def test_operator_mistakes_are_exit_code_2(aws):
    assert run("list", "--from", "yesterday", "--to", "today")[0] == 2
    assert run("list", "--from", "2026-12-01T08:00:00+08:00")[0] == 2
    assert run("relay")[0] == 2
    assert run("relay", "x", "--failed")[0] == 2
    assert run("list")[0] == 0  # the local stack has no failure queue: nothing failed
