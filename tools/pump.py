"""The local event pump: does for the local stack what Lambda's event source mappings and EventBridge do
in the cloud. It feeds SQS messages, the event streams' records and scheduled ticks to the very Chalice
handlers Lambda runs, in Lambda's event shapes.

- SQS: a message is deleted only when its record succeeded; reported batch item failures (and
  exceptions) leave messages to reappear after the visibility timeout, and the queue's redrive policy
  moves a message that failed maxReceiveCount times to the dead-letter queue.
- DynamoDB streams (the outbox table's and the case timeline's, ``STREAMS``): records are handed over in
  order per shard; a reported failure is retried from it.
- Schedule: the sweeper runs every ``sweep_seconds``; the parcel sealing (合包) every ``seal_seconds``; the
  statistics snapshot at start and every ``stats_seconds`` (when given).

Chaos mode (``Pump(app, chaos=random.Random(seed))``, for reliability tests) delivers the way SQS and
Lambda may at worst: every queue message 1-3 times (a copy in the same batch, or sent again to the queue
for a later batch), batches shuffled, and event stream records duplicated and shuffled (so the queue
messages they produce arrive out of order). Without ``chaos`` nothing of this happens.
"""
from __future__ import annotations

import functools
import os
import random
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.config import Config

from chalicelib.adapters import messaging
from chalicelib.config import settings
from chalicelib.observability import logger
from tools import emulator

# The tables whose streams carry events, and the handler (app.py) Lambda invokes with each one's records.
STREAMS = (("outbox", "relay_outbox"), ("case-events", "relay_case_events"))
RELAYS = frozenset(handler for _, handler in STREAMS)

@dataclass
class LambdaContext:
    """Enough of Lambda's context object for Chalice and Powertools."""

    function_name: str
    memory_limit_in_mb: int = 256
    timeout_ms: int = 30_000
    aws_request_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    invoked_function_arn: str = ""
    log_group_name: str = "local"
    log_stream_name: str = "local"
    function_version: str = "$LATEST"
    _start: float = field(default_factory=time.monotonic)

    def get_remaining_time_in_millis(self) -> int:
        return max(0, self.timeout_ms - int((time.monotonic() - self._start) * 1000))


def sqs_event(messages: list[dict[str, Any]], queue_arn: str, region: str) -> dict[str, Any]:
    return {
        "Records": [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": m.get("Attributes", {}),
                "messageAttributes": m.get("MessageAttributes", {}),
                "md5OfBody": m.get("MD5OfBody", ""),
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": region,
            }
            for m in messages
        ]
    }


def scheduled_event(region: str) -> dict[str, Any]:
    return {
        "version": "0", "id": uuid.uuid4().hex, "detail-type": "Scheduled Event", "source": "aws.events",
        "account": "000000000000", "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "region": region, "resources": [], "detail": {},
    }


@functools.cache
def client(service: str, region: str, endpoint: str | None) -> Any:
    """One client per service, region and emulator endpoint in this process: creating one loads its service
    model (tens of ms), and the tests start a pump each."""
    # Account-based stream endpoints ({account}.streams-ddb...) are unknown to the emulator.
    config = Config(account_id_endpoint_mode="disabled") if service == "dynamodbstreams" else None
    return boto3.client(service, region_name=region, endpoint_url=endpoint, config=config)  # type: ignore[call-overload]


