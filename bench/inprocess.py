"""Figures measured in-process under moto: AWS request counts (4), warm request overhead (3) and queue
throughput (5)."""
from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tools.pump import RELAYS

from .env import median, percentile, ratio
from .harness import TIMED, USE_CASES, Harness, Invocation, headers
from .recorder import DDB_WRITES, Call, replay, tally

HTTP_FUNCTIONS = frozenset({"apply", "receive", "forward", "decide", "ship-result", "submit_review",
                            "courier_webhook"})


def _is_http(inv: Invocation) -> bool:
    return inv.function in HTTP_FUNCTIONS


# ---------------------------------------------------------------- 4. request count


def design_minimum(timeline_events: int, leg_changes: int, reviews: int, queue_messages: int,
                   sms: int) -> dict[str, int]:
    """What the design cannot do with less, for one case (see docs/PERFORMANCE.md, figure 4):

    - creating the case: one counter update (its number) and one write (case + timeline event + outbox
      event, one transaction);
    - every later state change of the case (one timeline event each) and every change of a parcel leg:
      one read of the item and one write (with its event in the same transaction);
    - each review: one read of the case and one write;
    - each event that crosses a queue: one SQS send; each SMS: one SNS publish.
    """
    ddb = 2 + 2 * (timeline_events - 1) + 2 * leg_changes + 2 * reviews
    return {"dynamodb": ddb, "sqs": queue_messages, "sns": sms, "requests": ddb + queue_messages + sms}


