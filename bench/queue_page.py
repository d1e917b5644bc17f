"""The console's work-queue page, sharded (``python -m bench.queue_page``): one office's queue over its
QUEUE_SHARDS index partitions, read shard after shard (as before) against all shards at once (a thread each,
``chalicelib.adapters.tables.fan_out``), in-process under moto, median of ``BENCH_QUEUE_PAGES`` (25) requests
of ``GET /offices/SZ-GOV/cases?limit=20`` with and without ``status=RECEIVED``, the two ways interleaved.

Under moto every request is Python in this process (no network, one interpreter lock), so threads cannot
overlap anything there: the emulator's figure only shows what the threads cost. A DynamoDB request is a
network round trip (~8 ms in-region, the figure 7 assumption) during which a thread waits, so the same runs
are repeated with that wait added to every DynamoDB request the app makes: that is the figure that carries
over to Lambda. Not part of ``make bench``'s table; docs/PERFORMANCE.md records its output.
"""
from __future__ import annotations

import contextlib
import json
import os
import statistics
import sys
import time
from collections.abc import Iterator
from typing import Any

from .env import apply_env

ROUND_TRIP_S = 0.008
PATHS = {"unfiltered": "/offices/SZ-GOV/cases?limit=20",
         "status=RECEIVED": "/offices/SZ-GOV/cases?limit=20&status=RECEIVED"}


@contextlib.contextmanager
def round_trip(seconds: float) -> Iterator[None]:
    """Every DynamoDB request of the app waits ``seconds`` first, as over the network (the wait releases the
    interpreter lock, as a socket read does)."""
    from pynamodb.connection import base

    original = base.Connection._make_api_call

    def delayed(self: Any, operation_name: str, operation_kwargs: dict[str, Any]) -> Any:
        time.sleep(seconds)
        return original(self, operation_name, operation_kwargs)

    base.Connection._make_api_call = delayed  # type: ignore[method-assign]
    try:
        yield
    finally:
        base.Connection._make_api_call = original  # type: ignore[method-assign]


@contextlib.contextmanager
def sequential() -> Iterator[None]:
    """The shards one after another, as before the fan-out."""
    from chalicelib.adapters import case_repository

    original = case_repository.fan_out
    case_repository.fan_out = lambda fn, args: [fn(a) for a in args]  # type: ignore[assignment]
    try:
        yield
    finally:
        case_repository.fan_out = original


def measure(pages: int | None = None, cases: int = 60) -> dict[str, Any]:
    """As the tests' ``client`` fixture runs the app (moto in-process, chalice's test client), without the
    benchmark's request recorder."""
    import logging

    from chalice.test import Client
    from moto import mock_aws

    from .harness import application, headers

    logging.getLogger("cross-city").setLevel(logging.WARNING)
    pages = pages or int(os.environ.get("BENCH_QUEUE_PAGES", "25"))
    out: dict[str, Any] = {"cases": cases, "pages": pages, "round_trip_ms": ROUND_TRIP_S * 1000}
    with mock_aws(), contextlib.redirect_stdout(open(os.devnull, "w")):
        from tools.local_stack import provision

        provision(visibility_timeout=0)
        import app

        with Client(app.app, stage_name="local") as client:
            staff = headers("staff", "staff-sz", "SZ-GOV")

            def get(path: str) -> Any:
                resp = client.http.get(path, headers=staff)
                assert resp.status_code == 200, resp.body
                return json.loads(resp.body)

            numbers = []
            for n in range(cases):
                resp = client.http.post("/cases", headers=headers("citizen", f"bench-q{n}"),
                                        body=json.dumps(application(60_000 + n), ensure_ascii=False))
                assert resp.status_code == 201, resp.body
                numbers.append(json.loads(resp.body)["case_no"])
            for case_no in numbers[::3]:
                resp = client.http.post(f"/cases/{case_no}/receive", headers=staff, body="{}")
                assert resp.status_code == 200, resp.body
            for wait in (0.0, ROUND_TRIP_S):
                for label, path in PATHS.items():
                    times: dict[str, list[float]] = {"sequential": [], "parallel": []}
                    for n in range(pages + 2):
                        for mode in ("sequential", "parallel"):
                            with round_trip(wait) if wait else contextlib.nullcontext(), \
                                    sequential() if mode == "sequential" else contextlib.nullcontext():
                                start = time.perf_counter()
                                data = get(path)
                                elapsed = time.perf_counter() - start
                            assert data["items"], data
                            if n >= 2:  # two warm-up requests each way
                                times[mode].append(elapsed)
                    key = f"{'emulator' if not wait else f'+{wait * 1000:g} ms a request'}, {label}"
                    out[key] = {mode: round(statistics.median(t) * 1000, 1) for mode, t in times.items()}
    return out


def main() -> int:
    apply_env()
    started = time.perf_counter()
    result = measure()
    result["elapsed_s"] = round(time.perf_counter() - started, 1)
    result["load_average"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
