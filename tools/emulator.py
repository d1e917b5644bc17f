"""The AWS emulator (moto 5.2) made as isolated as DynamoDB: one module, used by the local stack (`make run`),
the tests' emulator server and the race proofs alike, so the local stack runs with the isolation the race
proofs prove.

DynamoDB applies each request atomically and a cancelled transaction writes nothing. moto does neither
under concurrent requests:

1. Its DynamoDB has no request isolation: a read can see half of another request's transaction, and
   concurrent requests can fail with a 500 inside the emulator.
2. It rolls back a cancelled ``TransactWriteItems`` (a lost race: a condition failed) by putting back deep
   copies of its tables taken before the transaction ran, which loses the writes other requests made to
   those tables in between, and
3. replaces the outbox table's stream shard by that copy: every shard iterator already handed out (the
   pump's) keeps reading the old shard object, which holds the record of the cancelled transaction's outbox
   put (an event that never happened), and never sees another record. After one lost race the local stack
   would stop routing, notifying and opening tickets.

``harden()`` runs one DynamoDB request at a time (a request-level lock around moto's DynamoDB handler:
writes, and the reads that could otherwise see half a write; requests of different callers still
interleave freely between each other, which is what races are about), which settles 1 and 2; and it keeps
the live stream shard across a rollback, without the records the cancelled transaction appended (3), so a
stream reader follows ``NextShardIterator`` as Lambda does. It also rolls back by putting back only the items
the transaction named, where moto deep-copies each named table whole (its stream records included) before
every transaction: that made each write slower and the process bigger as the data grew (the local stack
grew by megabytes per case). ``unpatched()`` gives moto as released, for the
canary test (tests/service/test_local_stack_streams.py) that fails the day moto fixes the defect.

It also answers DynamoDB's item requests (GetItem, Query, BatchGetItem …) with ``json.dumps`` of moto's own
result. moto's results are already in DynamoDB's wire form (typed attribute values), but moto walks
botocore's shape model for every attribute of every item it returns (about 25 µs an attribute): a year of
statistics counters took seconds to return, and that, not the application, was what the tests and the bench
timed. The fast answer keeps only the output shape's top-level members and encodes binary values in base64,
as moto's serializer does; tests/service/test_emulator_serializer.py proves both give the same body for every
attribute type and item request, and other requests (and every error) go through moto's serializer.
"""
from __future__ import annotations

import base64
import contextlib
import copy
import functools
import json
import os
import threading
from collections.abc import Callable, Iterator
from typing import Any

LOCK = threading.RLock()  # one DynamoDB request at a time, in the whole process (in-process mock or server)
_ORIGINALS: dict[str, Any] = {}
_PROVISIONED: dict[tuple[str, str], Any] = {}  # (account, region) -> moto's tables as first provisioned
# (account, region, variant) -> moto's queues and topics as first provisioned, and the SNS backend they name
_MESSAGING: dict[tuple[str, str, object], tuple[Any, Any, Any]] = {}
# The item requests whose results are items and their metadata only (no timestamps): answered by json.dumps.
ITEM_ACTIONS = frozenset({"GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan", "BatchGetItem",
                          "BatchWriteItem", "TransactGetItems", "TransactWriteItems"})


def hardened() -> bool:
    from moto.dynamodb.responses import DynamoHandler

    return bool(getattr(DynamoHandler.call_action, "_kc_hardened", False))


