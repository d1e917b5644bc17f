"""Crash consistency (issue 7, item 4): the process dies (simulated by raising) between a database commit
and the publication of its event, at every such point, once each. The case's whole life must still end in
exactly the state of an undisturbed run — every event delivered once in effect (transactional outbox,
at-least-once relay, idempotent consumers) — with no SMS, leg, ticket or timeline event twice.

The points, in the order an event travels:

1. ``api-create``: POST /cases committed the case (and its idempotency key), the process dies before
   replying; the client retries with the same Idempotency-Key.
2. ``api-commit``: a transition committed (the unit of work's commit: the case and its timeline event,
   which is the step's outbox record, in one transaction), the process dies before replying and before the
   stream relay ran.
3. ``relay-partial``: the relay sent its batch for one queue (tickets, ``case.receive`` in it) but not for
   the others (notifications) and dies; the stream batch is retried.
4. ``relay-before-checkpoint``: the relay sent every event of the batch but died before reporting success
   (the stream checkpoint is its "published" mark); the whole batch is relayed again.
5. ``routing-after-commit``: the router committed the ROUTE change and the materials leg, died before the
   message was deleted.
6. ``courier-after-commit``: the courier-events consumer signed the case in (DELIVERED), died before the
   delete.
7. ``result-leg-after-create``: the router stored the result leg, died before the delete.
8. ``ticket-after-open``: the tickets consumer opened the ticket of a bad review, died before the delete.
9. ``slot-after-put``: the tickets consumer stored a review slot (default-rating deadline), died.
10. ``notification-after-record``: the notifications consumer texted and recorded it, died before the
    delete.
11. ``notification-between-sms-and-record`` (the one accepted window): the SMS went out, the process died
    before recording it; the redelivered message texts again. An SMS has no idempotency key, so this is
    at-least-once by design (a lost SMS is worse than a repeated one); everything stored is still single.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.reliability.reliability_support import (
    DG,
    FULL,
    SZ,
    Driver,
    Plan,
    chalice_client,
    clean_run,
    differences,
    expected_statuses,
    final_statuses,
    fresh_account,
    record_figures,
    sms_sent,
    snapshot,
)

PLAN = Plan(i=0, receiving_city=SZ, handling_city=DG, matter="DG-SI-CERT", method="MAIL", refuse=False,
            approve=True, receiving_rating=1, handling_rating=2, verify_ticket=False)


class Killed(Exception):
    """The process died here (a Lambda timeout, an out-of-memory kill, a lost container)."""


def _kill_once(monkeypatch: pytest.MonkeyPatch, owner: Any, name: str, when: Callable[..., bool] = lambda *a, **k: True,
               before: bool = False) -> dict[str, int]:
    """Replace ``owner.name`` so that the first call matching ``when`` runs (unless ``before``) and then
    dies; every other call runs normally."""
    original = getattr(owner, name)
    state = {"killed": 0}

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if state["killed"] or not when(*args, **kwargs):
            return original(*args, **kwargs)
        state["killed"] += 1
        if before:
            raise Killed(name)
        original(*args, **kwargs)
        raise Killed(name)

    monkeypatch.setattr(owner, name, wrapper)
    return state


def _staged(uow: Any) -> list[tuple[str, Any]]:
    """What a DynamoDB unit of work is about to commit: (operation, item) pairs."""
    return [(w.op, w.item) for w in uow.tx.writes]


def _commits_event(event_type: str) -> Callable[..., bool]:
    """A commit of this event: in the outbox table, or (a case's step) in its timeline event."""
    def match(uow: Any) -> bool:
        return any(type(item).__name__ in ("OutboxRecord", "CaseEventRecord") and item.event_type == event_type
                   for _, item in _staged(uow))
    return match


def _commits(record: str, alone: bool = False) -> Callable[..., bool]:
    def match(uow: Any) -> bool:
        names = [type(item).__name__ for op, item in _staged(uow) if op == "put"]
        return record in names and (not alone or "CaseRecord" not in names)
    return match


def _points() -> dict[str, Callable[[pytest.MonkeyPatch], dict[str, int]]]:
    from chalicelib.adapters import messaging
    from chalicelib.adapters.dynamodb import DynamoUnitOfWork
    from chalicelib.adapters.event_records import payload_of_stream_record
    from chalicelib.services import notifications, outbox_relay

    def relay_partial(queue: str, bodies: list[dict[str, Any]]) -> bool:
        return queue == "tickets" and any(body.get("type") == "case.receive" for body in bodies)

    def commit(when: Callable[..., bool]) -> Callable[[pytest.MonkeyPatch], dict[str, int]]:
        return lambda mp: _kill_once(mp, DynamoUnitOfWork, "commit", when)

    return {
        "api-create": commit(_commits_event("case.apply")),
        "api-commit": commit(_commits_event("case.forward")),
        "relay-partial": lambda mp: _kill_once(mp, messaging, "send_batch", relay_partial),
        "relay-before-checkpoint": lambda mp: _kill_once(
            mp, outbox_relay, "relay_stream_batch",
            lambda records: any(payload_of_stream_record(r) for r in records)),
        "routing-after-commit": commit(_commits_event("case.route")),
        "courier-after-commit": commit(_commits_event("case.sign")),
        "result-leg-after-create": commit(_commits("ShipmentRecord", alone=True)),
        "ticket-after-open": commit(_commits_event("ticket.open")),
        "slot-after-put": commit(_commits("ReviewSlotRecord")),
        "notification-after-record": lambda mp: _kill_once(mp, notifications, "_record_sent"),
        "notification-between-sms-and-record": lambda mp: _kill_once(mp, notifications, "_record_sent",
                                                                     before=True),
    }


POINTS = list(_points())
# CI: every point in one run (each kills once, at its own stage); full: one run per point as well.
SCENARIOS = [POINTS] + ([[p] for p in POINTS] if FULL else [])


@pytest.mark.parametrize("points", SCENARIOS, ids=["all-points", *POINTS][:len(SCENARIOS)])
def test_a_kill_between_commit_and_publication_loses_and_doubles_nothing(points, monkeypatch):
    import app
    from tools.pump import Pump

    reference = clean_run(1, [PLAN], key="crash")
    states = {point: _points()[point](monkeypatch) for point in points}
    with fresh_account(), chalice_client() as client:
        pump = Pump(app, wait_seconds=0)
        driver = Driver(client, settle=lambda: pump.run_until_idle(max_rounds=100))
        driver.run([PLAN])
        monkeypatch.undo()
        assert final_statuses(driver, [PLAN]) == expected_statuses([PLAN])
        stored, sms = snapshot(driver.case_numbers), sms_sent(driver.case_numbers)
    assert [p for p, state in states.items() if state["killed"] != 1] == [], "kill points never reached"
    mismatches = differences(reference.snapshot, stored)
    resent = sum(n - 1 for n in sms.values() if n > 1)
    record_figures("crash", points=points, kills=len(points), mismatches=len(mismatches), sms_resent=resent,
                   api_retries=driver.api_retries)
    assert not mismatches, "\n".join(mismatches[:10])
    assert set(sms) == set(reference.sms)
    assert resent == (1 if "notification-between-sms-and-record" in points else 0), sms
