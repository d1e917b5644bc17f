"""Figure 10, partition heat: the busiest partition key of every table and index at 1,000 applications a
second through one office of one city, against DynamoDB's 1,000 write units per second per partition.

Every write the application makes is recorded with the partition keys it touches and the write units each
takes (``Recorder``: the base item's key, and per index the entry's key, deletes of moved entries too).
The run is whole cases (apply → COMPLETED → a review, all through the Shenzhen window to the Dongguan
office) and, since the counters an application touches are written far less often than once per case,
many more applications, received and forwarded: at 1,000 a second every case of the office pair's collection
joins the pair's one open parcel (合包), so these join one parcel, which is then sealed (the whole cases each
have theirs sealed at once by the demo courier's continuous collection).
In the steady state every use case then happens 1,000 times a second, so a key shared by many cases takes

    1,000 × Σ over use cases (write units on the key in that use case / times the use case ran)

per second. Two kinds of key are treated apart, by design rather than by what one run happens to show:

- **one entity's own key** (a case, its timeline, its parcels, reviews, tickets, outbox events, the
  applicant's index entry), when one case alone wrote it in the run: its writes come at the pace of that
  case's life, not of the service's load (a key of these tables that several cases wrote, such as a
  consolidated parcel's, counts as shared).
  The figure is the most units one such key took within one use case, counted as if in one second
  (a bound: those writes are really spread over the use case's seconds to days);
- **a write-sharded key** (``{key}#{shard}``, or a bare shard number): a hash or a random draw spreads the
  writes over the shards evenly, so the figure is the family's rate divided by its shard count; the
  busiest shard seen in the run is reported beside it (a small run over-samples some shards).
"""
from __future__ import annotations

import os
import re
from collections import defaultdict
from typing import Any

from .harness import Harness

RATE = 1000.0  # applications a second, through one office of one city
PARTITION_WCU = 1000.0  # DynamoDB's write limit per partition (and per item), units per second
GOAL = 0.5

# (table, index) whose partition key is one entity's own (a case and what belongs to it).
ENTITY_KEYS = frozenset({
    ("cases", ""), ("case-events", ""), ("outbox", ""), ("idempotency", ""), ("notifications", ""),
    ("shipments", ""), ("shipments", "by_case_keys"), ("reviews", ""), ("review-slots", ""), ("tickets", ""),
    ("ticket-events", ""), ("cases", "by_applicant"), ("access-log", ""),
})
_SUFFIX = re.compile(r"#\d+$")
# Tables with items of a write-sharded kind beside their entities' own: the row label of those items.
SHARDED_ITEMS = {"parcels": "(sheets)"}


def shard_families() -> dict[tuple[str, str], tuple[Any, int]]:
    """(table, index) → (fold: partition key → family, or None for a key of that table that is no shard;
    shard count) for every write-sharded key."""
    from chalicelib.config import settings

    s = settings()
    bare = (lambda _pk: "*", s.sweep_shards)
    families: dict[tuple[str, str], tuple[Any, int]] = {
        ("cases", "due"): bare, ("shipments", "open_legs"): bare, ("shipments", "legs_due"): bare,
        ("review-slots", "due"): bare, ("tickets", "due"): bare, ("parcels", "parcels_to_seal"): bare,
    }
    queue_shards = getattr(s, "queue_shards", 0)
    if queue_shards:
        for index in ("by_receiving_queue", "by_handling_queue"):
            families[("cases", index)] = (lambda pk: _SUFFIX.sub("", pk), queue_shards)
        for index in ("parcels_from_shard", "parcels_to_shard"):
            families[("parcels", index)] = (lambda pk: _SUFFIX.sub("", pk), queue_shards)
    parcel_sheets = getattr(s, "parcel_sheets", 0)
    if parcel_sheets:
        # The sheets of a parcel's handover list (``{parcel_id}#{s}``); its header (no suffix) is no shard.
        families[("parcels", "")] = (lambda pk: _SUFFIX.sub("", pk) if _SUFFIX.search(pk) else None, parcel_sheets)
    review_shards = getattr(s, "review_shards", 0)
    if review_shards:
        for index in ("by_office_shard", "by_city_shard"):
            families[("reviews", index)] = (lambda pk: _SUFFIX.sub("", pk), review_shards)
    stats_shards = getattr(s, "stats_shards", 0)
    if stats_shards:
        families[("review-stats", "")] = (lambda pk: _SUFFIX.sub("", pk), stats_shards)
    return families