def count_requests(h: Harness, together: int = 1) -> dict[str, Any]:
    """One complete case (apply → COMPLETED, MAIL both ways) plus a review, every AWS call counted. With
    ``together`` > 1, that many cases in step, in one consolidated parcel (合包) as a day's cases between two
    offices travel: the counts are theirs together, and ``cases`` says how many to divide them by."""
    since, inv_since = len(h.recorder.calls), len(h.invocations)
    floors: dict[int, float] = {}

    def floor_now(inv: Invocation) -> None:
        floors[id(inv)] = replay(inv.calls, h.raw, h.scratch_queue)

    h.after_invocation = floor_now
    try:
        h.complete_cases([0] if together == 1 else list(range(60_000, 60_000 + together)))
    finally:
        h.after_invocation = None
    calls: list[Call] = h.recorder.calls[since:]
    invocations = h.invocations[inv_since:]
    case_no, sub = h.last_case
    per_use_case: dict[str, Any] = {}
    for use_case in USE_CASES:
        invs = [i for i in invocations if i.phase == use_case]
        row = tally([c for c in calls if c.phase == use_case]).as_dict()
        row["http"] = sum(1 for i in invs if _is_http(i))
        row["invocations"] = len(invs)
        per_use_case[use_case] = row
    per_function: dict[str, Any] = {}
    for inv in invocations:
        row = per_function.setdefault(inv.function, {"invocations": 0, "records": 0, "seconds": 0.0,
                                                     "calls": []})
        row["invocations"] += 1
        row["records"] += inv.records
        row["seconds"] += inv.seconds
        row["calls"].extend(inv.calls)
    for row in per_function.values():
        row.update(tally(row.pop("calls")).as_dict())
        row["seconds"] = round(row["seconds"], 4)
    total = tally(calls)
    leg_changes = 6  # PICKED_UP, IN_TRANSIT, DELIVERED on each of the two legs
    consumed = sum(i.records for i in invocations if not _is_http(i) and i.function not in RELAYS)
    sms = total.ops.get("sns:Publish", 0)
    minimum = design_minimum(h.timeline_length(case_no, sub), leg_changes, 1, consumed // together,
                             sms // together)
    # Lambda's share of the money: billed duration needs the app's own time per invocation, i.e. the
    # measured time less the time the same AWS requests take issued raw.
    lambda_rows = []
    for inv in invocations:
        floor = floors.get(id(inv), 0.0)
        aws_calls = sum(1 for c in inv.calls if c.service in ("dynamodb", "sqs", "sns"))
        lambda_rows.append({"function": inv.function, "seconds": inv.seconds, "aws_seconds": floor,
                            "aws_calls": aws_calls, "http": _is_http(inv)})
    # What other index designs would cost in write units, from the same recorded writes.
    from chalicelib.config import settings

    reviews = settings().name("reviews")
    what_if_wru = {
        "as built": round(h.recorder.recost(calls), 1),
        "review indexes KEYS_ONLY": round(h.recorder.recost(calls, {
            (reviews, "by_office_shard"): "KEYS_ONLY", (reviews, "by_city_shard"): "KEYS_ONLY"}), 1),
    }
    return {
        "cases": together,
        "what_if_wru": what_if_wru,
        "case_no": case_no,
        "per_use_case": per_use_case,
        "per_function": per_function,
        "total": total.as_dict(),
        "minimum": minimum,
        "ratio": ratio(total.requests, minimum["requests"]),
        "ddb_ratio": ratio(total.ddb, minimum["dynamodb"]),
        "scan": total.scan,
        "http_requests": sum(1 for i in invocations if _is_http(i)),
        "invocations": lambda_rows,
        "capacity_units": "computed from item sizes (moto returns fixed placeholders): 1 WRU per KB written, "
                          "x2 in transactions, plus one write per GSI entry touched (two when its key "
                          "changes); 1 RRU per 4 KB read strongly consistent, 0.5 eventually",
    }


# ---------------------------------------------------------------- 3. warm request overhead


@contextmanager
def collect_between() -> Iterator[None]:
    """No automatic garbage collection while timing: moto's object graph in this process is large, and a
    generation-2 collection in the middle of a request costs 0.1-0.8 s, on the app and the floor alike; a
    Lambda process has no such heap. The caller collects between cases, outside the timings."""
    was_enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class CacheEvictor:
    """Evicts the CPU's caches by copying a buffer larger than all of them (this machine's L3 is 32 MiB; 48 MiB
    read and 48 MiB written), so that what is timed next starts as a request after an idle gap does."""

    def __init__(self, mib: int = 48) -> None:
        self._source = bytes(mib << 20)
        self._target = bytearray(mib << 20)
        self.times = 0

    def __call__(self) -> None:
        self._target[:] = self._source
        self.times += 1


def warm_overhead(h: Harness, cases: int, warmup: int = 2) -> dict[str, Any]:
    """p50/p99 of the timed routes (their handler's time) vs. the same AWS requests issued raw right after
    each, both from evicted CPU caches: replayed right after the request it copies, the floor ran through code
    and data the request had just brought into the caches, while the request itself came after the pump's work
    (measured from evicted caches, the floor took about a third longer, the application's request about a
    quarter: docs/PERFORMANCE.md, figure 3)."""
    samples: dict[str, list[float]] = {u: [] for u in TIMED}
    floors: dict[str, list[float]] = {u: [] for u in TIMED}
    measuring = False
    evict = CacheEvictor()

    def timed(inv: Invocation) -> bool:
        return measuring and _is_http(inv) and inv.phase in samples and inv.function != "courier_webhook"

    def evict_before() -> None:
        if measuring and h.recorder.phase in samples:
            evict()

    def floor_now(inv: Invocation) -> None:
        if timed(inv):
            samples[inv.phase].append(inv.seconds)
            evict()
            floors[inv.phase].append(replay(inv.calls, h.raw, h.scratch_queue))

    h.after_invocation = floor_now
    h.before_request = evict_before
    # The recorder's own work must not count as the application's: no deep copy of every request.
    h.recorder.light = True
    try:
        with collect_between():
            for n in range(warmup + cases):
                measuring = n >= warmup
                h.complete_case(1000 + n)
                gc.collect()
    finally:
        h.after_invocation = None
        h.before_request = None
        h.recorder.light = False
    per_route: dict[str, Any] = {}
    for u in TIMED:
        p50, p99 = median(samples[u]), percentile(samples[u], 99)
        f50, f99 = median(floors[u]), percentile(floors[u], 99)
        per_route[u] = {"n": len(samples[u]), "p50_ms": round(p50 * 1000, 2), "p99_ms": round(p99 * 1000, 2),
                        "floor_p50_ms": round(f50 * 1000, 2), "floor_p99_ms": round(f99 * 1000, 2),
                        "p50_ratio": ratio(p50, f50), "p99_ratio": ratio(p99, f99)}
    all_p50 = median([median(samples[u]) for u in TIMED])
    all_f50 = median([median(floors[u]) for u in TIMED])
    return {"cases": cases, "evictions": evict.times, "per_route": per_route, "p50_ms": round(all_p50 * 1000, 2),
            "floor_p50_ms": round(all_f50 * 1000, 2),
            "p50_ratio": ratio(sum(median(samples[u]) for u in TIMED), sum(median(floors[u]) for u in TIMED)),
            "worst_p50_ratio": max((r["p50_ratio"] or 0) for r in per_route.values())}


# ---------------------------------------------------------------- 5. queue throughput


FLOORS: dict[int, tuple[float, float]] = {}  # id(invocation) -> (raw DynamoDB writes s, all raw requests s)


def _drain_timed(h: Harness, queue: str, phase: str) -> list[Invocation]:
    """Drain one queue through its handler, batch by batch; right after each batch its DynamoDB writes (and
    then all its requests) are replayed raw for the floor."""
    since = len(h.invocations)
    h.recorder.phase = phase

    def floor_now(inv: Invocation) -> None:
        FLOORS[id(inv)] = (replay(inv.calls, h.raw, h.scratch_queue, only=DDB_WRITES),
                           replay(inv.calls, h.raw, h.scratch_queue))

    h.after_invocation = floor_now
    try:
        with collect_between():
            while h.pump.drain_queue_once(queue):
                pass
    finally:
        h.after_invocation = None
        h.recorder.phase = ""
    return [i for i in h.invocations[since:] if i.phase == phase and i.function not in RELAYS]


def _relay(h: Harness) -> None:
    while h.pump.drain_stream_once():
        pass


def _rate(invs: list[Invocation]) -> dict[str, Any]:
    records = sum(i.records for i in invs)
    seconds = sum(i.seconds for i in invs)
    calls = [c for i in invs for c in i.calls]
    floor_writes = sum(FLOORS.get(id(i), (0.0, 0.0))[0] for i in invs)
    floor_all = sum(FLOORS.get(id(i), (0.0, 0.0))[1] for i in invs)
    rate = records / seconds if seconds else 0.0
    floor_rate = records / floor_writes if floor_writes else 0.0
    return {"events": records, "batches": len(invs), "max_batch": max((i.records for i in invs), default=0),
            "events_per_s": round(rate, 1), "floor_writes_events_per_s": round(floor_rate, 1),
            "floor_all_requests_events_per_s": round(records / floor_all, 1) if floor_all else 0.0,
            "time_ratio": ratio(floor_rate, rate), "requests_per_event": round(len(calls) / records, 2)
            if records else 0.0}


def queue_throughput(h: Harness, cases: int) -> dict[str, Any]:
    """Routing, courier and review-ticket events through their SQS handlers in batches of up to 10."""
    from .harness import RECEIVING, application

    nos: list[tuple[str, str]] = []
    for n in range(cases):
        sub = f"queue-{n}"
        status, case = h.http("POST", "/cases", headers("citizen", sub), application(5000 + n))
        assert status == 201, case
        status, data = h.http("POST", f"/cases/{case['case_no']}/receive", headers("staff", "s", RECEIVING), {})
        assert status == 200, data
        nos.append((case["case_no"], sub))
    h.settle()
    for case_no, _ in nos:
        # 加急: each case travels alone, so every courier event below is one case's (as before 合包); the
        # consolidated parcels are measured by figure 11 (bench/courier_cost.py).
        status, data = h.http("POST", f"/cases/{case_no}/forward", headers("staff", "s", RECEIVING),
                              {"urgent": True})
        assert status == 200, data
    _relay(h)
    out = {"routing": _rate(_drain_timed(h, "routing", "queue:routing"))}
    h.settle()
    waybills = [h.legs(case_no, sub)[0]["waybill"] for case_no, sub in nos]
    courier: list[Invocation] = []
    for event in ("PICKED_UP", "IN_TRANSIT", "DELIVERED"):
        for waybill in waybills:
            h.courier(waybill, event, function=None)
        courier += _drain_timed(h, "courier-events", "queue:courier")
        h.settle()
    out["courier-events"] = _rate(courier)
    for case_no, sub in nos:
        status, data = h.http("POST", f"/cases/{case_no}/reviews", headers("citizen", sub),
                              {"stage": "receiving", "rating": 1, "tags": ["态度差"], "comment": "窗口人员不耐烦"})
        assert status == 201, data
    _relay(h)
    out["tickets"] = _rate(_drain_timed(h, "tickets", "queue:tickets"))
    h.settle()
    events = sum(r["events"] for r in out.values())
    seconds = sum(r["events"] / r["events_per_s"] for r in out.values() if r["events_per_s"])
    floor_seconds = sum(r["events"] / r["floor_writes_events_per_s"] for r in out.values()
                        if r["floor_writes_events_per_s"])
    return {"per_queue": out, "events": events, "events_per_s": round(events / seconds, 1) if seconds else 0.0,
            "floor_events_per_s": round(events / floor_seconds, 1) if floor_seconds else 0.0,
            "time_ratio": ratio(seconds, floor_seconds)}