def harden() -> None:
    """Idempotent: patches moto's DynamoDB handler and backend once per process."""
    from moto.dynamodb import models as dynamodb_models
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.responses import DynamoHandler

    if hardened():
        return
    call_action = DynamoHandler.call_action
    transact = DynamoDBBackend.transact_write_items
    serialized = DynamoHandler.serialized

    @functools.wraps(call_action)
    def one_request_at_a_time(self: Any) -> Any:
        with LOCK:
            return call_action(self)

    @functools.wraps(transact)
    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> Any:
        # moto deep-copies every table the transaction names, its stream included, to roll back a cancelled
        # one: O(all the data) per transaction, which made the local stack slower and bigger with every case.
        # Under the request lock nothing else writes meanwhile, so keeping the named items and the streams'
        # lengths, and putting those back, is the same rollback.
        saved = _items_named(self, transact_items)
        shards = {name: (table.stream_shard, len(table.stream_shard.items))
                  for name, table in self.tables.items() if table.stream_shard is not None}
        # (the tables stay the same objects: a stream reader's iterator keeps following the live shard)
        try:
            return transact(self, transact_items)
        except BaseException:
            for table, hash_key, range_key, item in saved:
                _put_back(table, hash_key, range_key, item)
            for shard, length in shards.values():
                del shard.items[length:]  # the records of what the cancelled transaction wrote
            raise

    @functools.wraps(serialized)
    def serialized_fast(self: Any, action_result: Any) -> Any:
        body = fast_body(self._get_action(), action_result.result)
        if body is None:
            return serialized(self, action_result)
        return 200, {"Content-Type": "application/x-amz-json-1.0", **self.response_headers}, body

    _ORIGINALS.update(call_action=call_action, transact_write_items=transact, serialized=serialized)
    one_request_at_a_time._kc_hardened = True  # type: ignore[attr-defined]
    DynamoHandler.call_action = one_request_at_a_time  # type: ignore[method-assign]
    DynamoHandler.serialized = serialized_fast  # type: ignore[method-assign]
    DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]
    dynamodb_models.copy = _TablesNotCopied()  # type: ignore[assignment]


def fast_body(action: str, result: Any) -> str | None:
    """The JSON body DynamoDB gives for an item request's result, or None for any other request or result
    (moto's serializer answers those). Only the output shape's top-level members, as moto's serializer keeps."""
    if action not in ITEM_ACTIONS or not isinstance(result, dict):
        return None
    members = _output_members(action)
    return json.dumps({k: v for k, v in result.items() if k in members and v is not None}, default=_wire)


@functools.cache
def _output_members(action: str) -> frozenset[str]:
    from moto.core.utils import get_service_model

    shape = get_service_model("dynamodb").operation_model(action).output_shape
    return frozenset(shape.members) if shape is not None else frozenset()


def _wire(value: Any) -> str:
    if isinstance(value, bytes | bytearray):  # B and BS values: moto holds the bytes, the wire has base64
        return base64.b64encode(value).decode("ascii")
    raise TypeError(f"not a DynamoDB wire value: {type(value).__name__}")


class _TablesNotCopied:
    """``copy`` as moto's DynamoDB backend module sees it once hardened: a table is "copied" as itself (the
    hardened transaction rolls back what it wrote instead, above); everything else is copied as usual."""

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)

    @staticmethod
    def deepcopy(value: Any, memo: dict[int, Any] | None = None) -> Any:
        from moto.dynamodb.models.table import Table

        return value if isinstance(value, Table) else copy.deepcopy(value, memo)


