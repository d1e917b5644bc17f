"""Counts the AWS requests the application makes, with botocore event hooks, and replays them raw.

The hooks (``provide-client-params`` and ``after-call``) are registered in botocore's built-in handler list,
so every session created afterwards carries them: boto3's default session and the session PynamoDB creates
for each connection. ``install`` forgets the application's cached clients so they are re-created with the
hooks. A call is recorded only while a label is set (the use case or handler being measured); the
benchmark's own set-up and the pump's polling are not.

Capacity units are computed from item sizes (moto answers ReturnConsumedCapacity with fixed placeholders):
see ``item_size``, ``write_units`` and ``read_units``.
"""
from __future__ import annotations

import copy
import json
import math
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any

DDB_WRITES = frozenset({"PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem"})
DDB_READS = frozenset({"GetItem", "Query", "Scan", "TransactGetItems", "BatchGetItem"})


@dataclass
class Call:
    service: str
    op: str
    params: dict[str, Any]
    label: str  # the route or handler that made it
    phase: str  # the use case it belongs to (its asynchronous consequences included)
    wru: float = 0.0
    rru: float = 0.0
    subject: str = ""  # the case whose life made it (the partition-heat figure groups by it)
    # Every partition key the write touched: (table, index or "", partition key value, write units).
    touches: list[tuple[str, str, str, float]] = field(default_factory=list)


@dataclass
class GsiSpec:
    name: str
    keys: tuple[str, ...]
    projection: str  # ALL | KEYS_ONLY | INCLUDE


# ---------------------------------------------------------------- item sizes and capacity units


def value_size(value: dict[str, Any]) -> int:
    """Approximate stored size of one DynamoDB attribute value (AWS's sizing rules)."""
    (kind, raw), = value.items()
    if kind == "S":
        return len(str(raw).encode())
    if kind == "N":
        digits = len(str(raw).lstrip("-").replace(".", "").lstrip("0")) or 1
        return (digits + 1) // 2 + 1
    if kind == "B":
        return len(raw) if isinstance(raw, (bytes, bytearray)) else len(str(raw))
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "M":
        return 3 + sum(len(k.encode()) + 1 + value_size(v) for k, v in raw.items())
    if kind == "L":
        return 3 + sum(1 + value_size(v) for v in raw)
    if kind in ("SS", "NS", "BS"):
        return sum(value_size({kind[0]: x}) for x in raw)
    return 1


def plain(value: dict[str, Any] | None) -> str:
    """A typed attribute value ({"S": "x"}) as the text of its value ("x")."""
    if not value:
        return ""
    (_, raw), = value.items()
    return str(raw)


def item_size(item: dict[str, Any]) -> int:
    return sum(len(name.encode()) + value_size(v) for name, v in item.items())


def write_units(size: int) -> int:
    return max(1, math.ceil(size / 1024))


def read_units(size: int, consistent: bool) -> float:
    units = max(1, math.ceil(size / 4096))
    return float(units) if consistent else units / 2


# ---------------------------------------------------------------- the recorder


_TOKEN = re.compile(r"[#:][A-Za-z0-9_]+")


