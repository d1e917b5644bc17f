"""``python -m bench``: run every figure, print one table, write bench/results.json.

Sizes (environment): BENCH_COLD_RUNS (12), BENCH_WARM_CASES (30), BENCH_QUEUE_CASES (30),
BENCH_LOAD_SECONDS (20), BENCH_LOAD_CLIENTS (8); BENCH_SKIP=load,package skips figures.
"""
from __future__ import annotations

import contextlib
import functools
import json
import logging
import os
import platform
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from typing import Any

from . import FIGURES
from .env import ROOT, apply_env


def machine() -> dict[str, Any]:
    try:
        load = os.getloadavg()
    except OSError:
        load = (0.0, 0.0, 0.0)
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                text=True, check=False).stdout.strip()
    except OSError:
        commit = ""
    return {"nproc": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
            "load_average": [round(x, 2) for x in load], "commit": commit,
            "utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}


def _figure(results: dict[str, Any], name: str, skip: set[str], fn: Callable[[], Any]) -> None:
    if name in skip:
        results[name] = {"skipped": True}
        return
    started = time.perf_counter()
    print(f"[bench] {name} …", file=sys.stderr, flush=True)
    try:
        results[name] = fn()
    except Exception as err:  # a figure that cannot run is reported, the others still run
        traceback.print_exc()
        results[name] = {"error": f"{type(err).__name__}: {err}"}
    results[name]["elapsed_s"] = round(time.perf_counter() - started, 1)


def run() -> dict[str, Any]:
    """Every figure; each one's failure is recorded in its entry rather than stopping the others."""
    apply_env()
    from tools import emulator

    emulator.harden()  # the emulator as the local stack and the tests run it (tools/emulator.py)
    logging.getLogger("cross-city").setLevel(logging.WARNING)  # the app's INFO lines would drown the table
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
    skip = {s.strip() for s in os.environ.get("BENCH_SKIP", "").split(",") if s.strip()}
    results: dict[str, Any] = {"machine": machine()}
    from . import coldstart, console, dashboard, heat, inprocess, licences, load, money, package

    _figure(results, "cold_start", skip, lambda: coldstart.measure(int(os.environ.get("BENCH_COLD_RUNS", "12"))))
    _figure(results, "package", skip, package.measure)
    if not {"warm", "requests", "queues", "heat"} <= skip:
        from .harness import Harness

        # Metrics go to stdout as EMF lines (as in Lambda): written, but not into the table.
        with Harness() as h, contextlib.redirect_stdout(open(os.devnull, "w")):
            h.complete_case(999_999)  # warm-up: reference data cached, clients created, code paths loaded
            _figure(results, "requests", skip, lambda: inprocess.count_requests(h))
            busy_cases = int(os.environ.get("BENCH_BUSY_CASES", "16"))
            _figure(results, "requests_busy_office", skip, lambda: inprocess.count_requests(h, busy_cases))
            _figure(results, "warm", skip,
                    lambda: inprocess.warm_overhead(h, int(os.environ.get("BENCH_WARM_CASES", "30"))))
            _figure(results, "queues", skip,
                    lambda: inprocess.queue_throughput(h, int(os.environ.get("BENCH_QUEUE_CASES", "30"))))
            _figure(results, "heat", skip, lambda: heat.measure(h))
    else:
        results.update({k: {"skipped": True} for k in ("requests", "warm", "queues", "heat")})
    _figure(results, "load", skip, load.measure)
    for counted, priced in (("requests", "money"), ("requests_busy_office", "money_busy_office")):
        req = results.get(counted, {})
        if "invocations" in req:
            _figure(results, priced, skip, functools.partial(money.estimate, req))
        else:
            results[priced] = {"skipped": True, "reason": "needs the request count"}
    _figure(results, "console", skip, console.measure)
    from . import courier_cost

    _figure(results, "courier_cost", skip, courier_cost.measure)
    _figure(results, "dashboard", skip, dashboard.measure)
    _figure(results, "licences", skip, licences.measure)  # 电子证照 and 秒批 (issue 17)
    results["table"] = table_rows(results)
    return results


# ---------------------------------------------------------------- the table


def licence_rows(lic: dict[str, Any]) -> list[dict[str, Any]]:
    """Issue 17's figures (bench/licences.py)."""
    out: list[dict[str, Any]] = []
    if "no_parcel" in lic:
        np_, paper = lic["no_parcel"]["licences"], lic["no_parcel"]["paper"]
        out.append({"figure": "L1 demo cases with no parcel (licences; floor: paper)",
                    "value": f"{np_['share_no_parcel']:.0%}", "floor": f"{paper['share_no_parcel']:.0%}",
                    "ratio": None, "goal": "report", "met": None})
    s = lic.get("seconds_to_completion", {})
    if "by_rule_median_s" in s:
        out.append({"figure": "L2 apply → 办结, 秒批 (floor: person, scripted)", "value": f"{s['by_rule_median_s']} s",
                    "floor": f"{s['by_person_median_s']} s",
                    "ratio": round(s["by_rule_median_s"] / s["by_person_median_s"], 3) if s["by_person_median_s"]
                    else None, "goal": "report", "met": None})
    return out


def _fmt(value: Any, unit: str = "") -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.3g}{unit}" if abs(value) < 100 else f"{value:.0f}{unit}"
    return f"{value}{unit}"