def _items_named(backend: Any, transact_items: list[dict[str, Any]]) -> list[tuple[Any, Any, Any, Any]]:
    """(table, hash key, range key, a copy of the stored item or None) for every item a transaction names;
    entries moto will refuse (unknown table, missing key) are left to moto."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    saved = []
    for entry in transact_items:
        for op in entry.values():
            table: Any = backend.tables.get(op.get("TableName")) if isinstance(op, dict) else None
            attrs = (op.get("Item") or op.get("Key")) if table is not None else None
            if table is None or not isinstance(attrs, dict) or table.hash_key_attr not in attrs:
                continue
            hash_key = DynamoType(attrs[table.hash_key_attr])
            range_key = None
            if table.range_key_attr is not None:
                if table.range_key_attr not in attrs:
                    continue
                range_key = DynamoType(attrs[table.range_key_attr])
            saved.append((table, hash_key, range_key, copy.deepcopy(table.get_item(hash_key, range_key))))
    return saved


def _put_back(table: Any, hash_key: Any, range_key: Any, item: Any) -> None:
    """The stored item under this key as it was (None: no item)."""
    if range_key is None:
        if item is None:
            table.items.pop(hash_key, None)
        else:
            table.items[hash_key] = item
        return
    rows = table.items[hash_key]
    if item is None:
        rows.pop(range_key, None)
        if not rows:
            table.items.pop(hash_key, None)
    else:
        rows[range_key] = item


@contextlib.contextmanager
def unpatched() -> Iterator[None]:
    """moto as released, for the duration (a test of the defect itself, in a process that hardened it)."""
    from moto.dynamodb import models as dynamodb_models
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.responses import DynamoHandler

    owners = {"call_action": DynamoHandler, "transact_write_items": DynamoDBBackend, "serialized": DynamoHandler}
    patched = {name: getattr(owners[name], name) for name in _ORIGINALS}
    copier = dynamodb_models.copy  # type: ignore[attr-defined]
    for name, original in _ORIGINALS.items():
        setattr(owners[name], name, original)
    dynamodb_models.copy = copy  # type: ignore[attr-defined]
    try:
        yield
    finally:
        for name, method in patched.items():
            setattr(owners[name], name, method)
        dynamodb_models.copy = copier  # type: ignore[attr-defined]


def restore_tables(provision: Callable[[], object]) -> None:
    """In moto's in-process mock, on a fresh account: the tables as ``provision`` makes them, which runs once
    per process and account; afterwards the tables are put back from a deep copy of that first result (moto
    itself rolls a cancelled transaction back the same way), so a test starts with every table, its indexes,
    TTL, stream and the reference data, and nothing else. An account that already holds tables is
    provisioned as asked (idempotent), not restored."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    key = (DEFAULT_ACCOUNT_ID, os.environ.get("AWS_DEFAULT_REGION", "us-east-1"))
    backend = dynamodb_backends[key[0]][key[1]]
    if backend.tables:
        provision()
        return
    snapshot = _PROVISIONED.get(key)
    if snapshot is None:
        provision()
        _PROVISIONED[key] = copy.deepcopy(backend.tables)
        return
    backend.tables = copy.deepcopy(snapshot)


def restore_messaging(provision: Callable[[], object], variant: object = None) -> None:
    """``restore_tables`` for the queues (with their DLQs and redrive policies) and topics: made by
    ``provision`` once per process, account and ``variant`` (what changes them, such as the visibility
    timeout), then put back from a copy of that first result, ~1 ms instead of a dozen requests. An account
    that already holds queues or topics is provisioned as asked."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.sns.models import sns_backends
    from moto.sqs.models import sqs_backends

    account, region = DEFAULT_ACCOUNT_ID, os.environ.get("AWS_DEFAULT_REGION", "us-east-1")
    sqs, sns = sqs_backends[account][region], sns_backends[account][region]
    if sqs.queues or sns.topics:
        provision()
        return
    key = (account, region, variant)
    if key not in _MESSAGING:
        provision()
        # (a topic names its backend: the copy keeps naming the backend it was made in, not a copy of it)
        _MESSAGING[key] = (_copied(sqs.queues, {id(sns): sns}), _copied(sns.topics, {id(sns): sns}), sns)
        return
    queues, topics, first = _MESSAGING[key]
    sqs.queues = _copied(queues, {})
    sns.topics = _copied(topics, {id(first): sns})


def _copied(value: Any, memo: dict[int, Any]) -> Any:
    """A deep copy of moto's queues or topics: each queue's message lock (a ``threading.Condition``, which
    cannot be copied) is a new one, and the objects in ``memo`` (by id) are kept or replaced as given."""
    import threading

    for queue in value.values():
        lock = getattr(queue, "_messages_lock", None)
        if lock is not None:
            memo[id(lock)] = threading.Condition()
    return copy.deepcopy(value, memo)


def visible_messages(queue_name: str) -> int | None:
    """How many messages the in-process emulated queue would hand out now, or None when this process holds
    no such queue (the emulator is elsewhere). Lets a pump on the in-process mock skip the empty polls that
    were a quarter of the API tests' requests; a pump on a server polls as Lambda does."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.sqs.models import sqs_backends

    queue = sqs_backends[DEFAULT_ACCOUNT_ID][os.environ.get("AWS_DEFAULT_REGION", "us-east-1")].queues.get(queue_name)
    return None if queue is None else len(queue.messages)
