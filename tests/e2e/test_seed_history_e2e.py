"""`make run`'s history (tools/seed_history.py), made through the services in the local stack as started by
`make run`: the cases end up completed, their reviews count in the statistics of past months, the
demo citizens' own lists stay empty, the courier starts after, and no personal data reaches the output."""
from __future__ import annotations

import os
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
import requests

from tools.console_server import issue_token
from tools.local_stack import spawned

pytestmark = pytest.mark.e2e


def test_the_history_is_made_through_the_services_and_fills_past_months(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_ENDPOINT_URL")}
    env.update(RESOURCE_PREFIX="kc-local", PYTHONUNBUFFERED="1")
    log = tmp_path / "stack.log"
    with spawned(log, env, "--sweep-seconds", "1", "--courier-delay", "0.2", "--seed-history", "12") as api:
        deadline = time.monotonic() + 300
        while "Courier simulation started." not in log.read_text("utf-8", errors="replace"):
            assert time.monotonic() < deadline, "the history was not seeded in time"
            time.sleep(0.5)
        text = log.read_text("utf-8", errors="replace")
        assert "History seeded: 12 cases (12 completed)" in text, text[-2000:]

        def get(path: str, who: str) -> dict:  # type: ignore[type-arg]
            token = issue_token(who)
            assert token is not None
            r = requests.get(api + path, timeout=20, headers={"Authorization": f"Bearer {token[0]}"})
            assert r.status_code == 200, r.text
            return r.json()  # type: ignore[no-any-return]

        today = date.today()
        stats = get(f"/stats/reviews?group=month&from={today - timedelta(days=364)}&to={today}", "supervisor-440000")
        months = [m for m in stats["months"] if m["reviews"]]
        assert stats["reviews"] >= 12 and len(months) >= 3, stats  # spread over the year, not all today
        assert get("/me/cases", "citizen-alice")["items"] == []  # made-up applicants, not the demo citizens
    # Their identity and mobile numbers never reach the stack's output in clear.
    from chalicelib.domain.identity import ID_NUMBER_PATTERN, MOBILE_PATTERN

    lines = log.read_text("utf-8", errors="replace").splitlines()
    assert not [ln for ln in lines if ID_NUMBER_PATTERN.search(ln) or MOBILE_PATTERN.search(ln)]

