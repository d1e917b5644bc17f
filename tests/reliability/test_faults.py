"""Injected faults (issue 7, item 3): throttling, 500s, timeouts and lost replies on a share of the
application's DynamoDB, SQS and SNS calls (tools/faults.py). Cases driven over the API (a client that
retries 5xx, with its Idempotency-Key for apply) and the queues (redelivery retries the handlers) all
reach the same final state as a clean run; nothing is lost or duplicated. Poison messages end in the DLQ
after maxReceiveCount, and the operator CLI (tools/dlq.py) lists, shows (masked), redrives and purges."""
from __future__ import annotations

import io
import json
import re
from collections import Counter
from typing import Any

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
from tools.faults import FaultInjector

CASES = size(6, 18)
RATE = 0.1


def _settle(pump: Any, figures: dict[str, int]) -> None:
    """Drain the stream and queues; what dead-lettered meanwhile is redriven by the operator (tools/dlq),
    until the queues and the DLQs are empty."""
    from chalicelib.adapters import messaging

    for _ in range(20):
        pump.run_until_idle(max_rounds=1000)
        moved = sum(dlq.redrive(q)["moved"] for q in messaging.QUEUES)
        figures["redriven"] = figures.get("redriven", 0) + moved
        if not moved:
            return
    raise AssertionError("the queues never settled")


def _warm_lookups() -> None:
    """Queue URLs and topic ARNs are looked up once per process (cached), in Lambda at cold start; the
    pump shares that cache, and the pump itself (the event source mapping) must not see the faults."""
    from chalicelib.adapters import messaging

    for logical in messaging.QUEUES:
        messaging.queue_url(logical)
    for topic in messaging.TOPICS:
        messaging.topic_arn(topic)


def _drive_under_faults(injector: FaultInjector, todo: list[Any]) -> tuple[Driver, Any, dict[str, int], Any, Any]:
    import app
    from tools.pump import Pump

    figures: dict[str, int] = {}
    with chalice_client() as client:
        pump = Pump(app, wait_seconds=0)
        driver = Driver(client, settle=lambda: _settle(pump, figures))
        _warm_lookups()
        with injector.attached():
            driver.run(todo)
            with injector.paused():
                assert final_statuses(driver, todo) == expected_statuses(todo)
                stored, sms = snapshot(driver.case_numbers), sms_sent(driver.case_numbers)
    return driver, pump, figures, stored, sms


def test_faults_reach_the_application():
    """10% of calls fail where the application sees them (under botocore's retries), in-process emulator."""
    reference = clean_run(CASES)
    injector = FaultInjector(rate=RATE, seed=11, layer="call")
    with fresh_account():
        result = _drive_under_faults(injector, plans(CASES))
    _check("faults-call", reference, injector, *result)


def test_faults_under_sdk_retries(aws_server, monkeypatch):
    """30% of HTTP attempts fail below botocore's retry handler (as in production, where the SDK retries
    throttling and 5xx first), against the emulator over loopback so that a failed attempt is never
    applied (in process, the emulator is itself a before-send hook and would apply it)."""
    from botocore.retries.standard import ExponentialBackoff

    monkeypatch.setattr(ExponentialBackoff, "delay_amount", lambda self, context: 0)  # retry now, not later
    reference = clean_run(CASES)
    injector = FaultInjector(rate=3 * RATE, seed=12, layer="send")
    result = _drive_under_faults(injector, plans(CASES))
    _check("faults-send", reference, injector, *result)


def _check(name: str, reference: Any, injector: FaultInjector, driver: Driver, pump: Any, figures: dict[str, int],
           stored: dict[str, list[str]], sms: Counter[str]) -> None:
    alias = {no: f"<case{i}>" for i, no in enumerate(driver.case_numbers)}
    mismatches = differences(reference.snapshot, stored)
    twice = {text: n for text, n in sms.items() if n > 1}
    # The one accepted source of a second SMS: its publish went through but the reply was lost.
    lost = Counter(re.sub(r"KC\d{19,}", lambda m: alias.get(m.group(0), "?"), t) for t in injector.lost_sms())
    unexplained = {text: n for text, n in twice.items() if n - 1 > lost[text]}
    record_figures(name, cases=CASES, rate=injector.rate, calls=sum(injector.calls.values()),
                   faults=dict(injector.counts), api_retries=driver.api_retries,
                   queue_failures=sum(v for k, v in pump.stats.items() if k.endswith(":failed")),
                   redriven=figures.get("redriven", 0), mismatches=len(mismatches),
                   sms_resent_after_lost_reply=len(twice),
                   duplicated_sms=len(unexplained),
                   lost_sms=len(set(reference.sms) - set(sms)))
    assert injector.counts["total"] > 0
    assert not mismatches, "\n".join(mismatches[:10])
    assert not unexplained, list(unexplained.items())[:5]
    assert set(sms) == set(reference.sms)


