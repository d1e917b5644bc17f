"""The environment every benchmark runs in: the tests' fake, network-free AWS settings."""
from __future__ import annotations

import os
import statistics
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# As tests/conftest.py sets them: fake credentials, fixed names, no real endpoint.
BENCH_ENV: dict[str, str] = {
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "STAGE": "local",
    "RESOURCE_PREFIX": "kc-bench",
    "AUTH_MODE": "hs256",
    "POWERTOOLS_METRICS_NAMESPACE": "CrossCityService",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "SWEEP_SHARDS": "32",  # as deployed (.chalice/config.json): the partition-heat figure judges that
    # 合包: each counted case's parcel is sealed by the run after its forward (the demo courier's collection).
    "PARCEL_COLLECTION": "continuous",
}
REMOVED = ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL_SQS", "AWS_PROFILE")


def subprocess_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in REMOVED}
    env.update(BENCH_ENV)
    env.update(extra)
    return env


def apply_env() -> None:
    """Point this process at the fake AWS (call before anything imports boto3 or the application)."""
    for var in REMOVED:
        os.environ.pop(var, None)
    for key, value in BENCH_ENV.items():
        os.environ.setdefault(key, value)


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100); 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def ratio(value: float, floor: float) -> float | None:
    return round(value / floor, 3) if floor else None
