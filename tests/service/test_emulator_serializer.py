"""tools/emulator: the item requests' fast answers (``json.dumps`` of moto's result) are the bodies moto's own
serializer gives, for every attribute type, every item request and their optional parts (return values,
consumed capacity, unprocessed keys); other requests and errors still go through moto's serializer."""
from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.dynamodb.responses import DynamoHandler

from tools import emulator

ITEM: dict[str, Any] = {
    "pk": {"S": "a"}, "sk": {"S": "1"}, "n": {"N": "1.50"}, "big": {"N": "12345678901234567890"},
    "b": {"B": b"\x00\xff"}, "bs": {"BS": [b"x", b"y"]}, "ss": {"SS": ["p", "q"]}, "ns": {"NS": ["1", "2"]},
    "m": {"M": {"x": {"L": [{"S": "中文"}, {"NULL": True}, {"BOOL": False}, {"BOOL": True}]}}},
    "empty": {"S": ""}, "empty_map": {"M": {}}, "empty_list": {"L": []},
}
KEY = {"pk": {"S": "a"}, "sk": {"S": "1"}}


fast_actions: set[str] = set()


@pytest.fixture
def compared() -> Iterator[list[tuple[str, str, str]]]:
    """Every DynamoDB answer in the fixture's mock, with moto's own body beside it: (action, moto's, ours);
    the actions answered by the fast path are in ``fast_actions``."""
    seen: list[tuple[str, str, str]] = []
    moto_serializer = emulator._ORIGINALS["serialized"]
    fast = DynamoHandler.serialized

    def both(self: Any, action_result: Any) -> Any:
        status, headers, body = fast(self, action_result)
        seen.append((self._get_action(), moto_serializer(self, action_result)[2], body))
        if emulator.fast_body(self._get_action(), action_result.result) is not None:
            fast_actions.add(self._get_action())
        return status, headers, body

    DynamoHandler.serialized = both  # type: ignore[method-assign]
    try:
        with mock_aws():
            yield seen
    finally:
        DynamoHandler.serialized = fast  # type: ignore[method-assign]


def test_item_requests_answer_what_motos_serializer_answers(compared: list[tuple[str, str, str]]) -> None:
    assert emulator.hardened()
    c = boto3.client("dynamodb", region_name="us-east-1")
    c.create_table(TableName="t", BillingMode="PAY_PER_REQUEST",
                   KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
                   AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                         {"AttributeName": "sk", "AttributeType": "S"}])
    c.put_item(TableName="t", Item=ITEM, ReturnConsumedCapacity="TOTAL")
    c.put_item(TableName="t", Item={**ITEM, "sk": {"S": "2"}}, ReturnValues="ALL_OLD")
    c.put_item(TableName="t", Item={**ITEM, "sk": {"S": "2"}}, ReturnValues="ALL_OLD")
    got = c.get_item(TableName="t", Key=KEY, ConsistentRead=True)["Item"]
    c.get_item(TableName="t", Key={"pk": {"S": "a"}, "sk": {"S": "absent"}})
    c.get_item(TableName="t", Key=KEY, ProjectionExpression="n, m.x[0]")
    c.update_item(TableName="t", Key=KEY, UpdateExpression="ADD n :one", ReturnValues="ALL_NEW",
                  ExpressionAttributeValues={":one": {"N": "1"}})
    c.update_item(TableName="t", Key=KEY, UpdateExpression="SET e2 = :v", ReturnValues="UPDATED_OLD",
                  ExpressionAttributeValues={":v": {"S": "x"}})
    page = c.query(TableName="t", KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "a"}},
                   Limit=1, ReturnConsumedCapacity="INDEXES")
    c.query(TableName="t", KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "a"}},
            ExclusiveStartKey=page["LastEvaluatedKey"], Select="COUNT")
    c.scan(TableName="t", Select="COUNT")
    c.scan(TableName="t", FilterExpression="n > :z", ExpressionAttributeValues={":z": {"N": "0"}})
    c.batch_get_item(RequestItems={"t": {"Keys": [KEY, {"pk": {"S": "a"}, "sk": {"S": "3"}}]}},
                     ReturnConsumedCapacity="TOTAL")
    c.batch_write_item(RequestItems={"t": [{"PutRequest": {"Item": {**ITEM, "sk": {"S": "5"}}}}]})
    c.transact_write_items(TransactItems=[{"Put": {"TableName": "t", "Item": {**ITEM, "sk": {"S": "6"}}}}])
    c.transact_get_items(TransactItems=[{"Get": {"TableName": "t", "Key": {"pk": {"S": "a"}, "sk": {"S": "6"}}}}])
    c.delete_item(TableName="t", Key={"pk": {"S": "a"}, "sk": {"S": "6"}}, ReturnValues="ALL_OLD")
    with pytest.raises(c.exceptions.ConditionalCheckFailedException):  # an error: moto's serializer answers
        c.put_item(TableName="t", Item=ITEM, ConditionExpression="attribute_not_exists(pk)")
    c.describe_table(TableName="t")  # not an item request (timestamps): moto's serializer answers

    assert got == ITEM  # every attribute type survives the round trip through the fast answer
    answered = {action for action, _, _ in compared}
    assert answered >= emulator.ITEM_ACTIONS
    assert fast_actions == emulator.ITEM_ACTIONS  # each item request was answered by the fast path
    for action, moto_body, ours in compared:
        assert json.loads(ours) == json.loads(moto_body), action


def test_other_requests_and_errors_are_left_to_motos_serializer() -> None:
    assert emulator.fast_body("DescribeTable", {"Table": {}}) is None
    assert emulator.fast_body("GetItem", ValueError("an error")) is None
    unmodelled = {"Item": {"b": {"B": b"\x01"}}, "Unmodelled": 1}
    assert emulator.fast_body("GetItem", unmodelled) == '{"Item": {"b": {"B": "AQ=="}}}'
    with pytest.raises(TypeError, match="not a DynamoDB wire value"):
        emulator.fast_body("GetItem", {"Item": {"when": object()}})
