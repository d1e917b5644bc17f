"""The API tests drive the real app (routes, middleware, authentication, validation, views) through Chalice's
test client. By default the services under it run on the in-memory unit of work and bus (tests/fakes.py,
held to DynamoDB's, SQS's and SNS's behaviour by tests/contract), so a request costs microseconds instead
of the emulator's milliseconds. Tests marked ``emulator`` (a module's ``pytestmark`` or a test's mark) run on
moto as before: each route's wiring to the DynamoDB adapters and the grants recorder (tests/access_recorder.py)
are proven there, and so is whatever reads the tables or queues directly."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


def on_emulator(request: pytest.FixtureRequest) -> bool:
    return request.node.get_closest_marker("emulator") is not None


@pytest.fixture
def client(request: pytest.FixtureRequest) -> Iterator[Any]:
    """Chalice's test client on the real app (see tests/conftest.py ``client``), on moto for tests marked
    ``emulator`` and on the in-memory unit of work otherwise."""
    from chalice.test import Client

    import app

    request.getfixturevalue("aws" if on_emulator(request) else "fake")
    with Client(app.app, stage_name="local") as test_client:
        yield test_client


@pytest.fixture
def pump(request: pytest.FixtureRequest) -> Any:
    """The event pump on the same store as ``client``: tools/pump.py's on moto, tests/fakes.py's in memory."""
    if on_emulator(request):
        import app
        from tools.pump import Pump

        request.getfixturevalue("aws")
        return Pump(app, wait_seconds=0)
    return request.getfixturevalue("fake_pump")
