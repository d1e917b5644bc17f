"""The benchmark's request-counting path for one case, checked for structure (no timing): one complete case
and its review make no Scan, every use case has its row, and the results carry every figure.

On moto (``aws``): the benchmark counts the DynamoDB requests and write units each use case makes, which only
the DynamoDB adapters against the emulator produce."""
from __future__ import annotations

import pytest


@pytest.fixture
def harness(aws):
    from bench.harness import Harness

    with Harness(start_mock=False) as h:
        yield h


def test_counted_case_makes_no_scan_and_every_use_case_has_a_row(harness):
    from bench import inprocess
    from bench.harness import USE_CASES

    counted = inprocess.count_requests(harness)

    assert counted["scan"] == 0
    assert counted["total"]["scan"] == 0
    assert all(row["scan"] == 0 for row in counted["per_use_case"].values())
    assert set(counted["per_use_case"]) == set(USE_CASES)
    for name, row in counted["per_use_case"].items():
        assert row["http"] >= 1 and row["dynamodb"] >= 1, (name, row)
    assert counted["http_requests"] == 12  # apply, receive, forward, 6 courier events, decide, ship-result, review
    assert counted["total"]["dynamodb_writes"] >= counted["minimum"]["dynamodb"] // 2
    assert counted["total"]["sqs"] > 0 and counted["total"]["sns"] > 0
    assert counted["total"]["wru"] > 0 and counted["total"]["rru"] > 0


def test_results_carry_every_figure_and_the_money_terms(harness):
    from bench import FIGURES, inprocess, money
    from bench.__main__ import table_rows

    counted = inprocess.count_requests(harness)
    cost = money.estimate(counted)
    assert set(cost["terms_usd"]) == {"api_gateway", "cloudfront", "lambda_requests", "lambda_duration",
                                      "dynamodb_writes", "dynamodb_reads", "sqs", "sns"}
    assert cost["usd"] > 0 and cost["prices_as_of"] and cost["goal_usd"] == 0.90
    # As deployed: each API request is an HTTP API request ($1.00/M) and a CloudFront HTTPS request
    # ($0.0100 per 10,000); the REST API before it cost $3.50/M, without CloudFront.
    http = counted["http_requests"] * money.CASES
    assert cost["terms_usd"]["api_gateway"] == pytest.approx(http * 1.00e-6)
    assert cost["terms_usd"]["cloudfront"] == pytest.approx(http * 1.00e-6)
    assert cost["usd_rest_api"] - cost["usd"] == pytest.approx(http * (3.50e-6 - 2.00e-6), abs=1e-3)

    results = {name: {"skipped": True} for name in FIGURES}
    results.update(requests=counted, money=cost, money_busy_office=cost)
    rows = table_rows(results)
    assert set(FIGURES) >= {"cold_start", "package", "warm", "requests", "queues", "load", "money", "console",
                            "dashboard", "heat"}
    figures = " ".join(r["figure"] for r in rows)
    assert "Scan calls" in figures and "US$" in figures and "one case alone" in figures
    [judged] = [r for r in rows if r["figure"].startswith("7 US$ per 10,000 cases at load")]
    assert judged["goal"] == "≤ $0.90"
    assert {"figure", "value", "floor", "ratio", "goal"} <= set(rows[0])


def test_cases_in_one_parcel_share_its_courier_events_and_the_money_is_per_case(harness, consolidated, monkeypatch):
    """Figure 7's second row: cases travelling in one consolidated parcel (合包) share its sealing and its
    three courier events; the money is theirs together divided by their number."""
    from bench import inprocess, money
    from chalicelib.config import settings

    monkeypatch.setenv("PARCEL_COLLECTION", "continuous")  # as bench/env.py: sealed by the run after forward
    settings.cache_clear()

    together = inprocess.count_requests(harness, together=3)
    # Each case: apply, receive, forward, decide, ship-result, review and its mailed result's 3 courier events;
    # the parcel: its 3 courier events, once for the three.
    assert together["cases"] == 3 and together["http_requests"] == 3 * 9 + 3
    assert together["scan"] == 0
    shared = money.estimate(together)
    alone = money.estimate(inprocess.count_requests(harness))
    assert shared["counted_together"] == 3 and shared["per_case"]["api_requests"] == 10
    assert shared["terms_usd"]["api_gateway"] == pytest.approx(10 * money.CASES * 1.00e-6)
    assert shared["usd"] < alone["usd"]
    assert shared["per_case"]["wru"] < alone["per_case"]["wru"]