def test_poison_message_lands_in_the_dlq_and_the_operator_cli_handles_it(aws, pump, capsys):
    """An unparseable routing message and one for a case that does not exist fail every receive: after
    maxReceiveCount they sit in the DLQ; the CLI lists them, shows them with personal data masked,
    redrives them (they fail again and come back) and purges them only with --yes."""
    import boto3

    from chalicelib.adapters import messaging
    from tests.support import resident_id

    sqs = boto3.client("sqs", region_name="us-east-1")
    id_number = resident_id(5)
    sqs.send_message(QueueUrl=messaging.queue_url("routing"), MessageBody="{not json " + id_number)
    messaging.send("routing", {"type": "case.forward", "case_no": "KC4403002026010100001", "version": 3,
                               "note": f"applicant 13912345678 {id_number}"})
    pump.run_until_idle()
    spec = messaging.QUEUES["routing"]
    assert pump.stats["routing:failed"] == 2 * spec.max_receive_count

    def cli(*args: str) -> tuple[int, str]:
        out = io.StringIO()
        code = dlq.main(list(args), out=out)
        return code, out.getvalue()

    code, listed = cli("--json", "list")
    rows = {r["dlq"]: r for r in json.loads(listed)}
    assert code == 0 and rows["kc-test-routing-dlq"]["messages"] == 2 and rows["kc-test-tickets-dlq"]["messages"] == 0
    code, text = cli("list")
    assert "kc-test-routing-dlq" in text and "kc-test-routing" in text

    code, shown = cli("--json", "show", "routing", "--limit", "5")
    messages = json.loads(shown)
    assert code == 0 and len(messages) == 2
    assert all(m["receive_count"] >= 1 and m["message_id"] for m in messages)
    bodies = " ".join(m["body"] for m in messages)
    assert id_number not in bodies and "13912345678" not in bodies
    assert id_number[:4] + "*" * 10 + id_number[-4:] in bodies and "139****5678" in bodies
    code, text = cli("show", "routing-dlq")
    assert code == 0 and "2 message(s)" in text and id_number not in text
    assert dlq.list_dlqs()[0]["messages"] == 2  # showing hides nothing

    code, text = cli("redrive", "routing", "--limit", "1")
    assert code == 0 and "moved 1 message(s)" in text
    assert [r["messages"] for r in dlq.list_dlqs() if r["dlq"] == "kc-test-routing-dlq"] == [1]
    pump.run_until_idle()  # still poison: back in the DLQ after maxReceiveCount
    assert [r["messages"] for r in dlq.list_dlqs() if r["dlq"] == "kc-test-routing-dlq"] == [2]

    assert cli("purge", "routing")[0] == 2
    assert "--yes" in capsys.readouterr().err
    assert cli("show", "nothing")[0] == 2
    code, text = cli("purge", "routing", "--yes")
    assert code == 0 and "purged kc-test-routing-dlq" in text
    assert [r["messages"] for r in dlq.list_dlqs() if r["dlq"] == "kc-test-routing-dlq"] == [0]


def test_redrive_keeps_a_message_whose_send_failed(aws):
    """Redrive deletes from the DLQ only after the source queue accepted the copy."""
    import boto3

    from chalicelib.adapters import messaging

    sqs = boto3.client("sqs", region_name="us-east-1")
    dlq_url = sqs.get_queue_url(QueueName="kc-test-notifications-dlq")["QueueUrl"]
    for n in range(3):
        sqs.send_message(QueueUrl=dlq_url, MessageBody=json.dumps({"n": n}))
    injector = FaultInjector(rate=1.0, seed=1, kinds=["server"], services=["sqs"], operations=["SendMessage"])
    injector.attach(sqs)
    try:
        assert dlq.redrive("notifications", sqs=sqs) == {"moved": 0, "failed": 3}
    finally:
        injector.detach()
    assert dlq.redrive("notifications", sqs=sqs) == {"moved": 3, "failed": 0}
    source = sqs.receive_message(QueueUrl=messaging.queue_url("notifications"), MaxNumberOfMessages=10)
    assert sorted(json.loads(m["Body"])["n"] for m in source["Messages"]) == [0, 1, 2]
