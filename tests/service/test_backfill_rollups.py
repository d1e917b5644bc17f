"""tools/backfill_rollups.py against an emulated review-stats table holding what a stage counted before the
release with roll-ups (office day and month items, no city or province roll-up), and changes counted after
it (in every level): the dry run changes nothing; the backfill makes every roll-up its offices summed, with a
change landing between its read and its write kept; a second run adds nothing."""
from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

import boto3
import pytest

from chalicelib.bootstrap import unit_of_work
from chalicelib.config import settings
from chalicelib.domain.rollups import city, province
from chalicelib.domain.workdays import cst_date
from tests.review_support import citizen_actor, completed
from tests.service import test_review_stats as generated
from tests.service.test_rollups import LEVELS, MONTHS, Emulated, _summed_offices
from tests.support import submit_review
from tools import backfill_rollups


def _drop_roll_ups(client: Any) -> int:
    """The table as the previous release left it: the offices' counters only."""
    table, dropped = settings().name("review-stats"), 0
    for page in client.get_paginator("scan").paginate(TableName=table):
        for item in page["Items"]:
            if ":" in item["office_id"]["S"]:
                client.delete_item(TableName=table, Key={"office_id": item["office_id"], "day": item["day"]})
                dropped += 1
    return dropped


def _late_review(n: int) -> str:
    """A review counted after the release (so in every level), in March 2026 like the old ones."""
    case = completed(f"late{n}", received_at=generated.T0 + timedelta(days=3))
    submit_review(citizen_actor(f"late{n}"), case.case_no, {"stage": "handling", "rating": 4},
                  now=case.completed_at)
    return cst_date(case.completed_at).isoformat()[:7]


def _all_equal() -> bool:
    uow = unit_of_work()
    return all(uow.reviews.rollup_counts(level, MONTHS) == _summed_offices(level, MONTHS) for level in LEVELS)


def test_backfill_of_a_stage_without_roll_ups(aws, monkeypatch: pytest.MonkeyPatch):
    from chalicelib.services import reviews

    monkeypatch.setattr(generated, "CASES", 14)
    records = generated._generate(Emulated(), random.Random(20261201))
    reviews.sweep_default_ratings(generated.T0 + timedelta(days=30))
    assert sum(r.excluded for r in records) > 0  # an upheld appeal among the old counts
    client = boto3.client("dynamodb", region_name="us-east-1")
    assert _drop_roll_ups(client) > 0
    assert _late_review(1) == "2026-03"
    assert not _all_equal()

    dry = backfill_rollups.backfill(dry_run=True, client=client)
    assert dry.to_change > 0 and dry.changed == 0 and not _all_equal()
    assert backfill_rollups.backfill(verify=True, client=client).to_change > 0

    # A change that lands between the backfill's snapshot and its update is kept, and not counted twice.
    real_get = client.transact_get_items
    landed: list[str] = []

    def get_then_change(**kwargs: Any) -> Any:
        got = real_get(**kwargs)
        if not landed:
            landed.append(_late_review(2))
        return got

    monkeypatch.setattr(client, "transact_get_items", get_then_change)
    done = backfill_rollups.backfill(client=client)
    monkeypatch.setattr(client, "transact_get_items", real_get)
    assert landed and done.changed > 0 and done.failed == 0 and done.months_without_totals == []
    assert _all_equal()
    check = backfill_rollups.backfill(verify=True, client=client)
    assert check.to_change == 0 and check.roll_ups >= done.roll_ups  # the late review's shard may be new
    assert backfill_rollups.main(["--verify"]) == 0

    again = backfill_rollups.backfill(client=client)
    assert again.changed == 0 and again.to_change == 0 and again.already == done.changed
    assert _all_equal()
    counted = unit_of_work().reviews.rollup_counts(province(), MONTHS)
    assert counted is not None and sum(counted[m]["reviews"] for m in MONTHS) == sum(
        not r.excluded for r in records) + 2
    assert unit_of_work().reviews.rollup_counts(city("440300"), MONTHS) == _summed_offices(city("440300"), MONTHS)
