"""tools/emulator: after a cancelled transaction (a lost race) the outbox stream keeps flowing to the
iterators already handed out, as the local stack's pump needs, and carries nothing of the cancelled write.

On moto (``aws``): it tests the emulator itself (and that unpatched moto still has the defect)."""
from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.config import Config
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.responses import DynamoHandler

from chalicelib.config import settings
from tools import emulator


def _outbox_item(event_id: str) -> dict[str, Any]:
    return {"event_id": {"S": event_id}, "created_at": {"S": "2026-11-30T00:00:00+00:00"},
            "event_type": {"S": "test"}, "payload": {"S": "{}"}}


def _records_after_a_lost_race() -> list[str]:
    ddb = boto3.client("dynamodb", region_name="us-east-1")
    streams = boto3.client("dynamodbstreams", region_name="us-east-1",
                           config=Config(account_id_endpoint_mode="disabled"))
    outbox = settings().name("outbox")
    arn = ddb.describe_table(TableName=outbox)["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="LATEST")["ShardIterator"]
    with pytest.raises(ddb.exceptions.TransactionCanceledException):
        ddb.transact_write_items(TransactItems=[
            {"Put": {"TableName": outbox, "Item": _outbox_item("cancelled#1")}},
            {"Put": {"TableName": outbox, "Item": _outbox_item("never#1"),
                     "ConditionExpression": "attribute_exists(event_id)"}},
        ])
    ddb.put_item(TableName=outbox, Item=_outbox_item("after#1"))
    records = streams.get_records(ShardIterator=iterator)["Records"]
    return [r["dynamodb"]["Keys"]["event_id"]["S"] for r in records]


def test_the_pumps_iterator_sees_writes_after_a_cancelled_transaction(aws: None) -> None:
    assert emulator.hardened()  # by tests/conftest.py, as by the local stack
    before = (DynamoHandler.call_action, DynamoDBBackend.transact_write_items)
    emulator.harden()  # idempotent
    assert (DynamoHandler.call_action, DynamoDBBackend.transact_write_items) == before
    assert _records_after_a_lost_race() == ["after#1"]


def test_unpatched_moto_orphans_the_iterator(aws: None) -> None:
    """The defect itself (when moto fixes it this test fails, and the patch can go): the old iterator shows
    the cancelled transaction's record, which never committed, and never the write that followed."""
    with emulator.unpatched():  # the tests' moto server hardens moto in this process too
        assert _records_after_a_lost_race() == ["cancelled#1"]
