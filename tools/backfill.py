"""Backfill for the sharded indexes: gives every stored case the keys of ``by_receiving_queue`` and
``by_handling_queue``, every review those of ``by_office_shard`` and ``by_city_shard``, and every consolidated
parcel those of ``parcels_from_shard`` and ``parcels_to_shard`` with its handover list moved onto its sheets, so
a stage that already holds them moves to the new indexes without downtime or loss.

    python -m tools.backfill --dry-run        count what would change, change nothing
    python -m tools.backfill                  write the missing or stale keys
    python -m tools.backfill --remove-legacy  also remove the old indexes' keys (after the switch)

Each item is read (a parallel Scan: a tool touching every item once, never an application path) and, where
``receiving_queue``, ``handling_queue`` or ``queue_order`` is missing or not what the application writes
now (``case_repository.to_record``), updated with a SET of exactly those attributes, conditional on the
version read: the application's own writes are never overwritten. A case changed in between is read again
and retried, and its new image usually carries the keys already (the application writes them in every
mode). A review's keys derive from what never changes in it (office, city, time, case, stage): its update
is conditional only on the review existing. A parcel's header gets ``from_shard``, ``to_shard`` and
``list_order`` the same way; a parcel whose handover list is still in its header (the release before the
sheets) is read and written again by the application's own repository (``parcel_repository``): the header
without the list, conditional on its version, and each sheet, conditional on its absence, in one
transaction. Running it again changes nothing: it is idempotent, and safe to run while the application
serves. The order of a stage's migration is in infra/README.md ("Sharded work queues, review listings and
review counters", and the parcels after it).

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
from chalicelib.adapters.parcel_repository import list_partition
from chalicelib.adapters.review_repository import review_shard
from chalicelib.config import settings

NEW_KEYS = ("receiving_queue", "handling_queue", "queue_order")
LEGACY_KEYS = ("receiving_sort", "handling_sort")
ATTEMPTS = 5


@dataclass
class Summary:
    table: str
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


def wanted_review(item: dict[str, Any], remove_legacy: bool = False) -> tuple[dict[str, str], list[str]]:
    """The listing-index keys a raw review item should carry that it does not."""
    case_no, stage = item["case_no"]["S"], item["stage"]["S"]
    shard = review_shard(case_no, stage)
    want = {"office_shard": f"{item['office_id']['S']}#{shard}", "city_shard": f"{item['city']['S']}#{shard}",
            "review_order": f"{item['created_at']['S']}#{case_no}#{stage}"}
    return {k: v for k, v in want.items() if item.get(k, {}).get("S") != v}, []


def wanted_parcel(item: dict[str, Any], remove_legacy: bool = False) -> tuple[dict[str, str], list[str]]:
    """The listing-index keys a raw parcel header should carry that it does not (a sheet: none)."""
    if "sheet_of" in item:
        return {}, []
    parcel_id = item["parcel_id"]["S"]
    day = json.loads(item["body"]["S"])["collection_day"]
    want = {"from_shard": list_partition(item["from_office_id"]["S"], parcel_id),
            "to_shard": list_partition(item["to_office_id"]["S"], parcel_id), "list_order": f"{day}#{parcel_id}"}
    removes = ["listing"] if remove_legacy and "listing" in item else []
    return {k: v for k, v in want.items() if item.get(k, {}).get("S") != v}, removes


def _list_in_header(item: dict[str, Any]) -> bool:
    """A parcel header of the release before the sheets: its handover list in its own body."""
    return "sheet_of" not in item and "items" in json.loads(item["body"]["S"])


def _move_list(parcel_id: str) -> bool:
    """Rewrite one parcel as header and sheets through the application's repository (its first change does
    the same); False if the application changed it meanwhile (the caller reads it again)."""
    from chalicelib.bootstrap import unit_of_work
    from chalicelib.domain.errors import ConcurrentUpdate, Duplicate

    with unit_of_work() as uow:
        parcel = uow.parcels.find(parcel_id)
        if parcel is None:
            return True
        uow.parcels.update(parcel)
        try:
            uow.commit()
        except (ConcurrentUpdate, Duplicate):
            return False
    return True


def _key(item: dict[str, Any]) -> dict[str, Any]:
    return {k: item[k] for k in ("case_no", "stage", "parcel_id") if k in item}


def _update(client: Any, table: str, item: dict[str, Any], sets: dict[str, str], removes: list[str]) -> None:
    names = {f"#a{i}": k for i, k in enumerate([*sets, *removes])}
    values: dict[str, Any] = {f":v{i}": {"S": v} for i, v in enumerate(sets.values())}
    if "version" in item:
        values[":version"] = item["version"]
        condition = "version = :version"
    else:
        condition = "attribute_exists(case_no)"
    parts = []
    if sets:
        parts.append("SET " + ", ".join(f"#a{i} = :v{i}" for i in range(len(sets))))
    if removes:
        parts.append("REMOVE " + ", ".join(f"#a{len(sets) + i}" for i in range(len(removes))))
    client.update_item(TableName=table, Key=_key(item), UpdateExpression=" ".join(parts),
                       ConditionExpression=condition, ExpressionAttributeNames=names,
                       ExpressionAttributeValues=values)


def backfill(dry_run: bool, remove_legacy: bool = False, client: Any = None, segments: int = 1,
             logical: str = "cases") -> Summary:
    """One table (``cases``, ``reviews`` or ``parcels``)."""
    client = client or boto3.client("dynamodb", region_name=settings().region)
    table = settings().name(logical)
    want = {"cases": wanted, "reviews": wanted_review, "parcels": wanted_parcel}[logical]
    summary = Summary(table=logical, dry_run=dry_run)
    for segment in range(segments):
        kwargs: dict[str, Any] = {"TableName": table, "ConsistentRead": True}
        if segments > 1:
            kwargs.update(Segment=segment, TotalSegments=segments)
        for page in client.get_paginator("scan").paginate(**kwargs):
            for item in page["Items"]:
                summary.scanned += 1
                if logical == "parcels" and _list_in_header(item):
                    summary.to_change += 1
                    if not dry_run:
                        _settle_list(item["parcel_id"]["S"], summary)
                    continue
                sets, removes = want(item, remove_legacy)
                if not sets and not removes:
                    continue
                summary.to_change += 1
                if dry_run:
                    continue
                _settle(client, table, item, sets, removes, remove_legacy, summary, want)
    return summary


def _settle_list(parcel_id: str, summary: Summary) -> None:
    for _attempt in range(ATTEMPTS):
        if _move_list(parcel_id):
            summary.changed += 1
            return
        summary.retried += 1  # the application changed it since it was read: read it again
    summary.failed += 1


def _settle(client: Any, table: str, item: dict[str, Any], sets: dict[str, str], removes: list[str],
            remove_legacy: bool, summary: Summary, want: Any) -> None:
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
        fresh = client.get_item(TableName=table, Key=_key(item), ConsistentRead=True).get("Item")
        if fresh is None:
            summary.gone += 1
            return
        item = fresh
        sets, removes = want(item, remove_legacy)
        if not sets and not removes:
            return
    summary.failed += 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.backfill", description=__doc__.split("\n\n")[0])
    parser.add_argument("--dry-run", action="store_true", help="count what would change, change nothing")
    parser.add_argument("--remove-legacy", action="store_true",
                        help="also remove the old listing indexes' keys (once the stage reads the new ones)")
    parser.add_argument("--segments", type=int, default=4, help="parallel scan segments, read one after another")
    args = parser.parse_args(argv)
    failed = 0
    for logical in ("cases", "reviews", "parcels"):
        summary = backfill(args.dry_run, args.remove_legacy, segments=max(1, args.segments), logical=logical)
        print(json.dumps(asdict(summary)))
        failed += summary.failed
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
