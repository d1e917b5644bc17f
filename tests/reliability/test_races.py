"""Races (issue 7, item 5), with real concurrency: threads against the emulator in server mode (the
``aws_server`` fixture; in-process moto is not thread-safe).

- Many concurrent transitions on one case (receive, forward, decide, ...): exactly one winner per step,
  every loser gets 409, the timeline has each step once, nothing is lost.
- Many parallel applications: no case number twice, no case overwritten, every application answered.
- Concurrent ticket steps by several supervisors (verify, rectify, feedback): one winner per step.
"""
from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from chalicelib.api.http import STATUS_OF
from chalicelib.domain.errors import DomainError
from tests.reliability.reliability_support import record_figures, size
from tests.review_support import citizen_actor, staff_actor, supervisor_actor
from tests.support import application, service_apply, submit_review

THREADS = 16
APPLICATIONS = size(100, 1000)


@pytest.fixture
def isolated_dynamodb(aws_server: str) -> str:
    """The emulator server with DynamoDB's isolation, as ``make run`` has it: tools/emulator.harden() (one
    DynamoDB request at a time, and no rollback that swallows another request's write), installed by
    tests/conftest.py exactly as tools/local_stack.py installs it. Requests still interleave freely between
    each other, which is what races are about."""
    from tools import emulator

    assert emulator.hardened()
    return aws_server


def _status(call: Callable[[], Any]) -> int:
    """What the API would answer: 200, or the status of the domain error (anything else is a 500)."""
    try:
        call()
    except DomainError as err:
        return next((s for cls, s in STATUS_OF if isinstance(err, cls)), 400)
    except Exception:
        return 500
    return 200


