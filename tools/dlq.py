"""Dead-letter queues for operators: see what failed, send it back, or drop it.

    python -m tools.dlq list                          each DLQ with its depth and source queue
    python -m tools.dlq show routing [--limit 10]      messages: id, receive count, body (ID numbers and
                                                       mobile numbers masked)
    python -m tools.dlq redrive routing [--limit N]    move messages back to the source queue (each is
                                                       deleted from the DLQ only after it was re-sent)
    python -m tools.dlq purge routing --yes            delete every message of the DLQ

``<queue>`` is the logical name of the source queue (``routing``), of its DLQ (``routing-dlq``), or the
DLQ's full name. Queues are found by the naming convention ``{RESOURCE_PREFIX}-{name}`` and the region of
the environment: the local stack (``AWS_ENDPOINT_URL``, ``RESOURCE_PREFIX=kc-local``, as
tools/local_stack.py sets them) or a real stage (``RESOURCE_PREFIX=kc-dev`` with that account's
credentials). ``make dlq ARGS="list"`` runs it in the project's environment.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TextIO

import boto3
from botocore.exceptions import EndpointConnectionError, NoCredentialsError

from chalicelib.adapters.messaging import QUEUES
from chalicelib.config import settings
from chalicelib.domain.identity import scrub

BROWSE_SECONDS = 30  # messages read by `show` stay hidden this long at most; they are released at once


class DlqError(Exception):
    """An operator mistake (unknown queue, missing --yes): printed, exit code 2."""


@dataclass(frozen=True)
class Pair:
    source: str  # logical name of the source queue
    dlq_name: str
    source_name: str


def _client() -> Any:
    return boto3.client("sqs", region_name=settings().region)


def resolve(name: str) -> Pair:
    prefix = settings().resource_prefix
    logical = name.removeprefix(f"{prefix}-").removesuffix("-dlq")
    if logical not in QUEUES:
        known = ", ".join(sorted(QUEUES))
        raise DlqError(f"unknown queue {name!r}; known: {known}")
    spec = QUEUES[logical]
    return Pair(logical, settings().name(spec.dlq_logical), settings().name(logical))


def _url(sqs: Any, queue_name: str) -> str:
    try:
        return str(sqs.get_queue_url(QueueName=queue_name)["QueueUrl"])
    except sqs.exceptions.QueueDoesNotExist:
        raise DlqError(f"queue {queue_name} does not exist here (RESOURCE_PREFIX={settings().resource_prefix})")\
            from None


def depth(sqs: Any, url: str) -> tuple[int, int]:
    attrs = sqs.get_queue_attributes(
        QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    )["Attributes"]
    return int(attrs.get("ApproximateNumberOfMessages", 0)), int(attrs.get("ApproximateNumberOfMessagesNotVisible", 0))


def list_dlqs(sqs: Any | None = None) -> list[dict[str, Any]]:
    sqs = sqs or _client()
    rows = []
    for logical in QUEUES:
        pair = resolve(logical)
        visible, in_flight = depth(sqs, _url(sqs, pair.dlq_name))
        rows.append({"dlq": pair.dlq_name, "source": pair.source_name, "messages": visible, "in_flight": in_flight})
    return rows


def _receive(sqs: Any, url: str, limit: int | None, visibility: int) -> Iterator[dict[str, Any]]:
    """Messages of the queue, each once, up to ``limit``; stops when a receive brings nothing new."""
    seen: set[str] = set()
    while limit is None or len(seen) < limit:
        want = 10 if limit is None else min(10, limit - len(seen))
        batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=want, VisibilityTimeout=visibility,
                                    AttributeNames=["All"], MessageAttributeNames=["All"],
                                    WaitTimeSeconds=0).get("Messages", [])
        fresh = [m for m in batch if m["MessageId"] not in seen]
        for m in batch:
            if m["MessageId"] in seen:  # released earlier (e.g. a failed redrive) and read again: let it be
                sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=0)
        if not fresh:
            return
        for m in fresh:
            seen.add(m["MessageId"])
            yield m


def masked_body(body: str) -> str:
    """The body for an operator's screen: identity and mobile numbers masked, JSON kept readable."""
    try:
        text = json.dumps(json.loads(body), ensure_ascii=False, sort_keys=True)
    except ValueError:
        text = body
    return scrub(text)


