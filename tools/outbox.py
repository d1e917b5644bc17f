"""The outbox for operators: find events the relay gave up on, and relay them again.

    python -m tools.outbox list                                   failed stream batches (the relay's
                                                                  failure queue) and the events in them
    python -m tools.outbox list --from 2026-12-01T08:00:00+08:00 --to 2026-12-01T09:00:00+08:00
                                                                  events created in that range
    python -m tools.outbox relay <event_id>                       relay one event again
    python -m tools.outbox relay --from T1 --to T2                relay every event created in [T1, T2]
    python -m tools.outbox relay --failed                         relay the events of every failed batch; each
                                                                  failure record is deleted once all its events
                                                                  were re-sent, so a second run re-sends nothing

Events are on two streams: the outbox table's, and the case timeline's (a case's step is committed with its
timeline event, which is its outbox record: chalicelib/adapters/event_records.py). An event id is the
outbox item's, or for a case's step ``{case_no}#{version}``.

When a relay fails a batch of either stream for good (10 retries), Lambda writes a record naming the
batch's stream, shard, sequence numbers and arrival times to ``{prefix}-outbox-stream-failures`` (alarm
``outbox-stream-failures``). The stream's records are gone after a day, but the outbox items stay a week
(TTL) and the timeline events for ever: this tool finds them by their time (in both tables: re-sending one
event too many is harmless) and hands each to the same relay code the Lambda runs
(chalicelib.services.outbox_relay.relay). Relaying again is safe: every consumer is idempotent on the event,
as for a redelivered message, and like ``tools.dlq redrive`` a failure record is removed only after its
events were all re-sent. Events are shown with personal data masked.

Environment as tools.dlq: the local stack (``AWS_ENDPOINT_URL``, ``RESOURCE_PREFIX=kc-local``) or a stage
(``RESOURCE_PREFIX=kc-prod`` with its credentials). ``make outbox ARGS="list"`` runs it.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any, TextIO

import boto3
from botocore.exceptions import EndpointConnectionError, NoCredentialsError

from chalicelib.adapters.event_records import case_event_payload, relay_fields_of
from chalicelib.adapters.models import CaseEventRecord, OutboxRecord
from chalicelib.config import settings
from chalicelib.domain.identity import scrub
from chalicelib.services import outbox_relay

STREAM_FAILURES = "outbox-stream-failures"  # infra/queues.py names the relay's failure destination so
BROWSE_SECONDS = 60  # a failure record read by `relay --failed` stays hidden this long if not deleted
SLACK = timedelta(seconds=2)  # arrival times are approximate: widen the window a little on both sides


class OutboxError(Exception):
    """An operator mistake (bad time, unknown event): printed, exit code 2."""


def _instant(text: str, what: str) -> datetime:
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise OutboxError(f"{what} must be an ISO-8601 time with an offset, e.g. 2026-12-01T08:00:00+08:00") \
            from None
    if value.tzinfo is None:
        raise OutboxError(f"{what} needs an offset (+08:00 or Z)")
    return value


def _sqs() -> Any:
    return boto3.client("sqs", region_name=settings().region)


def _failures_url(sqs: Any) -> str | None:
    try:
        return str(sqs.get_queue_url(QueueName=settings().name(STREAM_FAILURES))["QueueUrl"])
    except sqs.exceptions.QueueDoesNotExist:
        return None  # the local stack has no failure destination: nothing ever failed for good there


def events_between(start: datetime, end: datetime) -> list[dict[str, Any]]:
    """Events created in [start, end], oldest first: the outbox table's (a week of items) and the cases'
    steps from their timeline events (which are their outbox records: adapters/event_records.py). Both are
    an operator's scans; the timeline is kept for ever, so its scan reads the whole table, filtered on the
    relayed items only (those with an event type)."""
    found = []
    for item in OutboxRecord.scan():
        created = _instant(item.created_at, "created_at")
        if start <= created <= end:
            found.append({"event_id": item.event_id, "type": item.event_type, "created_at": item.created_at,
                          "payload": item.payload})
    for record in CaseEventRecord.scan(CaseEventRecord.event_type.exists()):
        payload = case_event_payload(record.case_no, record.event, relay_fields_of(record))
        if start <= _instant(str(payload["at"]), "at") <= end:
            found.append({"event_id": payload["event_id"], "type": payload["type"], "created_at": payload["at"],
                          "payload": payload})
    return sorted(found, key=lambda e: (e["created_at"], e["event_id"]))


def _failure_records(sqs: Any, url: str, visibility: int) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    seen: set[str] = set()
    while True:
        batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=visibility,
                                    WaitTimeSeconds=0).get("Messages", [])
        fresh = [m for m in batch if m["MessageId"] not in seen]
        for m in batch:
            if m["MessageId"] in seen:  # released earlier (a failed relay) and read again: let it be
                sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=0)
        if not fresh:
            return
        for message in fresh:
            seen.add(message["MessageId"])
            yield message, json.loads(message["Body"]).get("DDBStreamBatchInfo", {})


def _window(info: dict[str, Any]) -> tuple[datetime, datetime]:
    first = _instant(info["approximateArrivalOfFirstRecord"], "approximateArrivalOfFirstRecord")
    last = _instant(info["approximateArrivalOfLastRecord"], "approximateArrivalOfLastRecord")
    return first - SLACK, last + SLACK


def failed_batches(sqs: Any | None = None) -> list[dict[str, Any]]:
    """Each failed batch with the outbox events created in its arrival window (records are released)."""
    sqs = sqs or _sqs()
    url = _failures_url(sqs)
    if url is None:
        return []
    batches, messages = [], []
    for message, info in _failure_records(sqs, url, 30):
        messages.append(message)
        start, end = _window(info)
        batches.append({"shard": info.get("shardId"), "first_sequence": info.get("startSequenceNumber"),
                        "last_sequence": info.get("endSequenceNumber"), "size": info.get("batchSize"),
                        "from": start.isoformat(), "to": end.isoformat(), "events": events_between(start, end)})
    for message in messages:  # browsing must not hide them
        sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0)
    return batches


def relay_one(event_id: str) -> dict[str, Any]:
    payload = stored_event(event_id)
    if payload is None:
        raise OutboxError(f"no event {event_id!r} (a case's step: its case number and version, e.g. "
                          "KC4403002026120100001#3; other events expire from the outbox after a week)")
    outbox_relay.relay(payload)
    return {"relayed": [event_id]}


def stored_event(event_id: str) -> dict[str, Any] | None:
    """An event by its id: a case's step from its timeline event (``{case_no}#{version}``), any other from the
    outbox table."""
    try:
        return dict(OutboxRecord.get(event_id).payload)
    except OutboxRecord.DoesNotExist:
        pass
    case_no, _, seq = event_id.rpartition("#")
    if not (seq.isascii() and seq.isdigit()) or not case_no:
        return None
    try:
        record = CaseEventRecord.get(case_no, int(seq))
    except CaseEventRecord.DoesNotExist:
        return None
    return case_event_payload(case_no, record.event, relay_fields_of(record)) if record.event_type else None


def relay_range(start: datetime, end: datetime) -> dict[str, Any]:
    if end < start:
        raise OutboxError("--to is before --from")
    relayed = []
    for event in events_between(start, end):
        outbox_relay.relay(event["payload"])
        relayed.append(event["event_id"])
    return {"relayed": relayed}


def relay_failed(sqs: Any | None = None) -> dict[str, Any]:
    """Re-send the events of every failed batch; a failure record is deleted only after all its events were
    re-sent, so running this twice re-sends nothing the second time."""
    sqs = sqs or _sqs()
    url = _failures_url(sqs)
    relayed: list[str] = []
    batches = failed = 0
    if url is None:
        return {"relayed": relayed, "batches": 0, "failed_batches": 0}
    for message, info in _failure_records(sqs, url, BROWSE_SECONDS):
        try:
            events = events_between(*_window(info))
            for event in events:
                outbox_relay.relay(event["payload"])
        except Exception:
            failed += 1
            sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0)
            continue
        relayed += [e["event_id"] for e in events]
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        batches += 1
    return {"relayed": relayed, "batches": batches, "failed_batches": failed}


def _masked(event: dict[str, Any]) -> str:
    return scrub(json.dumps(event.get("payload"), ensure_ascii=False, sort_keys=True))


def main(argv: list[str] | None = None, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    from tools.provision import find_topics

    find_topics()  # relaying may publish alerts: the runtime takes topic ARNs from its environment
    parser = argparse.ArgumentParser(prog="python -m tools.outbox", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    sub = parser.add_subparsers(dest="command", required=True)
    listing = sub.add_parser("list", help="failed batches and their events, or the events of a time range")
    relay = sub.add_parser("relay", help="relay one event, a time range, or every failed batch again")
    relay.add_argument("event_id", nargs="?")
    relay.add_argument("--failed", action="store_true")
    for p in (listing, relay):
        p.add_argument("--from", dest="start")
        p.add_argument("--to", dest="end")
    args = parser.parse_args(argv)
    try:
        if (args.start is None) != (args.end is None):
            raise OutboxError("give both --from and --to")
        if args.command == "list":
            if args.start:
                events = events_between(_instant(args.start, "--from"), _instant(args.end, "--to"))
                data: Any = {"events": events}
                lines = [f"{len(events)} event(s)"] + [
                    f"- {e['event_id']}  {e['type']}  {e['created_at']}  {_masked(e)}" for e in events]
            else:
                batches = failed_batches()
                data = {"batches": batches}
                lines = [f"{len(batches)} failed batch(es) in {settings().name(STREAM_FAILURES)}"]
                for b in batches:
                    lines.append(f"* shard {b['shard']} sequence {b['first_sequence']}..{b['last_sequence']} "
                                 f"({b['size']} records, {b['from']} .. {b['to']}): {len(b['events'])} event(s)")
                    lines += [f"  - {e['event_id']}  {e['type']}  {e['created_at']}" for e in b["events"]]
        else:
            chosen = [bool(args.event_id), bool(args.start), args.failed]
            if sum(chosen) != 1:
                raise OutboxError("relay takes exactly one of: an event id, --from/--to, --failed")
            if args.event_id:
                data = relay_one(args.event_id)
            elif args.start:
                data = relay_range(_instant(args.start, "--from"), _instant(args.end, "--to"))
            else:
                data = relay_failed()
            lines = [f"relayed {len(data['relayed'])} event(s)"] + [f"- {e}" for e in data["relayed"]]
            if data.get("failed_batches"):
                lines.append(f"{data['failed_batches']} failed batch(es) could not be relayed and stay queued")
        # Personal data masked in both forms: payloads carry applicants' names and numbers.
        text = json.dumps(data, ensure_ascii=False, indent=2, default=str) if args.json else "\n".join(lines)
        out.write(scrub(text) + "\n")
        return 1 if data.get("failed_batches") else 0
    except OutboxError as err:
        sys.stderr.write(f"outbox: {err}\n")
        return 2
    except (EndpointConnectionError, NoCredentialsError) as err:
        sys.stderr.write(f"outbox: cannot reach AWS ({err}); is the local stack running (make run), or are this "
                         "stage's credentials and RESOURCE_PREFIX set?\n")
        return 2


if __name__ == "__main__":
    sys.exit(main())
