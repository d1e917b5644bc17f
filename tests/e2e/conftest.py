"""Starts the local stack exactly as `make run` does (a subprocess on free ports) for tests over real HTTP."""
from __future__ import annotations

import os
import time
from collections.abc import Iterator

import pytest

from tools.local_stack import spawned


@pytest.fixture(scope="session")
def local_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log_path = tmp_path_factory.mktemp("stack") / "local_stack.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_ENDPOINT_URL")}
    env.update(RESOURCE_PREFIX="kc-local", PYTHONUNBUFFERED="1")
    with spawned(log_path, env, "--sweep-seconds", "1", "--courier-delay", "0.2") as base:
        os.environ["E2E_STACK_LOG"] = str(log_path)
        yield base
    # The stack's whole output (API, pump, courier, moto) carries no identity number or mobile number in clear.
    from chalicelib.domain.identity import ID_NUMBER_PATTERN, MOBILE_PATTERN

    lines = log_path.read_text(errors="replace").splitlines()
    leaks = [ln[:300] for ln in lines if ID_NUMBER_PATTERN.search(ln) or MOBILE_PATTERN.search(ln)]
    assert not leaks, f"personal data in clear in {len(leaks)} of {len(lines)} lines of the stack's output: {leaks[:3]}"


def wait_for(predicate, timeout: float = 30.0, interval: float = 0.2):  # type: ignore[no-untyped-def]
    """Poll until ``predicate()`` returns something truthy; returns it or fails after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(interval)