class Recorder:
    """Records the labelled AWS calls of this process; see the module docstring."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.label: str | None = None
        self.phase: str = ""
        self.subject: str = ""
        self._touches: list[tuple[str, str, str, float]] = []
        self.gsis: dict[str, list[GsiSpec]] = {}
        self.keys: dict[str, tuple[str, ...]] = {}
        self._shadow: dict[tuple[str, str], dict[str, Any]] = {}  # last written item per key (GSI accounting)
        self._local = threading.local()
        self._installed = False
        # Figure 3 times requests: no copy of their parameters, no read units, and their write units worked out
        # after the timed request (``take``), not in its botocore hook.
        self.light = False
        self._uncosted: list[Call] = []

    # ------------------------------------------------------------ hooks

    def _params(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        self._local.pending = None
        if self.label is None:
            return
        service = model.service_model.service_name
        # Light (figure 3): the request is kept as the application built it, not copied, so the recording
        # costs the timed request next to nothing (botocore serializes it without changing it).
        kept = params if self.light else copy.deepcopy(params)
        call = Call(service, model.name, kept, self.label, self.phase, subject=self.subject)
        if service == "dynamodb" and model.name in DDB_WRITES:
            if self.light:
                self._uncosted.append(call)
            else:
                self._cost(call)
        self.calls.append(call)
        self._local.pending = call

    def _after(self, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        call: Call | None = getattr(self._local, "pending", None)
        self._local.pending = None
        if call is None or call.service != "dynamodb" or call.op not in DDB_READS or self.light:
            return
        consistent = bool(call.params.get("ConsistentRead")) and "IndexName" not in call.params
        if call.op == "GetItem":
            call.rru = read_units(item_size(parsed.get("Item") or {}), consistent)
        elif call.op in ("Query", "Scan"):
            call.rru = read_units(sum(item_size(i) for i in parsed.get("Items", [])), consistent)
        elif call.op == "TransactGetItems":
            call.rru = sum(2 * read_units(item_size(r.get("Item") or {}), True) for r in parsed.get("Responses", []))
        elif call.op == "BatchGetItem":
            call.rru = sum(read_units(item_size(i), consistent)
                           for items in parsed.get("Responses", {}).values() for i in items)

    # ------------------------------------------------------------ write capacity (base table + GSIs)

    def _key_of(self, table: str, item: dict[str, Any]) -> str:
        names = self.keys.get(table) or tuple(sorted(item))[:1]
        return json.dumps({k: item.get(k) for k in names}, sort_keys=True, default=str)

    def _put_cost(self, table: str, item: dict[str, Any] | None, key: dict[str, Any],
                  transactional: bool = False) -> float:
        """Base-table units for the new image (twice in a transaction) plus the index writes: per GSI the
        item is in, one write of the projected image, or two when the index key changes (the old entry is
        deleted, a new one written); none for a keys-only index whose keys did not change. Index writes are
        standard writes, also for a transaction."""
        shadow_key = (table, self._key_of(table, item or key))
        old = self._shadow.get(shadow_key)
        size = item_size(item) if item is not None else item_size(old or key)
        units: float = write_units(size) * (2 if transactional else 1)
        hash_name = (self.keys.get(table) or tuple(sorted(item or key))[:1])[0]
        self._touches.append((table, "", plain((item or key).get(hash_name)), units))
        for gsi in self.gsis.get(table, []):
            new_keys = tuple(json.dumps((item or {}).get(k), default=str) for k in gsi.keys)
            old_keys = tuple(json.dumps((old or {}).get(k), default=str) for k in gsi.keys)
            in_new = item is not None and gsi.keys[0] in item
            in_old = old is not None and gsi.keys[0] in old
            projected = size if gsi.projection == "ALL" else 100
            new_pk, old_pk = plain((item or {}).get(gsi.keys[0])), plain((old or {}).get(gsi.keys[0]))
            if in_new and in_old and new_keys != old_keys:
                units += 1 + write_units(projected)
                self._touches.append((table, gsi.name, old_pk, 1))
                self._touches.append((table, gsi.name, new_pk, write_units(projected)))
            elif in_new and in_old and gsi.projection == "KEYS_ONLY":
                continue
            elif in_new or in_old:
                units += write_units(projected)
                self._touches.append((table, gsi.name, new_pk if in_new else old_pk, write_units(projected)))
        if item is not None:
            self._shadow[shadow_key] = item
        else:
            self._shadow.pop(shadow_key, None)
        return units

    def _touch_key(self, table: str, key: dict[str, Any], units: float) -> None:
        hash_name = (self.keys.get(table) or tuple(sorted(key))[:1])[0]
        self._touches.append((table, "", plain(key.get(hash_name)), units))

    def _update_cost(self, table: str, key: dict[str, Any], old: dict[str, Any] | None, factor: int) -> float:
        """An update (a counter, a few attributes): sized from the last image written, the key if none. Index
        entries are not touched by these updates (they change no index key), except that the base item's
        partition takes the units."""
        units = float(factor * write_units(item_size(old or key)))
        self._touch_key(table, key, units)
        return units

    def _write_cost(self, op: str, params: dict[str, Any]) -> float:
        if op == "PutItem":
            return self._put_cost(params["TableName"], params["Item"], params["Item"])
        if op in ("UpdateItem", "DeleteItem"):
            # Updates here are counters and small attribute changes: sized from the last known image.
            table, key = params["TableName"], params["Key"]
            old = self._shadow.get((table, self._key_of(table, key)))
            if op == "DeleteItem":
                return self._put_cost(table, None, key)
            return self._update_cost(table, key, old, 1)
        if op == "TransactWriteItems":
            total = 0.0
            for entry in params["TransactItems"]:
                (kind, body), = entry.items()
                if kind == "Put":
                    total += self._put_cost(body["TableName"], body["Item"], body["Item"], transactional=True)
                elif kind == "Delete":
                    total += self._put_cost(body["TableName"], None, body["Key"], transactional=True)
                elif kind == "Update":
                    table, key = body["TableName"], body["Key"]
                    total += self._update_cost(table, key, self._shadow.get((table, self._key_of(table, key))), 2)
                else:  # ConditionCheck
                    total += 2 * write_units(item_size(body.get("Key", {})))
                    self._touch_key(body["TableName"], body.get("Key", {}), 2.0)
            return total
        if op == "BatchWriteItem":
            total = 0.0
            for table, requests in params["RequestItems"].items():
                for req in requests:
                    if "PutRequest" in req:
                        total += self._put_cost(table, req["PutRequest"]["Item"], req["PutRequest"]["Item"])
                    else:
                        total += self._put_cost(table, None, req["DeleteRequest"]["Key"])
            return total
        return 0.0

    def recost(self, calls: list[Call], projections: dict[tuple[str, str], str] | None = None,
               without_table: str | None = None) -> float:
        """WRU of ``calls`` again from a clean slate, optionally with other projections for some indexes
        ({(table, index): "KEYS_ONLY"}) or without the writes to one table: what another design would cost."""
        other = Recorder()
        other.keys = dict(self.keys)
        other.gsis = {t: [GsiSpec(g.name, g.keys, (projections or {}).get((t, g.name), g.projection)) for g in gs]
                      for t, gs in self.gsis.items()}
        total = 0.0
        for c in calls:
            if c.service != "dynamodb" or c.op not in DDB_WRITES:
                continue
            params = c.params
            if without_table and c.op == "TransactWriteItems":
                params = {**params, "TransactItems": [e for e in params["TransactItems"]
                                                      if next(iter(e.values()))["TableName"] != without_table]}
            elif without_table and params.get("TableName") == without_table:
                continue
            total += other._write_cost(c.op, params)
        return total

    def describe_tables(self, client: Any, names: list[str]) -> None:
        """Learn each table's key and GSIs (for index write costs)."""
        for name in names:
            table = client.describe_table(TableName=name)["Table"]
            self.keys[name] = tuple(k["AttributeName"] for k in table["KeySchema"])
            self.gsis[name] = [
                GsiSpec(g["IndexName"], tuple(k["AttributeName"] for k in g["KeySchema"]),
                        g["Projection"]["ProjectionType"])
                for g in table.get("GlobalSecondaryIndexes", [])
            ]

    # ------------------------------------------------------------ install / label

    def install(self) -> None:
        """Register the hooks for every botocore session created from now on, and make the application
        re-create its clients."""
        from botocore import handlers

        handlers.BUILTIN_HANDLERS.append(("provide-client-params", self._params))
        handlers.BUILTIN_HANDLERS.append(("after-call", self._after))
        self._installed = True
        forget_clients()

    def uninstall(self) -> None:
        from botocore import handlers

        handlers.BUILTIN_HANDLERS[:] = [h for h in handlers.BUILTIN_HANDLERS
                                        if h[1] not in (self._params, self._after)]
        self.label = None
        self._installed = False
        forget_clients()

    @contextmanager
    def labelled(self, label: str | None, phase: str | None = None) -> Iterator[None]:
        saved = (self.label, self.phase)
        self.label = label
        if phase is not None:
            self.phase = phase
        try:
            yield
        finally:
            self.label, self.phase = saved

    def _cost(self, call: Call) -> None:
        self._touches = call.touches
        call.wru = self._write_cost(call.op, call.params)

    def take(self, since: int) -> list[Call]:
        """The calls recorded since index ``since``, every write's units worked out (in the order made)."""
        for call in self._uncosted:
            self._cost(call)
        self._uncosted.clear()
        return self.calls[since:]


