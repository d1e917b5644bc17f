"""The statistics snapshot (services/review_stats.refresh_snapshot, every 5 minutes in the cloud), on the
in-memory unit of work: the dashboard's trend answered from it equals the live answer as of the snapshot, for
every scope; a change made after it reaches the contract's figures at once and the trend at the next snapshot;
a stale snapshot, or a period it cannot answer, is read live; a slower run never replaces a newer snapshot."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from chalicelib.adapters.reference_store import catalogue
from chalicelib.domain.workdays import iso
from chalicelib.services import review_stats
from tests.review_support import T0, citizen_actor, completed, supervisor_actor
from tests.support import submit_review

NOW = T0 + timedelta(days=40)  # 2026-04-11 10:00 CST: the window is May 2025 to April 2026
YEAR = ("2025-05-01", "2026-04-11")
PROVINCE, SZ = supervisor_actor("440000"), supervisor_actor("440300")
SCOPES = [(PROVINCE, None, None), (PROVINCE, "441900", None), (SZ, None, None), (SZ, "440300", "SZ-NS")]


def _review(n: int, at: datetime, rating: int) -> None:
    case = completed(f"c{n}", at, office_id="SZ-NS" if n % 2 else "SZ-GOV")
    for stage, stars in (("receiving", rating), ("handling", 6 - rating)):
        why = {"tags": ["态度差"], "comment": "窗口人员不耐烦"} if stars <= 2 else {}
        submit_review(citizen_actor(f"c{n}"), case.case_no, {"stage": stage, "rating": stars, **why}, now=at)


def _trend(actor: Any, city: str | None, office: str | None, first: str = YEAR[0]) -> dict[str, Any]:
    return review_stats.review_stats(actor, city, office, first, YEAR[1], "month")


def _without_as_of(answer: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in answer.items() if k != "as_of"}


@pytest.fixture
def clock(fake: Any, monkeypatch: pytest.MonkeyPatch) -> list[datetime]:
    now = [NOW]
    monkeypatch.setattr(review_stats, "utcnow", lambda: now[0])
    for n in range(6):
        _review(n, T0 + timedelta(days=3 * n), 1 + n % 5)
    return now


def test_the_trend_from_the_snapshot_is_the_live_answer_as_of_the_snapshot(clock: list[datetime]) -> None:
    live = [_trend(*scope) for scope in SCOPES]
    assert all(answer["as_of"] == iso(NOW) for answer in live)
    assert review_stats.refresh_snapshot(NOW - timedelta(minutes=3)) == {"offices": len(catalogue().offices),
                                                                        "stored": 1}
    for scope, expected in zip(SCOPES, live, strict=True):
        answer = _trend(*scope)
        assert answer["as_of"] == iso(NOW - timedelta(minutes=3)), scope
        assert _without_as_of(answer) == _without_as_of(expected), scope
    assert live[0]["reviews"] == 12 and len(live[0]["months"]) == 12


def test_a_change_after_the_snapshot_counts_live_at_once_and_in_the_trend_at_the_next(clock: list[datetime]) -> None:
    review_stats.refresh_snapshot(NOW - timedelta(minutes=1))
    _review(99, NOW - timedelta(seconds=30), 1)
    assert _trend(PROVINCE, None, None)["reviews"] == 12  # the snapshot's trend: as of a minute ago
    assert review_stats.review_stats(PROVINCE, None, None, *YEAR)["reviews"] == 14  # the contract's figures: live
    assert _trend(PROVINCE, None, None, first="2025-05-02")["reviews"] == 14  # a period it cannot answer: live
    review_stats.refresh_snapshot(NOW)
    assert _trend(PROVINCE, None, None)["reviews"] == 14


def test_a_stale_snapshot_is_not_used_and_an_older_run_keeps_the_newer(clock: list[datetime]) -> None:
    review_stats.refresh_snapshot(NOW - timedelta(minutes=2))
    _review(99, NOW - timedelta(minutes=1), 1)
    assert review_stats.refresh_snapshot(NOW - timedelta(minutes=5)) == {"offices": len(catalogue().offices),
                                                                        "stored": 0}
    assert _trend(PROVINCE, None, None)["as_of"] == iso(NOW - timedelta(minutes=2))
    clock[0] = NOW + timedelta(minutes=9)  # older than 10 minutes (STATS_SNAPSHOT_MAX_AGE): read live
    answer = _trend(PROVINCE, None, None)
    assert answer["as_of"] == iso(clock[0]) and answer["reviews"] == 14
