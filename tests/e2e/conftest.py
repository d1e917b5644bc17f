"""Starts the local stack exactly as `make run` does (a subprocess on free ports) for tests over real HTTP."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tools.local_stack import free_port

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def local_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    log_path = tmp_path_factory.mktemp("stack") / "local_stack.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_ENDPOINT_URL")}
    env.update(RESOURCE_PREFIX="kc-local", PYTHONUNBUFFERED="1")
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "tools.local_stack", "--port", str(port), "--sweep-seconds", "1",
             "--courier-delay", "0.2"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"local stack exited:\n{log_path.read_text(errors='replace')[-3000:]}")
            try:
                if requests.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("local stack did not answer /health within 90 s")
            time.sleep(0.2)
        os.environ["E2E_STACK_LOG"] = str(log_path)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
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