def forget_clients() -> None:
    """Drop every cached AWS client of the application (and boto3's default session), as the tests'
    ``reset_clients`` does, so the next call builds them from a session carrying the hooks."""
    import boto3

    from chalicelib.adapters import messaging, session, tables, transaction

    session.forget_session()
    for model in tables.all_models():
        model._connection = None
    transaction.reset_connection()
    for cached in (messaging.sqs, messaging.sns, messaging.queue_url, messaging.topic_arn):
        cached.cache_clear()
    boto3.DEFAULT_SESSION = None


# ---------------------------------------------------------------- summaries


@dataclass
class Tally:
    ddb: int = 0
    ddb_writes: int = 0
    ddb_reads: int = 0
    transact: int = 0
    scan: int = 0
    sqs: int = 0
    sns: int = 0
    other: int = 0
    wru: float = 0.0
    rru: float = 0.0
    ops: dict[str, int] = field(default_factory=dict)

    def add(self, call: Call) -> None:
        key = f"{call.service}:{call.op}"
        self.ops[key] = self.ops.get(key, 0) + 1
        if call.service == "dynamodb":
            self.ddb += 1
            self.ddb_writes += call.op in DDB_WRITES
            self.ddb_reads += call.op in DDB_READS
            self.transact += call.op.startswith("Transact")
            self.scan += call.op == "Scan"
            self.wru += call.wru
            self.rru += call.rru
        elif call.service == "sqs":
            self.sqs += 1
        elif call.service == "sns":
            self.sns += 1
        else:
            self.other += 1

    @property
    def requests(self) -> int:
        return self.ddb + self.sqs + self.sns + self.other

    def as_dict(self) -> dict[str, Any]:
        return {"dynamodb": self.ddb, "dynamodb_writes": self.ddb_writes, "dynamodb_reads": self.ddb_reads,
                "transactions": self.transact, "scan": self.scan, "sqs": self.sqs, "sns": self.sns,
                "other": self.other, "requests": self.requests, "wru": round(self.wru, 2),
                "rru": round(self.rru, 2), "ops": dict(sorted(self.ops.items()))}