def analyse(calls: list[Any], prefix: str) -> dict[str, Any]:
    """The heat table from recorded calls (each with ``phase``, ``subject`` and ``touches``)."""
    runs: dict[str, set[str]] = defaultdict(set)  # use case -> the subjects (cases) that went through it
    units: dict[tuple[str, str, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    writes: dict[tuple[str, str, str], int] = defaultdict(int)
    burst: dict[tuple[str, str, str], dict[tuple[str, str], float]] = defaultdict(lambda: defaultdict(float))
    for call in calls:
        if not call.subject or not call.phase:
            continue
        runs[call.phase].add(call.subject)
        for table, index, pk, wcu in call.touches:
            logical = table[len(prefix) + 1:] if table.startswith(prefix + "-") else table
            key = (logical, index, pk)
            units[key][call.phase] += wcu
            writes[key] += 1
            burst[key][(call.subject, call.phase)] += wcu
    families = shard_families()
    per_index: dict[tuple[str, str], dict[str, Any]] = {}
    family_rates: dict[tuple[str, str, str], float] = defaultdict(float)
    members: dict[tuple[str, str, str], list[float]] = defaultdict(list)
    for (table, index, pk), by_phase in units.items():
        where = (table, index)
        rate = RATE * sum(u / len(runs[phase]) for phase, u in by_phase.items())
        if where in ENTITY_KEYS and len({subject for subject, _ in burst[(table, index, pk)]}) == 1:
            most = max(burst[(table, index, pk)].values())
            row: dict[str, Any] = {"kind": "entity", "key": pk, "wcu_per_s": round(most, 2)}
        elif where in families and families[where][0](pk) is not None:
            family = families[where][0](pk)
            family_rates[(table, index, family)] += rate
            members[(table, index, family)].append(rate)
            continue
        else:
            row = {"kind": "shared", "key": pk, "wcu_per_s": round(rate, 1)}
        if where not in per_index or row["wcu_per_s"] > per_index[where]["wcu_per_s"]:
            per_index[where] = row
    for (table, index, family), total in family_rates.items():
        shards = families[(table, index)][1]
        row = {"kind": f"sharded ×{shards}", "key": family, "wcu_per_s": round(total / shards, 1),
               "busiest_shard_seen_wcu_per_s": round(max(members[(table, index, family)]), 1)}
        # A table whose own keys are partly sharded (a parcel's header and the sheets of its handover list):
        # the sheets get a row of their own.
        where = (table, index or SHARDED_ITEMS.get(table, ""))
        if where not in per_index or row["wcu_per_s"] > per_index[where]["wcu_per_s"]:
            per_index[where] = row
    rows = []
    for (table, index), row in sorted(per_index.items()):
        ratio = round(row["wcu_per_s"] / PARTITION_WCU, 3)
        rows.append({"table": table, "index": index, **row, "ratio": ratio, "met": ratio <= GOAL})
    worst = max(rows, key=lambda r: r["ratio"]) if rows else None
    return {"rate_applications_per_s": RATE, "partition_wcu": PARTITION_WCU, "goal_ratio": GOAL,
            "runs": {phase: len(s) for phase, s in sorted(runs.items())}, "rows": rows,
            "worst": worst, "met": all(r["met"] for r in rows),
            "model": "shared keys: 1,000 × Σ use cases (units on the key / times the use case ran); entity keys: "
                     "the most units one key took in one use case, as if in one second; sharded keys: the "
                     "family's rate / its shard count (busiest shard seen reported beside it)"}


def measure(h: Harness, cases: int | None = None, applications: int | None = None) -> dict[str, Any]:
    """``cases`` whole cases and ``applications`` more applications, every write's keys recorded."""
    from chalicelib.config import settings

    cases = cases if cases is not None else int(os.environ.get("BENCH_HEAT_CASES", "10"))
    applications = applications if applications is not None else int(os.environ.get("BENCH_HEAT_APPLICATIONS",
                                                                                      "150"))
    since = len(h.recorder.calls)
    failed: list[str] = []
    for n in range(cases):
        try:
            h.complete_case(20_000 + n)
        except (AssertionError, IndexError) as err:  # a case stuck on the way: its writes so far still count
            failed.append(f"{type(err).__name__}: {err}"[:200])
            h.recorder.phase, h.recorder.subject = "", ""
    # The other applications are received and forwarded too: at 1,000 a second every case of the pair's
    # collection joins the one open parcel, so they join one here (the whole cases above each had theirs
    # sealed at once by the demo courier's continuous collection), which is then sealed.
    for n in range(applications):
        h.forward_only(30_000 + n)
    h.recorder.phase, h.recorder.subject = "forward", f"a{30_000 + applications - 1}"
    try:
        h.pump.seal()
        h.settle()
    finally:
        h.recorder.phase, h.recorder.subject = "", ""
    out = analyse(h.recorder.calls[since:], settings().resource_prefix)
    out.update(cases=cases, applications=cases + applications, cases_failed=failed)
    return out
