"""Figure 9: the statistics dashboard's server time. The dashboard opens a year of statistics for every city
with one statistics request per chart (the trend, grouped by month; the offices, which also feed the tickets
chart); its server time is compared with one ``GET /stats/reviews`` of one office and one month (the floor).
Goal: ≤ 3×.

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
            dashboard = [f"/stats/reviews?{year}&group=month", f"/stats/reviews?{year}"]
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
    return {"counter_rows": rows, "offices": len(offices), "requests": len(dashboard), "runs": runs,
            "dashboard_ms": round(dash_s * 1000, 2), "floor_ms": round(floor_s * 1000, 2),
            "ratio": round(dash_s / floor_s, 3) if floor_s else None}