def table_rows(r: dict[str, Any]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    rows.extend(licence_rows(r.get("licences", {})))

    def row(figure: str, value: str, floor: str, ratio: Any, goal: str, met: bool | None = None) -> None:
        rows.append({"figure": figure, "value": value, "floor": floor, "ratio": ratio, "goal": goal,
                     "met": met})

    c = r.get("cold_start", {})
    if "ratio" in c:
        row("1 cold start (import app, median)", _fmt(c["app_s"], " s"), _fmt(c["floor_s"], " s"), c["ratio"],
            "≤ 1.25", c["ratio"] <= 1.25)
        row("1 cold start + modules of a first POST /cases", _fmt(c["first_apply_s"], " s"), _fmt(c["floor_s"], " s"),
            c["first_apply_ratio"], "report")
    p = r.get("package", {})
    if "zipped_mb" in p:
        row("2 package zipped (slimmed; raw = floor col.)", _fmt(p["zipped_mb"], " MB"),
            _fmt(p["raw_zipped_mb"], " MB"), round(p["zipped_mb"] / p["raw_zipped_mb"], 3), "≤ 5 MB",
            p["zipped_mb"] <= 5)
        row("2 package unzipped (slimmed)", _fmt(round(p["slim_total"]["unzipped"] / 2**20, 2), " MB"),
            _fmt(round(p["raw_total"]["unzipped"] / 2**20, 2), " MB"),
            round(p["slim_total"]["unzipped"] / p["raw_total"]["unzipped"], 3), "report")
    w = r.get("warm", {})
    if "p50_ratio" in w:
        per = w["per_route"]
        row("3 warm p50, sum of 5 routes", _fmt(round(sum(v["p50_ms"] for v in per.values()), 1), " ms"),
            _fmt(round(sum(v["floor_p50_ms"] for v in per.values()), 1), " ms"), w["p50_ratio"], "≤ 1.5",
            w["p50_ratio"] <= 1.5)
        p99 = sum(v["p99_ms"] for v in per.values())
        f99 = sum(v["floor_p99_ms"] for v in per.values())
        row("3 warm p99, sum of 5 routes", _fmt(round(p99, 1), " ms"), _fmt(round(f99, 1), " ms"),
            round(p99 / f99, 3) if f99 else None, "report")
    q = r.get("requests", {})
    if "total" in q:
        row("4 AWS requests per case + review", str(q["total"]["requests"]), str(q["minimum"]["requests"]),
            q["ratio"], "report (design min.)")
        row("4 DynamoDB requests per case", str(q["total"]["dynamodb"]), str(q["minimum"]["dynamodb"]),
            q["ddb_ratio"], "report")
        row("4 Scan calls", str(q["scan"]), "0", None, "0", q["scan"] == 0)
    qt = r.get("queues", {})
    if "events_per_s" in qt:
        row("5 queue events/s (batches of 10)", _fmt(qt["events_per_s"], "/s"), _fmt(qt["floor_events_per_s"], "/s"),
            qt["time_ratio"], "report (time ratio)")
    ld = r.get("load", {})
    if "all" in ld:
        row(f"6 load p50 ({ld['clients']} clients, {ld['seconds']:g} s)", _fmt(ld["all"]["p50_ms"], " ms"),
            _fmt(ld["floor_health"]["p50_ms"], " ms"), ld["p50_ratio"], "errors = 0", ld["errors"] == 0)
        row("6 load throughput / p99 / errors",
            f"{ld['all']['per_s']}/s, p99 {ld['all']['p99_ms']} ms, {ld['errors']} err",
            f"{ld['floor_health']['per_s']}/s", None, "errors = 0", ld["errors"] == 0)
    m, busy = r.get("money", {}), r.get("money_busy_office", {})
    if "usd" in busy:  # the judged figure: cases as they come at load (docs/PERFORMANCE.md, figure 7)
        row(f"7 US$ per 10,000 cases at load: {busy['counted_together']} cases in step at one office "
            "(one parcel, batched delivery)", f"${busy['usd']:.3f}", f"${busy['floor_usd']:.3f}",
            round(busy["usd"] / busy["floor_usd"], 3) if busy["floor_usd"] else None, f"≤ ${busy['goal_usd']:.2f}",
            busy["met"])
    if "usd" in m:
        row("7 … one case alone (its own parcel, batches of one; HTTP API + CloudFront)", f"${m['usd']:.3f}",
            f"${m['floor_usd']:.3f}", round(m["usd"] / m["floor_usd"], 3) if m["floor_usd"] else None, "report")
        row("7 … one case alone, before: REST API, no CloudFront", f"${m['usd_rest_api']:.3f}", "", None, "report")
    d = r.get("dashboard", {})
    if "ratio" in d:
        row("9 dashboard stats, 1 year × all cities (1 request; floor: 1 office, last full month)",
            _fmt(d["dashboard_ms"], " ms"), _fmt(d["floor_ms"], " ms"), d["ratio"], "≤ 3",
            d["ratio"] is not None and d["ratio"] <= 3)
        if "live_ms" in d:
            row("9 … the same request read live (no fresh snapshot)", _fmt(d["live_ms"], " ms"),
                _fmt(d["floor_ms"], " ms"), d["live_ratio"], "report")
            row("9 … the snapshot's schedule run (every 5 min: a year of every office, 1 item written)",
                _fmt(d["snapshot_ms"], " ms"), "", None, "report")
        if "rollup_trend_ms" in d:
            row("9 the year's trend alone from the province roll-up (no per-office figures)",
                _fmt(d["rollup_trend_ms"], " ms"), _fmt(d["floor_ms"], " ms"), d["rollup_trend_ratio"], "report")
    ht = r.get("heat", {})
    if "rows" in ht and ht["worst"]:
        w = ht["worst"]
        row("10 partition heat at 1,000 applications/s (busiest)",
            f"{w['wcu_per_s']:g} WCU/s {w['table']}{'.' + w['index'] if w['index'] else ''}",
            f"{ht['partition_wcu']:g} WCU/s", w["ratio"], f"≤ {ht['goal_ratio']} every table/index", ht["met"])
    cs = r.get("console", {})
    if "public_citizen_js_gzip_kb" in cs:
        row("8 console JS, public + citizen pages (gzip)", _fmt(cs["public_citizen_js_gzip_kb"], " KB"),
            _fmt(cs["all_js_gzip_kb"], " KB"), round(cs["public_citizen_js_gzip_kb"] / cs["all_js_gzip_kb"], 3),
            "≤ 300 KB", cs["js_goal_met"])
        row("8 console JS staff pages add on demand (gzip)", _fmt(cs["staff_extra_js_gzip_kb"], " KB"), "", None,
            "report")
        row("8 console FCP /track, median of 5 cold loads", _fmt(cs["track_fcp_median_s"], " s"), "", None,
            "≤ 1.0 s", cs["fcp_goal_met"])
    cc = r.get("courier_cost", {})
    if "ratio" in cc:  # 合包: bench/courier_cost.py
        row("11 courier CNY per 10,000 cases, materials (one per case = floor)", f"¥{cc['consolidated_cny']:.0f}",
            f"¥{cc['one_per_case_cny']:.0f}", cc["ratio"], "≤ 0.1", cc["met"])
        row("11 courier CNY, all legs (mailed results stay one each)", f"¥{cc['all_legs_consolidated_cny']:.0f}",
            f"¥{cc['all_legs_one_per_case_cny']:.0f}", cc["all_legs_ratio"], "report")
    for name in FIGURES:
        if "error" in r.get(name, {}):
            row(name, "ERROR", "", None, "", False)
    return rows


def print_details(r: dict[str, Any]) -> None:
    c = r.get("cold_start", {})
    if "top_imports" in c:
        print("\nTop import costs (python -X importtime -c 'import app'), by cumulative time:")
        for t in c["top_imports"]:
            print(f"  {t['cumulative_ms']:8.1f} ms  (self {t['self_ms']:6.1f})  {t['module']}")
    q = r.get("requests", {})
    if "per_use_case" in q:
        print("\nAWS requests per use case (its asynchronous handlers included) for one complete case:")
        head = f"  {'use case':24} {'http':>4} {'λ':>3} {'ddb':>4} {'w':>3} {'r':>3} {'sqs':>4} {'sns':>4} " \
               f"{'WRU':>6} {'RRU':>5} {'scan':>4}"
        print(head)
        for name, v in q["per_use_case"].items():
            print(f"  {name:24} {v['http']:>4} {v['invocations']:>3} {v['dynamodb']:>4} {v['dynamodb_writes']:>3} "
                  f"{v['dynamodb_reads']:>3} {v['sqs']:>4} {v['sns']:>4} {v['wru']:>6} {v['rru']:>5} {v['scan']:>4}")
        t = q["total"]
        print(f"  {'total':24} {q['http_requests']:>4} {len(q['invocations']):>3} {t['dynamodb']:>4} "
              f"{t['dynamodb_writes']:>3} {t['dynamodb_reads']:>3} {t['sqs']:>4} {t['sns']:>4} {t['wru']:>6} "
              f"{t['rru']:>5} {t['scan']:>4}")
        mn = q["minimum"]
        print(f"  {'design minimum':24} {'':>4} {'':>3} {mn['dynamodb']:>4} {'':>3} {'':>3} {mn['sqs']:>4} "
              f"{mn['sns']:>4}")
    w = r.get("warm", {})
    if "per_route" in w:
        print(f"\nWarm request overhead ({w['cases']} cases), ms:")
        for name, v in w["per_route"].items():
            print(f"  {name:10} p50 {v['p50_ms']:7.2f} (floor {v['floor_p50_ms']:6.2f}, x{v['p50_ratio']})   "
                  f"p99 {v['p99_ms']:7.2f} (floor {v['floor_p99_ms']:6.2f})")
    qt = r.get("queues", {})
    if "per_queue" in qt:
        print("\nQueue throughput:")
        for name, v in qt["per_queue"].items():
            print(f"  {name:15} {v['events']:4} events in {v['batches']} batches: {v['events_per_s']:7.1f}/s "
                  f"(raw DynamoDB writes {v['floor_writes_events_per_s']:.1f}/s, x{v['time_ratio']})")
    for key, what in (("money", "one case alone"), ("money_busy_office", "at load, cases in step at one office")):
        m = r.get(key, {})
        if "terms_usd" not in m:
            continue
        print(f"\nCost of {m['cases']:,} completed cases, {what} ({m['counted_together']} counted together; "
              f"{m['prices_as_of']}):")
        print("  per case: " + ", ".join(f"{k} {v:g}" for k, v in m["per_case"].items()))
        for k, v in sorted(m["terms_usd"].items(), key=lambda kv: -kv[1]):
            print(f"  {k:18} ${v:.4f}")
        print(f"  {'total':18} ${m['usd']:.4f}   goal ≤ ${m['goal_usd']:.2f}: "
              + ("met" if m["met"] else f"${m['excess_usd']:.4f} over"))
        print(f"  {'(WAF, both designs)':18} ${m['waf_usd_both_designs']:.4f}   not in the total")
        for name, usd in m.get("scenarios_usd", {}).items():
            print(f"  scenario: {name:52} ${usd:.4f}")
    print_heat(r.get("heat", {}))


def print_heat(ht: dict[str, Any]) -> None:
    if "rows" not in ht:
        return
    print(f"\nPartition heat at {ht['rate_applications_per_s']:,.0f} applications/s through one office of one "
          f"city ({ht['cases']} whole cases + {ht['applications'] - ht['cases']} more applications received and "
          f"forwarded into one parcel, recorded); "
          f"limit {ht['partition_wcu']:,.0f} WCU/s per partition, goal ≤ {ht['goal_ratio']}:")
    print(f"  {'table':14} {'index':20} {'kind':12} {'busiest key':34} {'WCU/s':>8} {'ratio':>6}")
    for r in ht["rows"]:
        seen = f"  (busiest shard seen {r['busiest_shard_seen_wcu_per_s']:g})" if "busiest_shard_seen_wcu_per_s" in r \
            else ""
        print(f"  {r['table']:14} {r['index'] or '—':20} {r['kind']:12} {r['key'][:34]:34} {r['wcu_per_s']:>8g} "
              f"{r['ratio']:>6.3f}{' ✓' if r['met'] else ' ✗'}{seen}")


def print_table(rows: list[dict[str, Any]]) -> None:
    widths = [46, 30, 12, 7, 22]
    print()
    print(f"{'figure':{widths[0]}} {'value':>{widths[1]}} {'floor':>{widths[2]}} {'ratio':>{widths[3]}}  goal")
    print("-" * (sum(widths) + 6))
    for r in rows:
        ratio = "—" if r["ratio"] is None else f"{r['ratio']:.2f}"
        mark = {True: " ✓", False: " ✗", None: ""}[r["met"]]
        print(f"{r['figure']:{widths[0]}} {r['value']:>{widths[1]}} {r['floor']:>{widths[2]}} {ratio:>{widths[3]}}"
              f"  {r['goal']}{mark}")


def main() -> int:
    started = time.perf_counter()
    results = run()
    results["elapsed_s"] = round(time.perf_counter() - started, 1)
    out = ROOT / "bench" / "results.json"
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str) + "\n")
    print_details(results)
    print_table(results["table"])
    print(f"\n{results['elapsed_s']:.0f} s; written {out.relative_to(ROOT)}")
    return 0  # benchmarks report; they never fail on timing


if __name__ == "__main__":
    sys.exit(main())
