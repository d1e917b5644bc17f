"""Backfill for the sharded work-queue indexes: gives every stored case the keys of ``by_receiving_queue``
and ``by_handling_queue``, so a stage that already holds cases moves to them without downtime or loss.

    python -m tools.backfill --dry-run        count what would change, change nothing
    python -m tools.backfill                  write the missing or stale keys
    python -m tools.backfill --remove-legacy  also remove the old indexes' keys (after the switch)

Each case is read (a parallel Scan: a tool touching every item once, never an application path) and, where
``receiving_queue``, ``handling_queue`` or ``queue_order`` is missing or not what the application writes
now (``case_repository.to_record``), updated with a SET of exactly those attributes, conditional on the
version read: the application's own writes are never overwritten. A case changed in between is read again
and retried, and its new image usually carries the keys already (the application writes them in every
mode). Running it again changes nothing: it is idempotent, and safe to run while the application serves.
The order of a stage's migration is in infra/README.md ("Moving a stage to the sharded work queues").

Environment as tools.dlq: the local stack (``AWS_ENDPOINT_URL``, ``RESOURCE_PREFIX=kc-local``) or a stage
(``RESOURCE_PREFIX=kc-prod`` with its credentials). ``make backfill ARGS="--dry-run"`` runs it.
"""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict, dataclass
from typing import Any

import boto3
from botocore.exceptions import ClientError

from chalicelib.adapters.case_repository import queue_partition
from chalicelib.config import settings

NEW_KEYS = ("receiving_queue", "handling_queue", "queue_order")
LEGACY_KEYS = ("receiving_sort", "handling_sort")
ATTEMPTS = 5


@dataclass
class Summary:
    dry_run: bool
    scanned: int = 0
    to_change: int = 0
    changed: int = 0
    retried: int = 0
    gone: int = 0  # deleted between the scan and the update (cases are never deleted: expected 0)
    failed: int = 0


def wanted(item: dict[str, Any], remove_legacy: bool) -> tuple[dict[str, str], list[str]]:
    """The work-queue keys a raw case item should carry that it does not (attribute -> value), and the old
    keys to remove."""
    case_no = item["case_no"]["S"]
    want = {"receiving_queue": queue_partition(item["receiving_office_id"]["S"], case_no),
            "queue_order": f"{item['created_at']['S']}#{case_no}"}
    if "handling_office_id" in item and item["handling_office_id"].get("S"):
        want["handling_queue"] = queue_partition(item["handling_office_id"]["S"], case_no)
    sets = {k: v for k, v in want.items() if item.get(k, {}).get("S") != v}
    removes = [k for k in LEGACY_KEYS if remove_legacy and k in item]
    return sets, removes


def _update(client: Any, table: str, item: dict[str, Any], sets: dict[str, str], removes: list[str]) -> None:
    names = {f"#a{i}": k for i, k in enumerate([*sets, *removes])}
    values: dict[str, Any] = {f":v{i}": {"S": v} for i, v in enumerate(sets.values())}
    values[":version"] = item["version"]
    parts = []
    if sets:
        parts.append("SET " + ", ".join(f"#a{i} = :v{i}" for i in range(len(sets))))
    if removes:
        parts.append("REMOVE " + ", ".join(f"#a{len(sets) + i}" for i in range(len(removes))))
    client.update_item(TableName=table, Key={"case_no": item["case_no"]}, UpdateExpression=" ".join(parts),
                       ConditionExpression="version = :version", ExpressionAttributeNames=names,
                       ExpressionAttributeValues=values)


def backfill(dry_run: bool, remove_legacy: bool = False, client: Any = None, segments: int = 1) -> Summary:
    client = client or boto3.client("dynamodb", region_name=settings().region)
    table = settings().name("cases")
    summary = Summary(dry_run=dry_run)
    for segment in range(segments):
        kwargs: dict[str, Any] = {"TableName": table, "ConsistentRead": True}
        if segments > 1:
            kwargs.update(Segment=segment, TotalSegments=segments)
        for page in client.get_paginator("scan").paginate(**kwargs):
            for item in page["Items"]:
                summary.scanned += 1
                sets, removes = wanted(item, remove_legacy)
                if not sets and not removes:
                    continue
                summary.to_change += 1
                if dry_run:
                    continue
                _settle(client, table, item, sets, removes, remove_legacy, summary)
    return summary


def _settle(client: Any, table: str, item: dict[str, Any], sets: dict[str, str], removes: list[str],
            remove_legacy: bool, summary: Summary) -> None:
    for _attempt in range(ATTEMPTS):
        try:
            _update(client, table, item, sets, removes)
            summary.changed += 1
            return
        except ClientError as err:
            if err.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
        # The application changed the case since it was read: read it again and look again.
        summary.retried += 1
        fresh = client.get_item(TableName=table, Key={"case_no": item["case_no"]}, ConsistentRead=True).get("Item")
        if fresh is None:
            summary.gone += 1
            return
        item = fresh
        sets, removes = wanted(item, remove_legacy)
        if not sets and not removes:
            return
    summary.failed += 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.backfill", description=__doc__.split("\n\n")[0])
    parser.add_argument("--dry-run", action="store_true", help="count what would change, change nothing")
    parser.add_argument("--remove-legacy", action="store_true",
                        help="also remove the old work-queue indexes' keys (once the stage reads the new ones)")
    parser.add_argument("--segments", type=int, default=4, help="parallel scan segments, read one after another")
    args = parser.parse_args(argv)
    summary = backfill(args.dry_run, args.remove_legacy, segments=max(1, args.segments))
    print(json.dumps(asdict(summary)))
    return 1 if summary.failed else 0


if __name__ == "__main__":
    sys.exit(main())
