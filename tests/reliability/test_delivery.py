"""At-least-once delivery (issue 7, item 2): a mix of cases driven through their whole life — apply,
receive, forward, routing, courier delivery, acceptance, decision, result shipment, courier delivery or
pickup, completion, reviews and the tickets of bad ones — once with a clean in-order pump and once with
the pump in chaos mode (every queue message delivered 1-3 times in random order, outbox stream records
duplicated and shuffled). Everything stored at the end must be the same, and no SMS, shipment or ticket
may exist twice."""
from __future__ import annotations

import os
import random
from collections import Counter

from tests.reliability.reliability_support import (
    Driver,
    chalice_client,
    clean_run,
    differences,
    expected_statuses,
    final_statuses,
    fresh_account,
    plans,
    record_figures,
    size,
    sms_sent,
    snapshot,
)
from tools import dlq

CASES = size(10, 1000)
# The emulator copies every table a transaction touches, so one run slows with the square of its size: the
# full size runs in batches, each in a fresh emulated account (a batch of cases has no state in common with
# another, so nothing is lost by splitting).
BATCH = 20
# RELIABILITY_SHARD=k/n runs only every n-th batch from the k-th (0-based): n processes share a soak.
SHARD, SHARDS = (int(x) for x in os.environ.get("RELIABILITY_SHARD", "0/1").split("/"))


def test_duplicated_shuffled_delivery_leaves_the_state_of_a_clean_run():
    totals: Counter[str] = Counter()
    batches = [(b, min(BATCH, CASES - start)) for b, start in enumerate(range(0, CASES, BATCH))
               if b % SHARDS == SHARD]
    for batch, n in batches:
        figures = _chaos_against_clean(n, seed=2026 + batch, chaos_seed=7 + batch)
        totals.update(figures)
    record_figures("delivery", cases=sum(n for _, n in batches), batches=len(batches),
                   shard=f"{SHARD}/{SHARDS}", **totals)


def _chaos_against_clean(n: int, seed: int, chaos_seed: int) -> Counter[str]:
    """One batch: ``n`` cases once with the clean pump and once with the chaos pump; equal final states."""
    import app
    from tools.pump import Pump

    todo = plans(n, seed=seed)
    reference = clean_run(n, todo=todo, key=f"seed{seed}")
    clean, clean_sms = reference.snapshot, reference.sms
    with fresh_account(), chalice_client() as client:
        pump = Pump(app, wait_seconds=0, chaos=random.Random(chaos_seed))
        driver = Driver(client, settle=lambda: pump.run_until_idle(max_rounds=1000))
        driver.run(todo)
        assert final_statuses(driver, todo) == expected_statuses(todo)
        chaotic, chaos_sms = snapshot(driver.case_numbers), sms_sent(driver.case_numbers)
        dead = sum(r["messages"] + r["in_flight"] for r in dlq.list_dlqs())

    assert pump.stats.get("chaos:duplicates", 0) > n  # the chaos really happened
    assert pump.stats.get("chaos:stream_duplicates", 0) > n
    mismatches = differences(clean, chaotic)
    # One SMS per case event: none twice, none missing, the same texts as in the clean run.
    twice = {k: c for k, c in chaos_sms.items() if c > 1}
    sms_mismatch = set(clean_sms) ^ set(chaos_sms)
    assert dead == 0  # nothing dead-lettered: duplicates are no-ops, not failures
    assert not mismatches, "\n".join(mismatches[:10])
    assert not twice and not sms_mismatch, (list(twice.items())[:5], sorted(sms_mismatch)[:5])
    assert len(chaotic["tickets"]) == sum(1 for p in todo for r in
                                          ([p.receiving_rating] + ([] if p.refuse else [p.handling_rating]))
                                          if r <= 2)
    return Counter(
        queue_duplicates=pump.stats.get("chaos:duplicates", 0), requeued=pump.stats.get("chaos:requeued", 0),
        stream_duplicates=pump.stats.get("chaos:stream_duplicates", 0), sms=sum(chaos_sms.values()),
        shipments=len(chaotic["shipments"]), tickets=len(chaotic["tickets"]),
        mismatches=len(mismatches) + len(sms_mismatch), duplicated_sms=len(twice), dead_lettered=dead,
    )


def test_a_notification_arriving_three_times_texts_once(client, pump):
    """The same event three times on the notifications queue — twice in one batch, once in a later one —
    sends one SMS and keeps one record."""
    import json

    import boto3

    import app
    from chalicelib.adapters import messaging
    from chalicelib.services.notifications import sent_for
    from tests.support import received_case
    from tools.pump import sqs_event

    case = received_case(client)
    pump.run_until_idle()
    [event] = [r for r in _outbox_events(case["case_no"]) if r["type"] == "case.receive"]
    before = sum(sms_sent([case["case_no"]]).values())
    message = {"MessageId": "m1", "ReceiptHandle": "r1", "Body": json.dumps(event, ensure_ascii=False)}
    twice = sqs_event([message, {**message, "MessageId": "m2"}], "arn:aws:sqs:us-east-1:000000000000:n", "us-east-1")
    assert app.send_notifications(twice, None) == {"batchItemFailures": []}
    messaging.send("notifications", event)
    pump.run_until_idle()
    assert sum(sms_sent([case["case_no"]]).values()) == before  # the pump had texted it already
    assert [n["event_type"] for n in sent_for(case["case_no"])].count("case.receive") == 1
    sqs = boto3.client("sqs", region_name="us-east-1")
    for logical in messaging.QUEUES:
        dlq_url = sqs.get_queue_url(QueueName=f"kc-test-{logical}-dlq")["QueueUrl"]
        assert "Messages" not in sqs.receive_message(QueueUrl=dlq_url)


def _outbox_events(case_no: str) -> list[dict]:
    from tests.storage import case_steps

    return case_steps(case_no)