class Pump:
    """Runs the queue, stream and schedule loops in threads until ``stop``."""

    def __init__(self, handlers_module: Any, sweep_seconds: float = 10.0, wait_seconds: int = 1,
                 handlers: dict[str, Callable[..., Any]] | None = None,
                 chaos: random.Random | None = None, seal_seconds: float | None = None,
                 stats_seconds: float | None = None) -> None:
        emulator.harden()  # the pump runs only against the emulator, and follows its stream iterators
        self.app = handlers_module  # app.py: its handler functions are what Lambda invokes
        self.region = settings().region
        self.sweep_seconds = sweep_seconds
        self.seal_seconds = seal_seconds if seal_seconds is not None else sweep_seconds
        self.stats_seconds = stats_seconds  # None: no statistics snapshots (the tests take them when they mean to)
        self.wait_seconds = wait_seconds
        endpoint = os.environ.get("AWS_ENDPOINT_URL")
        self._in_process = endpoint is None  # on moto's in-process mock: its queues can be looked at directly
        self.sqs = client("sqs", self.region, endpoint)
        self.streams = client("dynamodbstreams", self.region, endpoint)
        self.ddb = client("dynamodb", self.region, endpoint)
        self.handlers = handlers or self.default_handlers(handlers_module)
        self._streams: list[tuple[str, str]] | None = None
        self._iterators: dict[tuple[str, str], str] = {}  # (stream, shard) → the iterator to read next
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self.stats: dict[str, int] = {}
        self.chaos = chaos

    @staticmethod
    def default_handlers(module: Any) -> dict[str, Callable[..., Any]]:
        """Queue (logical name) → the Chalice handler subscribed to it, as the cloud wires them."""
        return {
            "routing": module.route_parcels,
            "courier-events": module.apply_courier_events,
            "tickets": module.open_tickets,
            "notifications": module.send_notifications,
        }

    # ---------------------------------------------------------------- SQS

    def drain_queue_once(self, logical: str) -> int:
        """Receive one batch and run it through the handler. Returns the number of messages received."""
        if self._in_process and emulator.visible_messages(settings().name(logical)) == 0:
            return 0  # nothing to receive: the poll would come back empty
        url = messaging.queue_url(logical)
        resp = self.sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=messaging.QUEUES[logical].batch_size,
            WaitTimeSeconds=self.wait_seconds, AttributeNames=["All"], MessageAttributeNames=["All"],
        )
        messages = resp.get("Messages", [])
        if not messages:
            return 0
        arn = f"arn:aws:sqs:{self.region}:000000000000:{settings().name(logical)}"
        handler = self.handlers[logical]
        delivered = self._chaos_batch(logical, url, messages) if self.chaos else messages
        failed: set[str] = set()
        try:
            result = handler(sqs_event(delivered, arn, self.region), LambdaContext(function_name=logical))
            failed = {f["itemIdentifier"] for f in (result or {}).get("batchItemFailures", [])}
        except Exception:
            logger.exception("queue handler raised; the whole batch will be retried", extra={"queue": logical})
            failed = {m["MessageId"] for m in delivered}
        failed = {f.split("#copy")[0] for f in failed}  # a failed copy leaves its message to be retried
        done = [m for m in messages if m["MessageId"] not in failed]
        if done:
            self.sqs.delete_message_batch(
                QueueUrl=url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)],
            )
        self._count(logical, len(done))
        self._count(f"{logical}:failed", len(failed))
        return len(messages)

    def _chaos_batch(self, logical: str, url: str, messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Each message 1-3 times: extra copies join this batch (with their own message id) or go back on
        the queue to arrive in a later batch; the batch is shuffled."""
        assert self.chaos is not None
        batch = list(messages)
        for m in messages:
            if "chaos-copy" in m.get("MessageAttributes", {}):
                continue  # a copy is not copied again: each message arrives at most 3 times
            for n in range(self.chaos.randint(1, 3) - 1):
                self._count("chaos:duplicates")
                if self.chaos.random() < 0.5:
                    batch.append({**m, "MessageId": f"{m['MessageId']}#copy{n}"})
                else:
                    self.sqs.send_message(QueueUrl=url, MessageBody=m["Body"], MessageAttributes={
                        "chaos-copy": {"DataType": "String", "StringValue": m["MessageId"]}})
                    self._count("chaos:requeued")
        self.chaos.shuffle(batch)
        self._count(f"chaos:{logical}:deliveries", len(batch))
        return batch

    def _count(self, key: str, n: int = 1) -> None:
        self.stats[key] = self.stats.get(key, 0) + n

    def _queue_loop(self, logical: str) -> None:
        while not self._stop.is_set():
            try:
                self.drain_queue_once(logical)
            except Exception:
                logger.exception("pump error", extra={"queue": logical})
                self._stop.wait(1)

    # ---------------------------------------------------------------- DynamoDB streams (the events)

    def _stream_arns(self) -> list[tuple[str, str]]:
        """Each relayed table's stream and the handler its Lambda mapping invokes (app.py)."""
        return [(str(self.ddb.describe_table(TableName=settings().name(table))["Table"]["LatestStreamArn"]),
                 handler) for table, handler in STREAMS]

    def drain_stream_once(self) -> int:
        """Hand the streams' new records to their relay handlers. Returns how many were read.

        Follows each shard's ``NextShardIterator`` as Lambda's stream mapping does (tools/emulator keeps the
        emulator's stream shard live across a cancelled transaction, so an iterator handed out stays
        good); a batch that reports a failure is read again from the failed record."""
        if self._streams is None:
            self._streams = self._stream_arns()
        read = 0
        for arn, handler in self._streams:
            if not any(a == arn for a, _ in self._iterators):
                for shard in self.streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
                    self._iterators[arn, shard["ShardId"]] = self.streams.get_shard_iterator(
                        StreamArn=arn, ShardId=shard["ShardId"],
                        ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
            for (stream, shard_id), iterator in list(self._iterators.items()):
                if stream != arn:
                    continue
                page = self.streams.get_records(ShardIterator=iterator, Limit=100)
                records = page.get("Records", [])
                self._iterators[arn, shard_id] = page.get("NextShardIterator") or iterator
                if records:
                    read += len(records)
                    failed_at = self._deliver_stream_batch(arn, handler, records)
                    if failed_at:
                        self._iterators[arn, shard_id] = self.streams.get_shard_iterator(
                            StreamArn=arn, ShardId=shard_id, ShardIteratorType="AT_SEQUENCE_NUMBER",
                            SequenceNumber=failed_at)["ShardIterator"]
        return read

    def _stream_loop(self) -> None:
        while not self._stop.is_set():
            try:
                if not self.drain_stream_once():
                    self._stop.wait(0.2)
            except Exception:
                logger.exception("stream pump error")
                self._stop.wait(1)

    def run_until_idle(self, max_rounds: int = 100) -> int:
        """Synchronously deliver everything pending (stream and queues) until nothing moves; for tests and
        tools. Returns the number of rounds that moved something."""
        rounds = 0
        for _ in range(max_rounds):
            moved = self.drain_stream_once()
            for logical in self.handlers:
                moved += self.drain_queue_once(logical)
            if not moved:
                break
            rounds += 1
        return rounds

    def _deliver_stream_batch(self, arn: str, handler: str, records: list[dict[str, Any]]) -> str | None:
        """Returns the sequence number to retry from (the first failed record), or None when all succeeded."""
        delivered = records
        if self.chaos:
            delivered = [r for r in records for _ in range(self.chaos.randint(1, 3))]
            self._count("chaos:stream_duplicates", len(delivered) - len(records))
            self.chaos.shuffle(delivered)
        event = {"Records": [{**r, "eventSourceARN": arn} for r in delivered]}
        try:
            result = getattr(self.app, handler)(event, LambdaContext(function_name=handler))
            failures = (result or {}).get("batchItemFailures", [])
        except Exception:
            logger.exception("stream handler raised; retrying the batch")
            failures = [{"itemIdentifier": records[0]["dynamodb"]["SequenceNumber"]}]
        self._count("outbox", len(records) - len(failures))
        if not failures:
            return None
        if self.chaos:  # shuffled: records before the failed one may not have run, so retry the whole batch
            failures = [{"itemIdentifier": records[0]["dynamodb"]["SequenceNumber"]}]
        if not self._stop.is_set() and self._threads:
            self._stop.wait(0.5)
        return str(failures[0]["itemIdentifier"])

    # ---------------------------------------------------------------- schedule

    def tick(self) -> Any:
        return self.app.sweep(scheduled_event(self.region), LambdaContext(function_name="sweep"))

    def seal(self) -> Any:
        """The sealing schedule (合包): the collection at the offices' cut-off."""
        return self.app.seal_parcels(scheduled_event(self.region), LambdaContext(function_name="seal_parcels"))

    def refresh_stats(self) -> Any:
        """The statistics snapshot's schedule (the dashboard's year of every office in one item)."""
        return self.app.refresh_stats(scheduled_event(self.region), LambdaContext(function_name="refresh_stats"))

    def _every(self, seconds: float, run: Callable[[], Any], what: str, at_once: bool = False) -> None:
        """A schedule: ``run`` every ``seconds`` until ``stop`` (``at_once``: first at start); a failed run is
        logged and the next one comes on time, as EventBridge invokes each run anew."""
        if not at_once and self._stop.wait(seconds):
            return
        while True:
            try:
                run()
            except Exception:
                logger.exception("scheduled %s failed", what)
            if self._stop.wait(seconds):
                return

    # ---------------------------------------------------------------- lifecycle

    def start(self) -> None:
        targets: list[tuple[str, Callable[..., None], tuple[Any, ...]]] = [
            (f"pump-{q}", self._queue_loop, (q,)) for q in self.handlers
        ]
        targets += [("pump-outbox", self._stream_loop, ()),
                    ("pump-schedule", self._every, (self.sweep_seconds, self.tick, "sweep")),
                    ("pump-seal", self._every, (self.seal_seconds, self.seal, "sealing"))]
        if self.stats_seconds:  # at once as well: the dashboard has its snapshot from the start
            targets.append(("pump-stats", self._every, (self.stats_seconds, self.refresh_stats,
                                                        "statistics snapshot", True)))
        for name, target, args in targets:
            thread = threading.Thread(target=target, args=args, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=self.wait_seconds + 2)
