"""Each function's handlers, driven as Lambda runs them (routes, the outbox stream, every queue, the
schedule), make only AWS calls their function is granted (chalicelib/grants.py; the roles in the templates
are made from it). The whole test run is checked the same way (tests/conftest.py); this test makes sure
every function, the scheduled sweep included, is exercised at least once.

On moto (``client``, ``pump``): what is checked is the AWS calls themselves, which the in-memory fakes never
make."""
from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.domain.workdays import utcnow
from chalicelib.grants import GRANTS, allows
from tests.access_recorder import AccessRecorder
from tests.shipping_support import deliver, forward_and_route, legs_of
from tests.support import received_case


@pytest.fixture
def recorder():
    """A recorder of this test's calls only (the session's own keeps recording underneath)."""
    fresh = AccessRecorder()
    fresh.install()
    yield fresh
    fresh.uninstall()


def test_every_function_calls_only_what_it_is_granted(client, pump, recorder, monkeypatch):
    case = received_case(client)
    forward_and_route(client, pump, case["case_no"], "SZ-GOV")
    [leg] = legs_of(client, case["case_no"])
    deliver(client, pump, leg["waybill"])
    pump.run_until_idle()
    # The sweep, a week later: overdue cases, legs, default ratings and tickets.
    later = utcnow() + timedelta(days=30)
    monkeypatch.setattr("chalicelib.services.sweeper.utcnow", lambda: later)
    pump.tick()
    pump.run_until_idle()
    made = recorder.calls
    exercised = {f for f, calls in made.items() if calls}
    assert {"APIHandler", "RelayCaseEvents", "RouteParcels", "ApplyCourierEvents", "SendNotifications",
            "Sweep"} <= exercised
    assert exercised <= set(GRANTS)
    denied = [(f, *c) for f, calls in made.items() for c in calls if not allows(f, *c)]
    assert not denied
    assert ("dynamodb", "Scan") not in {(s, a) for calls in made.values() for s, a, _ in calls}
