"""Figure 9: the statistics dashboard's server time. The dashboard opens a year of statistics for every city
with one statistics request for its three charts (grouped by month, the answer carries the per-office figures
too): one DynamoDB query per office. Its server time is compared with one ``GET /stats/reviews`` of one office
and one month (the floor: one query). Goal: ≤ 3×. Measured here (2026-12-01, 2 busy cores): 9.3 s against
9.5 ms, goal not met. The time is moto's: a query costs about 11 ms per item it returns (a year is ~200 day
rows per office, a month ~15), where DynamoDB returns such a query in one page. The fix that meets the goal
in any store is a monthly roll-up row per office written with the daily one (a year = 12 rows per office);
``queries`` gives the request count, which is already 1 per office.

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
    from chalicelib.adapters.models import ReviewStatsRecord

    rnd = random.Random(7)
    rows = 0
    with ReviewStatsRecord.batch_write() as batch:
        for office in offices:
            for day in sorted(rnd.sample(range(365), days_with_reviews)):
                reviews = rnd.randint(1, 6)
                bad = rnd.randint(0, 1)
                batch.save(ReviewStatsRecord(
                    office_id=office, day=(today - timedelta(days=day)).isoformat(), reviews=reviews,
                    good=reviews - bad, bad=bad, defaults=rnd.randint(0, 1), tickets=bad, replied=bad, valid=bad,
                    rectified=bad, finished=bad, on_time=bad, contacted=bad, satisfied=bad))
                rows += 1
    return rows


def measure() -> dict[str, Any]:
    from moto import mock_aws

    runs = int(os.environ.get("BENCH_DASHBOARD_RUNS", "15"))
    with mock_aws():
        from chalice.test import Client

        from chalicelib.adapters import reference_store
        from chalicelib.adapters.reference_store import catalogue
        from chalicelib.domain.workdays import cst_date, utcnow
        from tests.support import supervisor
        from tools.local_stack import provision

        provision(visibility_timeout=0)
        try:
            import app

            today = cst_date(utcnow())
            offices = sorted(catalogue().offices)
            rows = _seed_counters(today, offices)
            first = (today.replace(day=1) - timedelta(days=335)).replace(day=1)
            month_start = today.replace(day=1)
            year = f"from={first.isoformat()}&to={today.isoformat()}"
            province, city = supervisor("440000"), supervisor("440300")
            dashboard = [f"/stats/reviews?{year}&group=month"]  # the trend's answer also feeds the other charts
            floor = f"/stats/reviews?office_id=SZ-GOV&from={month_start.isoformat()}&to={today.isoformat()}"
            with Client(app.app) as client:
                def timed(paths: list[str], hdrs: dict[str, str]) -> float:
                    started = time.perf_counter()
                    for path in paths:
                        assert client.http.get(path, headers=hdrs).status_code == 200, path
                    return time.perf_counter() - started

                for _ in range(3):  # warm: modules imported, clients created, reference data cached
                    timed(dashboard, province)
                    timed([floor], city)
                dash = [timed(dashboard, province) for _ in range(runs)]
                one = [timed([floor], city) for _ in range(runs)]
        finally:
            reference_store.invalidate()
    dash_s, floor_s = median(dash), median(one)
    return {"counter_rows": rows, "offices": len(offices), "requests": len(dashboard),
            "queries": len(dashboard) * len(offices), "floor_queries": 1, "runs": runs,
            "dashboard_ms": round(dash_s * 1000, 2), "floor_ms": round(floor_s * 1000, 2),
            "ratio": round(dash_s / floor_s, 3) if floor_s else None}
