"""Figure 9: the statistics dashboard's server time. The dashboard opens a year of statistics for every city
with one statistics request for its three charts (grouped by month, the answer carries the per-office figures
too). Its server time is compared with one ``GET /stats/reviews`` of one office and its last full month (the
floor: "this month" was one day of data on the 1st, so the ratio moved with the calendar).
Goal: ≤ 3×. Before the month totals (2026-12-01, 2 busy cores) it read every day row of the year: 2.2-9.3 s
against 10-22 ms. Month totals (12 items a shard for a year) brought it to ×33-45: a year of every office is
still offices × 12 × shards items (moto serialises each; DynamoDB would return them in a few pages). Now the
trend (``group=month``, the dashboard's request) of whole months of the last year is answered from the
statistics snapshot that a schedule takes every 5 minutes (services/review_stats.refresh_snapshot): one item.
The floor (no ``group``: the contract's figures) is always read live. ``snapshot_ms`` reports the schedule's
own run (the year of every office read once, one item written); ``live_ms`` the same request read live, as
without a fresh snapshot; ``rollup_trend_ms`` what the year's trend alone costs from the province's roll-up.

In process under moto, through the app's routes (chalice's test client), after a year of review counters is
written for every office (a counter row per office and day that had reviews, as the review service writes
them). Median of BENCH_DASHBOARD_RUNS (15) runs of each.
"""
from __future__ import annotations

import os
import random
import time
from datetime import date, timedelta
from typing import Any

from .env import median


def _seed_counters(today: date, offices: list[str], days_with_reviews: int = 200) -> int:
    """A year of counters as the review service leaves them: each review's counts ADDed to its day's and its
    month's item on a shard drawn at random (chalicelib/adapters/review_repository.py)."""
    from chalicelib.adapters.models import ReviewStatsRecord
    from chalicelib.adapters.reference_store import catalogue
    from chalicelib.adapters.review_repository import day_partition, month_partition, rollup_partition
    from chalicelib.config import settings
    from chalicelib.domain.rollups import levels_of
    from chalicelib.domain.statistics import COUNTERS

    rnd = random.Random(7)
    items: dict[tuple[str, str], dict[str, int]] = {}
    for office in offices:
        for day in sorted(rnd.sample(range(365), days_with_reviews)):
            iso_day = (today - timedelta(days=day)).isoformat()
            for _ in range(rnd.randint(1, 6)):  # reviews that day
                bad = rnd.randint(0, 4) == 0
                counts = {"reviews": 1, "good": int(not bad), "bad": int(bad), "defaults": rnd.randint(0, 1),
                          "tickets": int(bad), "replied": int(bad), "valid": int(bad), "rectified": int(bad),
                          "finished": int(bad), "on_time": int(bad), "contacted": int(bad),
                          "satisfied": int(bad)}
                shard = rnd.randrange(settings().stats_shards)
                keys = [(day_partition(office, shard), iso_day), (month_partition(office, shard), iso_day[:7])]
                keys += [(rollup_partition(level, shard), iso_day[:7])
                         for level in levels_of(catalogue().offices[office].city)]
                for key in keys:
                    row = items.setdefault(key, dict.fromkeys(COUNTERS, 0))
                    for k, v in counts.items():
                        row[k] += v
    with ReviewStatsRecord.batch_write() as batch:
        for (partition, sort_key), counts in items.items():
            record = ReviewStatsRecord(office_id=partition, day=sort_key)
            for k, v in counts.items():
                if v:
                    setattr(record, k, v)
            batch.save(record)
    return len(items)


