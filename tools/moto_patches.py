"""Two defects of the emulator (moto 5.2) that show only under concurrent requests, patched for the local stack.

moto rolls back a cancelled ``TransactWriteItems`` (a lost race: a condition failed) by putting back deep
copies of its tables taken before the transaction ran. Under concurrent requests that

1. loses the writes other requests made to those tables in between (DynamoDB itself never does), and
2. replaces the outbox table's stream shard by a copy: every shard iterator already handed out (the
   pump's) keeps reading the old shard object, which holds the record of the cancelled transaction's outbox
   put (an event that never happened: the loser's "decided" with its own answer), and the pump never relays
   another outbox record. After one lost race (two staff acting on one case at once, or staff and the
   courier's DELIVERED) the local stack stops routing, notifying and opening tickets.

``harden()`` serialises DynamoDB writes (reads still run alongside) so a rollback cannot swallow another
request's write, and keeps the live stream shard across a rollback, without the records the cancelled
transaction appended. In the cloud neither applies: DynamoDB transactions are isolated and a
cancelled one writes no stream record.
"""
from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Iterator
from typing import Any

_LOCK = threading.RLock()
_ORIGINALS: dict[str, Any] = {}
WRITES = ("put_item", "update_item", "delete_item")  # BatchWriteItem goes through put_item and delete_item


def harden() -> None:
    """Idempotent: patches moto's DynamoDB backend once per process."""
    from moto.dynamodb.models import DynamoDBBackend

    if getattr(DynamoDBBackend.transact_write_items, "_kc_hardened", False):
        return
    transact = DynamoDBBackend.transact_write_items

    @functools.wraps(transact)
    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> Any:
        with _LOCK:
            shards = {name: (table.stream_shard, len(table.stream_shard.items))
                      for name, table in self.tables.items() if table.stream_shard is not None}
            try:
                return transact(self, transact_items)
            finally:
                for name, (shard, length) in shards.items():
                    table = self.tables.get(name)
                    if table is not None and table.stream_shard is not shard:  # rolled back to a copy
                        del shard.items[length:]  # what the cancelled transaction appended
                        shard.table = table
                        table.stream_shard = shard

    def locked(write: Any) -> Any:
        @functools.wraps(write)
        def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
            with _LOCK:
                return write(self, *args, **kwargs)
        return wrapper

    for name in WRITES:
        _ORIGINALS[name] = getattr(DynamoDBBackend, name)
        setattr(DynamoDBBackend, name, locked(_ORIGINALS[name]))
    _ORIGINALS["transact_write_items"] = transact
    transact_write_items._kc_hardened = True  # type: ignore[attr-defined]
    DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]


@contextlib.contextmanager
def unpatched() -> Iterator[None]:
    """moto as released, for the duration (a test of the defect itself, in a process that hardened it)."""
    from moto.dynamodb.models import DynamoDBBackend

    patched = {name: getattr(DynamoDBBackend, name) for name in _ORIGINALS}
    for name, original in _ORIGINALS.items():
        setattr(DynamoDBBackend, name, original)
    try:
        yield
    finally:
        for name, method in patched.items():
            setattr(DynamoDBBackend, name, method)