def test_importing_bench_has_no_side_effects():
    import importlib
    import os

    before = dict(os.environ)
    for name in ("bench", "bench.env", "bench.recorder", "bench.harness", "bench.inprocess", "bench.money",
                 "bench.coldstart", "bench.package", "bench.load", "bench.__main__"):
        importlib.import_module(name)
    assert dict(os.environ) == before
    from botocore import handlers

    assert not any(getattr(h[1], "__self__", None).__class__.__name__ == "Recorder"
                   for h in handlers.BUILTIN_HANDLERS)


def test_partition_heat_records_every_table_written_and_judges_each_against_the_goal(harness):
    from bench import heat

    harness.complete_case(1)  # warm: reference data cached
    result = heat.measure(harness, cases=2, applications=3)

    tables = {(r["table"], r["index"]) for r in result["rows"]}
    assert {("cases", ""), ("case-events", ""), ("reviews", "by_office_shard")} <= tables
    assert result["runs"]["apply"] == 5 and result["runs"]["review"] == 2
    for row in result["rows"]:
        assert row["ratio"] == round(row["wcu_per_s"] / 1000, 3)
        assert row["met"] == (row["ratio"] <= 0.5)
    assert result["met"] == all(r["met"] for r in result["rows"])


def test_a_case_item_and_its_events_stay_under_one_write_unit_its_whole_life(harness):
    """Every write of the counted case's item (apply → COMPLETED), and of each of its timeline events (which
    are its steps' outbox records), is under 1 KB: one write unit, two in a transaction (docs/PERFORMANCE.md,
    figure 7). No case step writes an outbox item."""
    from bench import inprocess
    from bench.recorder import item_size

    since = len(harness.recorder.calls)
    inprocess.count_requests(harness)
    sizes: dict[str, list[int]] = {"cases": [], "case-events": [], "outbox": []}
    for call in harness.recorder.calls[since:]:
        entries = [next(iter(e.values())) for e in call.params.get("TransactItems", [])] or [call.params]
        for b in entries:
            table = b.get("TableName", "").split("-", 2)[-1]
            if "Item" in b and table in sizes:
                sizes[table].append(item_size(b["Item"]))
    assert len(sizes["cases"]) >= 8 and max(sizes["cases"]) < 1024, sizes
    assert len(sizes["case-events"]) == len(sizes["cases"]) and max(sizes["case-events"]) < 1024, sizes
    assert sizes["outbox"] == []


def test_a_leg_change_rewrites_no_entry_of_the_legs_of_a_case_index(harness):
    """Issue 15's lighter writes: ``by_case_keys`` is keys only, so of the counted case's leg writes (two legs
    created, six courier events) only the two creations write an entry of it; none is written to an
    ALL-projected ``by_case``."""
    from bench import inprocess

    since = len(harness.recorder.calls)
    inprocess.count_requests(harness)
    calls = harness.recorder.calls[since:]
    touched = [(table.rsplit("-", 1)[-1], index) for c in calls for table, index, _pk, _units in c.touches
               if table.endswith("-shipments")]
    assert touched.count(("shipments", "")) >= 8  # the legs are written at each change
    assert touched.count(("shipments", "by_case_keys")) == 2
    assert ("shipments", "by_case") not in touched