def measure() -> dict[str, Any]:
    from moto import mock_aws

    runs = int(os.environ.get("BENCH_DASHBOARD_RUNS", "15"))
    with mock_aws():
        from chalice.test import Client

        from chalicelib.adapters import reference_store
        from chalicelib.adapters.reference_store import catalogue
        from chalicelib.domain.summaries import window
        from chalicelib.domain.workdays import cst_date, utcnow
        from tests.support import supervisor
        from tools.local_stack import provision

        provision(visibility_timeout=0)
        try:
            import app

            today = cst_date(utcnow())
            offices = sorted(catalogue().offices)
            rows = _seed_counters(today, offices)
            # The console's default period (web/src/features/supervisor/filters.ts lastTwelveMonths): the first of
            # the month 11 months back to today, 12 months.
            first = window(utcnow())[0]
            # The floor is one office's last complete month (seeded through): "this month" would be one day of
            # data on the 1st and a whole month on the 30th, so the ratio moved with the calendar.
            floor_last = today.replace(day=1) - timedelta(days=1)
            floor_first = floor_last.replace(day=1)
            year = f"from={first.isoformat()}&to={today.isoformat()}"
            province, city = supervisor("440000"), supervisor("440300")
            dashboard = [f"/stats/reviews?{year}&group=month"]  # the trend's answer also feeds the other charts
            floor = f"/stats/reviews?office_id=SZ-GOV&from={floor_first.isoformat()}&to={floor_last.isoformat()}"
            with Client(app.app, stage_name="local") as client:
                def timed(paths: list[str], hdrs: dict[str, str]) -> float:
                    started = time.perf_counter()
                    for path in paths:
                        assert client.http.get(path, headers=hdrs).status_code == 200, path
                    return time.perf_counter() - started

                for _ in range(3):  # warm: modules imported, clients created, reference data cached
                    timed(dashboard, province)
                    timed([floor], city)
                live = [timed(dashboard, province) for _ in range(runs)]  # no snapshot taken yet: read live
                snapshot = [_refresh() for _ in range(3)]
                dash = [timed(dashboard, province) for _ in range(runs)]
                assert _answered_from_snapshot(client, dashboard[0], province)
                one = [timed([floor], city) for _ in range(runs)]
                trend = [_trend_from_rollup(first, today) for _ in range(runs)]
        finally:
            reference_store.invalidate()
    dash_s, floor_s = median(dash), median(one)
    return {"counter_rows": rows, "offices": len(offices), "requests": len(dashboard),
            "floor_month": floor_first.isoformat()[:7],
            "queries": len(dashboard) * len(offices), "floor_queries": 1, "runs": runs,
            "dashboard_ms": round(dash_s * 1000, 2), "floor_ms": round(floor_s * 1000, 2),
            "ratio": round(dash_s / floor_s, 3) if floor_s else None,
            "live_ms": round(median(live) * 1000, 2),
            "live_ratio": round(median(live) / floor_s, 3) if floor_s else None,
            "snapshot_ms": round(median(snapshot) * 1000, 2),
            # What the answer's trend and totals alone cost read from the province's roll-up (the year's whole
            # months): the part of the answer a roll-up can give; its per-office figures cannot (figure 9).
            "rollup_trend_ms": round(median(trend) * 1000, 2),
            "rollup_trend_ratio": round(median(trend) / floor_s, 3) if floor_s else None}


def _trend_from_rollup(first: date, today: date) -> float:
    from chalicelib.bootstrap import unit_of_work
    from chalicelib.domain.rollups import province, whole_months

    started = time.perf_counter()
    unit_of_work().reviews.rollup_counts(province(), whole_months(first, today))
    return time.perf_counter() - started


def _refresh() -> float:
    """One run of the statistics snapshot's schedule, as app.py's handler makes it."""
    from chalicelib.services.review_stats import refresh_snapshot

    started = time.perf_counter()
    assert refresh_snapshot()["stored"] == 1
    return time.perf_counter() - started


def _answered_from_snapshot(client: Any, path: str, hdrs: dict[str, str]) -> bool:
    from chalicelib.bootstrap import unit_of_work
    from chalicelib.domain.workdays import iso

    snapshot = unit_of_work().reviews.summary()
    return snapshot is not None and client.http.get(path, headers=hdrs).json_body["as_of"] == iso(snapshot.as_of)
