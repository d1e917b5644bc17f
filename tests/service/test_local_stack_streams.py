"""tools/emulator: a cancelled transaction (a lost race) leaves what it named as it was, without copying
whole tables, and the outbox stream keeps flowing to the iterators already handed out, as the local stack's
pump needs, and carries nothing of the cancelled write.

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


def test_a_cancelled_transaction_leaves_every_item_it_named_as_it_was_and_keeps_other_writes(aws: None) -> None:
    """The hardened rollback puts back only what the transaction named (moto deep-copies whole tables):
    an updated item, a deleted item and an inserted item, in tables with and without a sort key, are as
    before, and what was written before the transaction stays."""
    ddb = boto3.client("dynamodb", region_name="us-east-1")
    events, counters = settings().name("case-events"), settings().name("counters")

    def event(seq: int, note: str) -> dict[str, Any]:
        return {"case_no": {"S": "KC1"}, "seq": {"N": str(seq)}, "note": {"S": note}}

    ddb.put_item(TableName=events, Item=event(1, "kept"))
    ddb.put_item(TableName=events, Item=event(2, "to delete"))
    ddb.put_item(TableName=events, Item=event(9, "other, untouched"))
    ddb.put_item(TableName=counters, Item={"counter_id": {"S": "c"}, "value": {"N": "5"}})
    with pytest.raises(ddb.exceptions.TransactionCanceledException):
        ddb.transact_write_items(TransactItems=[
            {"Update": {"TableName": events, "Key": {"case_no": {"S": "KC1"}, "seq": {"N": "1"}},
                        "UpdateExpression": "SET note = :n", "ExpressionAttributeValues": {":n": {"S": "changed"}}}},
            {"Delete": {"TableName": events, "Key": {"case_no": {"S": "KC1"}, "seq": {"N": "2"}}}},
            {"Put": {"TableName": events, "Item": event(3, "inserted")}},
            {"Update": {"TableName": counters, "Key": {"counter_id": {"S": "c"}},
                        "UpdateExpression": "ADD #v :one", "ExpressionAttributeNames": {"#v": "value"},
                        "ExpressionAttributeValues": {":one": {"N": "1"}}}},
            {"Put": {"TableName": counters, "Item": {"counter_id": {"S": "new"}},
                     "ConditionExpression": "attribute_exists(counter_id)"}},  # fails: the race is lost
        ])
    stored = ddb.query(TableName=events, KeyConditionExpression="case_no = :c",
                       ExpressionAttributeValues={":c": {"S": "KC1"}})["Items"]
    assert [(i["seq"]["N"], i["note"]["S"]) for i in stored] == [
        ("1", "kept"), ("2", "to delete"), ("9", "other, untouched")]
    assert ddb.get_item(TableName=counters, Key={"counter_id": {"S": "c"}})["Item"]["value"] == {"N": "5"}
    assert "Item" not in ddb.get_item(TableName=counters, Key={"counter_id": {"S": "new"}})


def test_a_transaction_does_not_copy_the_tables_it_names(aws: None) -> None:
    """moto as released deep-copies each named table, all its items and stream records, before every
    transaction; hardened, a transaction's cost does not grow with the data already stored."""
    import copy as copy_module

    ddb = boto3.client("dynamodb", region_name="us-east-1")
    outbox = settings().name("outbox")
    copied: list[str] = []
    real = copy_module.deepcopy

    def counting(value: Any, memo: Any = None) -> Any:
        copied.append(type(value).__name__)
        return real(value, memo)

    original = copy_module.deepcopy
    copy_module.deepcopy = counting  # type: ignore[assignment]
    try:
        ddb.transact_write_items(TransactItems=[{"Put": {"TableName": outbox, "Item": _outbox_item("t#1")}}])
    finally:
        copy_module.deepcopy = original  # type: ignore[assignment]
    assert "Table" not in copied and "StreamShard" not in copied