def test_a_review_slot_opens_with_one_conditional_put_and_no_condition_check(harness):
    """Issue 15's lighter writes: each of the counted case's two review slots is opened by a lone PutItem
    conditional on the slot's own item (no transaction with a ConditionCheck on the reviews table), and the
    review closes its slot in its own transaction."""
    from bench import inprocess

    since = len(harness.recorder.calls)
    inprocess.count_requests(harness)
    calls = [c for c in harness.recorder.calls[since:] if c.service == "dynamodb"]
    entries = [(c.op, kind) for c in calls for e in c.params.get("TransactItems", []) for kind in e]
    assert ("TransactWriteItems", "ConditionCheck") not in entries
    opened = [c for c in calls if c.op == "PutItem" and c.params["TableName"].endswith("-review-slots")]
    assert len(opened) == 2 and all("ConditionExpression" in c.params for c in opened)
    closing = [e["Put"]["Item"] for c in calls for e in c.params.get("TransactItems", [])
               if "Put" in e and e["Put"]["TableName"].endswith("-review-slots")]
    assert len(closing) == 1 and "closed_at" in closing[0] and "due_shard" not in closing[0]


def test_a_light_recording_costs_its_writes_after_the_request_and_the_same(harness):
    """Figure 3's light recording: a timed request's write units are worked out when its calls are taken, after
    its timing ends, and come out as the full recording's."""
    import json

    from bench.harness import application, headers

    harness.complete_case(1)  # warm: reference data cached, clients created

    def apply(n: int, light: bool) -> tuple[list[float], list[float]]:
        harness.recorder.light = light
        try:
            since = len(harness.recorder.calls)
            with harness.recorder.labelled("apply"):
                harness.client.http.post("/cases", headers=headers("citizen", f"light-{n}"),
                                         body=json.dumps(application(n)))
            before_take = [c.wru for c in harness.recorder.calls[since:]]
            return before_take, [c.wru for c in harness.recorder.take(since)]
        finally:
            harness.recorder.light = False

    light_before, light_after = apply(2, light=True)
    full_before, full_after = apply(3, light=False)
    assert light_before and all(w == 0.0 for w in light_before)  # nothing worked out inside the request
    assert light_after == full_after == full_before and all(w > 0 for w in full_after)


def test_a_request_is_timed_as_its_handler_ran(harness):
    """The seconds recorded for a request are the Lambda handler's (the app called with API Gateway's event),
    not the local gateway's work of building that event."""
    import time

    from bench.harness import headers

    inner = harness._handler._app
    slow_gateway = harness.client.http._local_gateway.event_converter.create_lambda_event

    def slowly(*args, **kwargs):
        time.sleep(0.25)
        return slow_gateway(*args, **kwargs)

    harness.client.http._local_gateway.event_converter.create_lambda_event = slowly
    try:
        status, _ = harness.http("GET", "/health", headers("citizen", "timed"), function="health")
    finally:
        harness.client.http._local_gateway.event_converter.create_lambda_event = slow_gateway
    assert status == 200
    timed = harness.invocations[-1]
    assert timed.function == "health" and 0 < timed.seconds < 0.25
    assert harness._handler._app is inner


def test_the_warm_figure_times_each_route_and_its_floor_from_evicted_caches(harness):
    """Figure 3: each of the five timed routes of a case is timed once, and the caches are evicted before the
    request and again before its raw replay (the floor), and at no other time."""
    from bench import inprocess
    from bench.harness import TIMED

    harness.complete_case(1)  # warm: reference data cached
    warm = inprocess.warm_overhead(harness, cases=1, warmup=0)

    assert set(warm["per_route"]) == set(TIMED)
    assert all(row["n"] == 1 and row["p50_ms"] > 0 and row["floor_p50_ms"] > 0 for row in warm["per_route"].values())
    assert warm["evictions"] == 2 * len(TIMED)
    assert harness.before_request is None and harness.after_invocation is None and not harness.recorder.light