def _race(calls: list[Callable[[], Any]]) -> Counter[int]:
    """Run the calls at once (released together by a barrier) and count the statuses."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], Any]) -> int:
        barrier.wait()
        return _status(call)

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return Counter(pool.map(run, calls))


def test_concurrent_transitions_on_one_case_have_one_winner(isolated_dynamodb):
    import app
    from chalicelib.services import handling, intake
    from tests.storage import Cases
    from tools.pump import Pump

    repo = Cases()
    sz, dg = staff_actor("SZ-GOV"), staff_actor("DG-GOV")
    case, _ = service_apply(citizen_actor("racer"), application(matter_id="DG-SI-CERT", office_id="SZ-GOV",
                                                               method="PICKUP_HANDLING"))
    no = case.case_no
    steps: list[tuple[str, Callable[[int], Callable[[], Any]]]] = [
        ("receive", lambda i: lambda: intake.receive(sz, no, [], f"window {i}")),
        ("forward", lambda i: lambda: handling.forward(sz, no, f"forward {i}")),
        ("sign", lambda i: lambda: handling.sign(dg, no, f"sign {i}")),
        ("decide", lambda i: lambda: handling.decide(dg, no, i % 2 == 0, f"decision {i}")),
        ("ship_result", lambda i: lambda: handling.ship_result(dg, no)),
        ("pickup", lambda i: lambda: handling.pickup(dg, no)),
    ]
    outcomes = {}
    for name, make in steps:
        outcome = _race([make(i) for i in range(THREADS)])
        outcomes[name] = dict(outcome)
        assert outcome == Counter({200: 1, 409: THREADS - 1}), (name, outcome)
        if name == "forward":
            Pump(app, wait_seconds=0).run_until_idle()  # the router picks the handling office
    # The timeline has each step once; the case is at the version of its number of changes.
    actions = [e["action"] for e in repo.timeline(no)]
    assert actions == ["apply", "receive", "forward", "route", "sign", "decide", "ship_result", "pickup"], actions
    final = repo.get(no)
    assert final.status.value == "COMPLETED" and final.version == len(actions)
    record_figures("races-transitions", threads=THREADS, steps=len(steps), races=len(steps) * THREADS,
                   winners=len(steps), outcomes=outcomes)


def test_parallel_applications_never_share_or_overwrite_a_case(isolated_dynamodb):
    from chalicelib.adapters.models import CaseRecord

    def apply(i: int) -> tuple[str, str]:
        case, created = service_apply(citizen_actor(f"applicant-{i}"),
                                     application(id_seed=i, office_id=("SZ-GOV", "ZH-GOV")[i % 2]))
        assert created
        return case.case_no, case.applicant.sub

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        results = list(pool.map(apply, range(APPLICATIONS)))
    numbers = [no for no, _ in results]
    duplicates = [no for no, n in Counter(numbers).items() if n > 1]
    stored = {r.case_no: r.applicant_sub for r in CaseRecord.scan()}
    record_figures("races-applications", applications=APPLICATIONS, threads=THREADS,
                   duplicate_numbers=len(duplicates), stored=len(stored))
    assert not duplicates
    assert len(stored) == APPLICATIONS
    assert all(stored[no] == sub for no, sub in results)  # nobody's case was overwritten by another


def test_concurrent_ticket_steps_have_one_winner(isolated_dynamodb):
    import app
    from chalicelib.domain.workdays import utcnow
    from chalicelib.services import tickets
    from tests.review_support import received
    from tools.pump import Pump

    case = received(at=utcnow())
    submit_review(citizen_actor(), case.case_no, {"stage": "receiving", "rating": 1, "tags": ["态度差"],
                                                    "comment": "窗口人员不耐烦"})
    Pump(app, wait_seconds=0).run_until_idle()
    from chalicelib.domain.reviews import Stage
    from tests.storage import Reviews

    review = Reviews().get_review(case.case_no, Stage.RECEIVING)
    assert review is not None and review.ticket_id
    ticket_id = review.ticket_id  # opaque: the review names it
    supervisors = [supervisor_actor("440300"), supervisor_actor("440000")] * (THREADS // 2)
    steps = [
        ("verify", lambda who, i: lambda: tickets.verify(who, ticket_id, True, f"核实 {i}")),
        ("rectify", lambda who, i: lambda: tickets.rectify(who, ticket_id, f"整改 {i}")),
        ("feedback", lambda who, i: lambda: tickets.feedback(who, ticket_id, True, True, f"回访 {i}")),
    ]
    outcomes = {}
    for name, make in steps:
        outcome = _race([make(who, i) for i, who in enumerate(supervisors)])
        outcomes[name] = dict(outcome)
        assert outcome == Counter({200: 1, 409: THREADS - 1}), (name, outcome)
    store = Reviews()
    assert [e["action"] for e in store.history(ticket_id)] == ["open", "verify", "rectify", "feedback"]
    assert store.get_ticket(ticket_id).status.value == "CLOSED"
    counts = store.counts("SZ-GOV", None, None)
    assert counts["replied"] == 1, counts
    record_figures("races-tickets", threads=THREADS, steps=len(steps), races=len(steps) * THREADS,
                   outcomes=outcomes)


def test_a_case_number_handed_out_twice_is_never_overwritten(aws):
    """The emulator's UpdateItem ADD is not atomic under concurrency (DynamoDB's is), so a daily counter
    (its block, Counters.take) may hand a number out twice. The conditional insert refuses to overwrite the
    first case, and the application draws the next number instead of failing the applicant."""
    from chalicelib.adapters.dynamodb import DynamoCounters
    from tests.storage import Cases

    first, _ = service_apply(citizen_actor("first"), application(id_seed=1))
    real = DynamoCounters.take
    handed: list[int] = []

    def stale_then_real(self: Any, counter_id: str, block: int) -> int:
        seq = 1 if not handed else real(self, counter_id, block)  # first call: the number the first case has
        handed.append(seq)
        return seq

    DynamoCounters.take = stale_then_real  # type: ignore[method-assign]
    try:
        second, created = service_apply(citizen_actor("second"), application(id_seed=2))
    finally:
        DynamoCounters.take = real  # type: ignore[method-assign]
    assert created and handed[0] == 1 and second.case_no != first.case_no
    repo = Cases()
    assert repo.get(first.case_no).applicant.sub == "first"
    assert repo.get(second.case_no).applicant.sub == "second"
    assert [e["action"] for e in repo.timeline(first.case_no)] == ["apply"]
