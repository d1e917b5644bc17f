"""Figure 1, cold start: a fresh interpreter importing ``app`` (what every Lambda of the app does at init)
vs. importing only the dependencies it cannot do without (boto3, pynamodb.models, chalice)."""
from __future__ import annotations

import subprocess
import sys
import time
from typing import Any

from .env import ROOT, median, ratio, subprocess_env

APP = "import app"
FLOOR = "import boto3, pynamodb.models, chalice"
# What the API function has loaded once its first POST /cases ran (in the cloud: no PyJWT, the gateway's
# authorizer checked the token): modules bound lazily in app.py are paid for here, not at init.
FIRST_APPLY = "import app; from chalicelib.services import intake; from chalicelib.api import views"


def _run(code: str, env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def import_costs(env: dict[str, str], top: int = 10) -> list[dict[str, Any]]:
    """The modules with the largest cumulative import time under ``python -X importtime -c "import app"``."""
    out = subprocess.run([sys.executable, "-X", "importtime", "-c", APP], cwd=ROOT, env=env, check=True,
                         capture_output=True, text=True).stderr
    rows: list[dict[str, Any]] = []
    for line in out.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, cumulative_us, name = line[len("import time:"):].split("|")
        rows.append({"module": name.strip(), "self_ms": int(self_us) / 1000,
                     "cumulative_ms": int(cumulative_us) / 1000, "depth": (len(name) - len(name.lstrip()) - 1) // 2})
    rows = [r for r in rows if r["module"] != "app"]
    rows.sort(key=lambda r: float(r["cumulative_ms"]), reverse=True)
    return rows[:top]


def measure(runs: int = 12) -> dict[str, Any]:
    env = subprocess_env(PYTHONDONTWRITEBYTECODE="0")
    _run(APP, env)  # byte-compile once, as a deployed package ships .pyc-able files warm on disk
    _run(FLOOR, env)
    app_times: list[float] = []
    floor_times: list[float] = []
    first_times: list[float] = []
    for _ in range(runs):  # interleaved, so a change in machine load hits all alike
        app_times.append(_run(APP, env))
        floor_times.append(_run(FLOOR, env))
        first_times.append(_run(FIRST_APPLY, env))
    app_s, floor_s, first_s = median(app_times), median(floor_times), median(first_times)
    return {"runs": runs, "app_s": round(app_s, 4), "floor_s": round(floor_s, 4), "ratio": ratio(app_s, floor_s),
            "first_apply_s": round(first_s, 4), "first_apply_ratio": ratio(first_s, floor_s),
            "app_min_s": round(min(app_times), 4), "floor_min_s": round(min(floor_times), 4),
            "python_startup_s": round(median([_run("pass", env) for _ in range(5)]), 4),
            "top_imports": import_costs(env)}