def show(name: str, limit: int = 10, sqs: Any | None = None) -> list[dict[str, Any]]:
    sqs = sqs or _client()
    pair = resolve(name)
    url = _url(sqs, pair.dlq_name)
    messages = list(_receive(sqs, url, limit, BROWSE_SECONDS))
    rows = []
    for m in messages:
        attrs = m.get("Attributes", {})
        rows.append({"message_id": m["MessageId"], "receive_count": int(attrs.get("ApproximateReceiveCount", 0)),
                     "first_received": attrs.get("ApproximateFirstReceiveTimestamp"),
                     "body": masked_body(m["Body"])})
    for m in messages:  # browsing must not hide them: release at once
        sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=0)
    return rows


def redrive(name: str, limit: int | None = None, sqs: Any | None = None) -> dict[str, int]:
    """Move messages back to the source queue. A message leaves the DLQ only once its copy was accepted by
    the source queue; a failed send leaves it in the DLQ (visible again after the browse timeout)."""
    sqs = sqs or _client()
    pair = resolve(name)
    dlq_url, source_url = _url(sqs, pair.dlq_name), _url(sqs, pair.source_name)
    moved = failed = 0
    for m in _receive(sqs, dlq_url, limit, BROWSE_SECONDS):
        kwargs: dict[str, Any] = {"QueueUrl": source_url, "MessageBody": m["Body"]}
        if m.get("MessageAttributes"):
            kwargs["MessageAttributes"] = m["MessageAttributes"]
        try:
            sqs.send_message(**kwargs)
        except Exception:
            failed += 1
            sqs.change_message_visibility(QueueUrl=dlq_url, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=0)
            continue
        sqs.delete_message(QueueUrl=dlq_url, ReceiptHandle=m["ReceiptHandle"])
        moved += 1
    return {"moved": moved, "failed": failed}


def purge(name: str, yes: bool, sqs: Any | None = None) -> str:
    if not yes:
        raise DlqError("purge deletes every message of the DLQ for good: add --yes to confirm")
    sqs = sqs or _client()
    pair = resolve(name)
    sqs.purge_queue(QueueUrl=_url(sqs, pair.dlq_name))
    return pair.dlq_name


def _print_table(rows: list[dict[str, Any]], out: TextIO) -> None:
    out.write(f"{'DLQ':<40} {'MESSAGES':>8} {'IN FLIGHT':>9}  SOURCE\n")
    for r in rows:
        out.write(f"{r['dlq']:<40} {r['messages']:>8} {r['in_flight']:>9}  {r['source']}\n")


def main(argv: list[str] | None = None, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    parser = argparse.ArgumentParser(prog="python -m tools.dlq", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="each DLQ with its depth")
    for cmd, default in (("show", 10), ("redrive", None)):
        p = sub.add_parser(cmd)
        p.add_argument("queue")
        p.add_argument("--limit", type=int, default=default)
    p = sub.add_parser("purge")
    p.add_argument("queue")
    p.add_argument("--yes", action="store_true", help="confirm: the messages are deleted for good")
    args = parser.parse_args(argv)

    def emit(data: Any, human: Callable[[], object]) -> None:
        if args.json:
            out.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        else:
            human()

    try:
        if args.command == "list":
            rows = list_dlqs()
            emit(rows, lambda: _print_table(rows, out))
        elif args.command == "show":
            msgs = show(args.queue, args.limit)

            def human() -> None:
                out.write(f"{len(msgs)} message(s) in {resolve(args.queue).dlq_name}\n")
                for m in msgs:
                    out.write(f"- {m['message_id']}  receives={m['receive_count']}\n  {m['body']}\n")
            emit(msgs, human)
        elif args.command == "redrive":
            result = redrive(args.queue, args.limit)
            pair = resolve(args.queue)
            emit(result, lambda: out.write(
                f"moved {result['moved']} message(s) from {pair.dlq_name} to {pair.source_name}"
                + (f"; {result['failed']} failed and stay in the DLQ" if result["failed"] else "") + "\n"))
            return 1 if result["failed"] else 0
        else:
            name = purge(args.queue, args.yes)
            emit({"purged": name}, lambda: out.write(f"purged {name}\n"))
    except DlqError as err:
        sys.stderr.write(f"dlq: {err}\n")
        return 2
    except (EndpointConnectionError, NoCredentialsError) as err:
        sys.stderr.write(f"dlq: cannot reach SQS ({err}); is the local stack running (make run), or are this "
                         "stage's credentials and RESOURCE_PREFIX set?\n")
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
