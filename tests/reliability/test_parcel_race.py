"""A forward racing the sealing of its parcel (合包, issue 16), with real concurrency against the emulator in
server mode: routing messages of forwards handed over before the cut-off arrive while several sealing runs
seal that parcel. Every case lands in exactly one parcel, today's or the next collection's; each parcel is
sealed and booked once; no case is lost from a handover list."""
from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from zoneinfo import ZoneInfo

from tests.reliability.reliability_support import record_figures, size
from tests.reliability.test_races import isolated_dynamodb  # noqa: F401 - the fixture
from tests.review_support import staff_actor
from tests.storage import stored_event
from tests.support import application, service_apply

CST = ZoneInfo("Asia/Shanghai")
CASES = size(16, 120)
SEALERS = 4
TODAY, NEXT = "M-SZ-GOV-DG-GOV-20261201", "M-SZ-GOV-DG-GOV-20261202"


def test_forwards_racing_a_seal_each_land_in_exactly_one_parcel(isolated_dynamodb, consolidated):  # noqa: F811
    from chalicelib.bootstrap import unit_of_work
    from chalicelib.domain.case import Actor
    from chalicelib.services import handling, intake, parcels, routing

    sz = staff_actor("SZ-GOV")
    handed_over = datetime(2026, 12, 1, 15, 58, tzinfo=CST)
    cutoff = datetime(2026, 12, 1, 16, 0, tzinfo=CST)
    messages = []
    for n in range(CASES):
        case, _ = service_apply(Actor(f"race-{n}", "citizen"), application(id_seed=700 + n), now=handed_over)
        intake.receive(sz, case.case_no, [], now=handed_over)
        forwarded = handling.forward(sz, case.case_no, now=handed_over)
        messages.append(stored_event(f"{case.case_no}#{forwarded.version}"))
    # One case is routed before the race, so today's parcel exists and has something to seal.
    routing.handle_routing_event(messages[0])

    barrier = threading.Barrier(len(messages) - 1 + SEALERS)
    sealed: Counter[str] = Counter()
    lock = threading.Lock()

    redelivered = Counter[str]()

    def route(message: dict) -> None:
        barrier.wait()
        for _ in range(20):  # a message whose handler raised (lost every race it retried) comes back, as on SQS
            try:
                routing.handle_routing_event(message)
                return
            except Exception:
                with lock:
                    redelivered["routing"] += 1
        raise AssertionError("a forward was never routed")

    def seal() -> None:
        barrier.wait()
        for _ in range(3):
            counts = parcels.seal_due(cutoff)
            with lock:
                sealed.update(counts)

    with ThreadPoolExecutor(max_workers=len(messages) - 1 + SEALERS) as pool:
        futures = [pool.submit(route, m) for m in messages[1:]] + [pool.submit(seal) for _ in range(SEALERS)]
        for f in futures:
            f.result()

    uow = unit_of_work()
    today, tomorrow = uow.parcels.get(TODAY), uow.parcels.find(NEXT)
    lists = {TODAY: today.case_nos, NEXT: tomorrow.case_nos if tomorrow else []}
    every = [c for ids in lists.values() for c in ids]
    case_nos = [m["case_no"] for m in messages]
    assert sorted(every) == sorted(case_nos)  # each case on exactly one handover list, none lost
    for case_no in case_nos:
        case = uow.cases.get(case_no)
        assert len(case.parcels) == 1 and case_no in lists[case.parcels[0]]
    assert today.status.value == "SEALED" and sealed["parcels_sealed"] == 1  # sealed once, by one run
    legs = [leg for leg in (uow.legs.find(today.waybill or ""),) if leg]
    assert len(legs) == 1 and legs[0].parcel_id == TODAY
    # The next collection seals the latecomers, once.
    assert parcels.seal_due(datetime(2026, 12, 2, 16, 0, tzinfo=CST))["parcels_sealed"] == (1 if lists[NEXT] else 0)
    assert parcels.seal_due(datetime(2026, 12, 2, 16, 5, tzinfo=CST))["parcels_sealed"] == 0
    record_figures("parcel_race", cases=CASES, sealers=SEALERS, today=len(lists[TODAY]), next=len(lists[NEXT]),
                   redelivered=redelivered["routing"])
