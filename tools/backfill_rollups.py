"""Back-fill of the review counters' city and province month roll-ups (domain/rollups.py), for a stage that
counted reviews before the release that writes them: afterwards each roll-up holds what its offices' month
totals hold.

    python -m tools.backfill_rollups --dry-run    count the roll-ups that would change, change nothing
    python -m tools.backfill_rollups              add what each roll-up lacks, once
    python -m tools.backfill_rollups --verify     count the roll-ups that differ from their offices summed

Run it once every function runs the release that writes roll-ups (infra/README.md): from then on each change
is added to its office, city and province in one transaction. For each city, shard and month that has office
month totals, one TransactGetItems reads the city's offices' items of that shard and month together with the
city's roll-up item: a serializable snapshot, so a change is in all of them or in none, and what the offices
hold beyond the roll-up is exactly what was counted before the release. That difference is ADDed to the
roll-up by an update that also sets ``backfilled``, on condition that it is not set yet: a second run, or two
runs at once, add nothing twice, and the application's own ADDs meanwhile are kept. Then the province, from
its cities' roll-ups, the same way. A scan reads the table (a tool touching every item once, never an
application path).

Months before STATS_MONTHS_FROM have no office month totals (their days were never summed): their roll-ups
are not back-filled and hold only what was counted after the release (reported as ``months_without_totals``).

Environment as tools.backfill: the local stack (``AWS_ENDPOINT_URL``, ``RESOURCE_PREFIX=kc-local``) or a
stage (``RESOURCE_PREFIX=kc-prod`` with its credentials). ``make backfill-rollups ARGS="--dry-run"`` runs it.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import asdict, dataclass, field
from typing import Any

import boto3
from botocore.exceptions import ClientError

from chalicelib.adapters.reference_store import catalogue
from chalicelib.adapters.review_repository import month_partition, rollup_partition
from chalicelib.config import settings
from chalicelib.domain.rollups import city, province
from chalicelib.domain.statistics import COUNTERS
from chalicelib.domain.workdays import iso, utcnow

MARK = "backfilled"  # when the roll-up item received what was counted before roll-ups were written
OFFICE_MONTH = re.compile(r"^(?P<office>[^:#]+)#month#(?P<shard>\d+)$")
MAX_READ = 100  # items in one TransactGetItems


@dataclass
class Summary:
    dry_run: bool
    verify: bool
    roll_ups: int = 0  # (level, shard, month) with office month totals below them
    to_change: int = 0  # lacking something (dry run, verify: differing)
    changed: int = 0
    already: int = 0  # back-filled before (by an earlier or a concurrent run)
    # Roll-ups with nothing lacking (all counted after the release) are neither changed nor already.
    failed: int = 0  # a roll-up holding more than its parts (never expected), or too many parts to read at once
    months_without_totals: list[str] = field(default_factory=list)


def _key(partition: str, month: str) -> dict[str, Any]:
    return {"office_id": {"S": partition}, "day": {"S": month}}


def _counts(item: dict[str, Any] | None) -> dict[str, int]:
    return {k: int((item or {}).get(k, {}).get("N", "0")) for k in COUNTERS}


def _office_months(client: Any, table: str) -> set[tuple[str, int, str]]:
    """(office, shard, month) of every office month item."""
    found: set[tuple[str, int, str]] = set()
    for page in client.get_paginator("scan").paginate(TableName=table, ConsistentRead=True,
                                                       ProjectionExpression="office_id, #d",
                                                       ExpressionAttributeNames={"#d": "day"}):
        for item in page["Items"]:
            m = OFFICE_MONTH.match(item["office_id"]["S"])
            if m:
                found.add((m["office"], int(m["shard"]), item["day"]["S"]))
    return found


def _settle(client: Any, table: str, parts: list[dict[str, Any]], target: dict[str, Any], summary: Summary) -> None:
    """Give ``target`` what ``parts`` hold beyond it, once (or, verifying, count it if they differ)."""
    summary.roll_ups += 1
    if len(parts) + 1 > MAX_READ:
        summary.failed += 1
        return
    got = client.transact_get_items(TransactItems=[{"Get": {"TableName": table, "Key": k}} for k in [*parts, target]])
    *sources, current = (r.get("Item") for r in got["Responses"])
    summed = {k: sum(_counts(s)[k] for s in sources) for k in COUNTERS}
    lacking = {k: summed[k] - v for k, v in _counts(current).items()}
    if summary.verify:
        summary.to_change += any(lacking.values())
        return
    if current is not None and MARK in current:
        summary.already += 1
        return
    if any(v < 0 for v in lacking.values()):
        summary.failed += 1
        return
    adds = {k: v for k, v in lacking.items() if v}
    if not adds:  # nothing was counted before the release here: nothing to add, now or on a later run
        return
    summary.to_change += 1
    if summary.dry_run:
        return
    names = {"#m": MARK, **{f"#c{i}": k for i, k in enumerate(adds)}}
    values: dict[str, Any] = {":at": {"S": iso(utcnow())},
                              **{f":c{i}": {"N": str(v)} for i, v in enumerate(adds.values())}}
    expression = "SET #m = :at ADD " + ", ".join(f"#c{i} :c{i}" for i in range(len(adds)))
    try:
        client.update_item(TableName=table, Key=target, UpdateExpression=expression,
                           ConditionExpression="attribute_not_exists(#m)", ExpressionAttributeNames=names,
                           ExpressionAttributeValues=values)
        summary.changed += 1
    except ClientError as err:
        if err.response["Error"]["Code"] != "ConditionalCheckFailedException":
            raise
        summary.already += 1  # a concurrent run did it


def backfill(dry_run: bool = False, verify: bool = False, client: Any = None) -> Summary:
    client = client or boto3.client("dynamodb", region_name=settings().region)
    table = settings().name("review-stats")
    summary = Summary(dry_run=dry_run, verify=verify)
    cat = catalogue()
    offices_of: dict[str, list[str]] = {}
    for office in sorted(cat.offices.values(), key=lambda o: o.office_id):
        offices_of.setdefault(office.city, []).append(office.office_id)
    found = _office_months(client, table)
    cutoff = settings().stats_months_from
    summary.months_without_totals = sorted({m for *_, m in found if m < cutoff})
    groups = sorted({(cat.offices[o].city, shard, month) for o, shard, month in found
                     if o in cat.offices and month >= cutoff})
    for city_code, shard, month in groups:  # cities first: the province is summed from their roll-ups
        parts = [_key(month_partition(o, shard), month) for o in offices_of[city_code]]
        _settle(client, table, parts, _key(rollup_partition(city(city_code), shard), month), summary)
    for shard, month in sorted({(shard, month) for _, shard, month in groups}):
        parts = [_key(rollup_partition(city(c), shard), month) for c in sorted(offices_of)]
        _settle(client, table, parts, _key(rollup_partition(province(), shard), month), summary)
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.backfill_rollups", description=__doc__.split("\n\n")[0])
    parser.add_argument("--dry-run", action="store_true", help="count what would change, change nothing")
    parser.add_argument("--verify", action="store_true", help="count the roll-ups that differ from their parts")
    args = parser.parse_args(argv)
    summary = backfill(dry_run=args.dry_run, verify=args.verify)
    print(json.dumps(asdict(summary)))
    return 1 if summary.failed or (args.verify and summary.to_change) else 0


if __name__ == "__main__":
    sys.exit(main())
