"""Figure 6, load on the local stack: the stack started as ``make run`` starts it (a subprocess on free
loopback ports), then a bounded load of POST /cases and GET /track/{case_no}?code= from concurrent
clients. The floor is GET /health at the same concurrency (HTTP server and framework, no AWS calls)."""
from __future__ import annotations

import os
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tools.local_stack import spawned

from .env import median, percentile, ratio, subprocess_env


def _drive(workers: int, seconds: float, step: Callable[[Any, int, int, dict[str, list[float]], list[str]], None]
           ) -> tuple[dict[str, list[float]], list[str], float]:
    import requests

    latencies: dict[str, list[float]] = {}
    errors: list[str] = []
    stop = time.monotonic() + seconds
    lock = threading.Lock()

    def worker(w: int) -> None:
        session = requests.Session()
        mine: dict[str, list[float]] = {}
        bad: list[str] = []
        i = 0
        while time.monotonic() < stop:
            step(session, w, i, mine, bad)
            i += 1
        session.close()
        with lock:
            for k, v in mine.items():
                latencies.setdefault(k, []).extend(v)
            errors.extend(bad)

    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(w,), daemon=True) for w in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=seconds + 60)
    return latencies, errors, time.monotonic() - started


def _summary(values: list[float], wall: float) -> dict[str, Any]:
    return {"requests": len(values), "per_s": round(len(values) / wall, 1) if wall else 0.0,
            "p50_ms": round(median(values) * 1000, 1), "p99_ms": round(percentile(values, 99) * 1000, 1)}


def measure(seconds: float | None = None, workers: int | None = None) -> dict[str, Any]:
    from chalicelib.api.auth import issue_dev_token

    from .harness import application

    seconds = float(seconds if seconds is not None else os.environ.get("BENCH_LOAD_SECONDS", "20"))
    workers = int(workers if workers is not None else os.environ.get("BENCH_LOAD_CLIENTS", "8"))
    floor_seconds = max(3.0, seconds / 4)
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        log_path = Path(tmp) / "local_stack.log"
        # chalice local applies the stage `local` of .chalice/config.json, whose prefix is kc-local.
        env = subprocess_env(RESOURCE_PREFIX="kc-local", PYTHONUNBUFFERED="1")
        with spawned(log_path, env, "--sweep-seconds", "30", "--courier-delay", "5") as base:

            def health(session: Any, w: int, i: int, lat: dict[str, list[float]], bad: list[str]) -> None:
                start = time.perf_counter()
                resp = session.get(f"{base}/health", timeout=30)
                lat.setdefault("health", []).append(time.perf_counter() - start)
                if resp.status_code != 200:
                    bad.append(f"GET /health {resp.status_code}")

            floor_lat, floor_err, floor_wall = _drive(workers, floor_seconds, health)
            tokens = {w: issue_dev_token("citizen", f"load-{w}", None, None, f"load-{w}") for w in range(workers)}

            def case(session: Any, w: int, i: int, lat: dict[str, list[float]], bad: list[str]) -> None:
                hdrs = {"Authorization": f"Bearer {tokens[w]}", "Content-Type": "application/json"}
                start = time.perf_counter()
                resp = session.post(f"{base}/cases", json=application(w * 100_000 + i), headers=hdrs, timeout=30)
                lat.setdefault("apply", []).append(time.perf_counter() - start)
                if resp.status_code != 201:
                    bad.append(f"POST /cases {resp.status_code} {resp.text[:120]}")
                    return
                data = resp.json()
                start = time.perf_counter()
                resp = session.get(f"{base}/track/{data['case_no']}", params={"code": data["query_code"]},
                                   timeout=30)
                lat.setdefault("track", []).append(time.perf_counter() - start)
                if resp.status_code != 200:
                    bad.append(f"GET /track {resp.status_code} {resp.text[:120]}")

            # Warm-up, one request at a time: the first requests of a fresh server create the AWS clients,
            # and eight threads doing that at once on two cores take seconds (not what is measured here).
            import requests

            with requests.Session() as session:
                for i in range(3):
                    case(session, 0, 90_000 + i, {}, [])
            lat, errors, wall = _drive(workers, seconds, case)
            log_tail = log_path.read_text(errors="replace")[-2000:] if errors else ""
    both = lat.get("apply", []) + lat.get("track", [])
    floor = _summary(floor_lat.get("health", []), floor_wall)
    everything = _summary(both, wall)
    result: dict[str, Any] = {"seconds": seconds, "clients": workers, "wall_s": round(wall, 2),
              "apply": _summary(lat.get("apply", []), wall), "track": _summary(lat.get("track", []), wall),
              "all": everything, "floor_health": floor, "errors": len(errors) + len(floor_err),
              "error_samples": (errors + floor_err)[:5], "log_tail": log_tail}
    result["p50_ratio"] = ratio(everything["p50_ms"], floor["p50_ms"])
    return result