def tally(calls: list[Call]) -> Tally:
    t = Tally()
    for call in calls:
        t.add(call)
    return t


# ---------------------------------------------------------------- raw replay (the floor)


def _strip_condition(body: dict[str, Any]) -> None:
    """Drop a write's condition (it would fail on a replay: the item now exists with a newer version) and
    the expression names and values only the condition used."""
    body.pop("ConditionExpression", None)
    body.pop("ReturnValuesOnConditionCheckFailure", None)
    used = set(_TOKEN.findall(" ".join(str(body.get(k, "")) for k in (
        "UpdateExpression", "ProjectionExpression", "KeyConditionExpression", "FilterExpression"))))
    for key in ("ExpressionAttributeNames", "ExpressionAttributeValues"):
        if key in body:
            kept = {k: v for k, v in body[key].items() if k in used}
            if kept:
                body[key] = kept
            else:
                del body[key]


def replayable(call: Call, scratch_queue_url: str) -> dict[str, Any] | None:
    """The raw request equivalent to ``call``, safe to issue again; None for nothing to issue."""
    params = copy.deepcopy(call.params)
    if call.service == "dynamodb":
        if call.op == "TransactWriteItems":
            items = []
            for entry in params["TransactItems"]:
                (kind, body), = entry.items()
                if kind == "ConditionCheck":
                    continue
                _strip_condition(body)
                items.append(entry)
            if not items:
                return None
            params["TransactItems"] = items
        elif call.op in ("PutItem", "UpdateItem", "DeleteItem"):
            _strip_condition(params)
    elif call.service == "sqs" and "QueueUrl" in params:
        params["QueueUrl"] = scratch_queue_url  # the same request, without feeding the handlers twice
    return params


def _method(op: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", op).lower()


def replay(calls: list[Call], clients: dict[str, Any], scratch_queue_url: str,
           only: frozenset[str] | None = None) -> float:
    """Issue ``calls`` again directly with boto3; returns the seconds they took (errors are counted as
    done: the round trip happened)."""
    from botocore.exceptions import ClientError

    prepared = []
    for call in calls:
        if only is not None and call.op not in only:
            continue
        params = replayable(call, scratch_queue_url)
        if params is not None and call.service in clients:
            prepared.append((getattr(clients[call.service], _method(call.op)), params))
    start = time.perf_counter()
    for method, params in prepared:
        with suppress(ClientError):
            method(**params)
    return time.perf_counter() - start
