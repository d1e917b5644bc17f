"""The statistics snapshot's rules (domain/summaries.py): which year it covers, and which periods it may answer
(only those whose live answer, as of the snapshot's instant, would be the same)."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from chalicelib.domain.summaries import StatsSummary, months_between, window

TAKEN = datetime(2026, 4, 20, 4, 0, tzinfo=UTC)  # 12:00 CST, 20 April 2026
SNAPSHOT = StatsSummary(as_of=TAKEN, months=months_between(*window(TAKEN)),
                        offices={"SZ-GOV": {"2025-05": {"reviews": 2}, "2026-03": {"reviews": 5},
                                            "2026-04": {"reviews": 1}}})
FRESH = timedelta(minutes=10)


@pytest.mark.parametrize(("now", "first", "last"), [
    (TAKEN, date(2025, 5, 1), date(2026, 4, 30)),
    (datetime(2026, 1, 15, tzinfo=UTC), date(2025, 2, 1), date(2026, 1, 31)),  # across the year's end
    (datetime(2026, 11, 30, 16, 30, tzinfo=UTC), date(2026, 1, 1), date(2026, 12, 31)),  # 00:30 CST, 1 December
    (datetime(2028, 3, 1, tzinfo=UTC), date(2027, 4, 1), date(2028, 3, 31)),  # a leap year's February inside
])
def test_the_window_is_the_last_twelve_cst_months(now: datetime, first: date, last: date) -> None:
    assert window(now) == (first, last)
    assert len(months_between(first, last)) == 12


@pytest.mark.parametrize(("first", "last", "answers"), [
    (date(2025, 5, 1), date(2026, 4, 20), True),  # the dashboard's year: to today
    (date(2025, 5, 1), date(2099, 12, 31), True),  # to a far end: nothing is counted ahead of its day
    (date(2026, 3, 1), date(2026, 3, 31), True),  # one whole month
    (date(2026, 2, 1), date(2026, 2, 28), True),
    (date(2026, 4, 1), date(2026, 4, 19), False),  # ends before the snapshot's day, mid-month: days needed
    (date(2026, 3, 1), date(2026, 3, 30), False),
    (date(2026, 3, 2), date(2026, 3, 31), False),  # starts mid-month
    (date(2025, 4, 1), date(2026, 4, 30), False),  # starts before the window
    (date(2024, 2, 1), date(2024, 2, 29), False),
])
def test_a_snapshot_answers_whole_months_of_its_year_only(first: date, last: date, answers: bool) -> None:
    assert SNAPSHOT.answers(first, last, TAKEN + timedelta(minutes=1), FRESH) is answers


def test_a_stale_or_future_snapshot_answers_nothing() -> None:
    first, last = date(2025, 5, 1), date(2026, 4, 30)
    assert SNAPSHOT.answers(first, last, TAKEN + FRESH, FRESH)
    assert not SNAPSHOT.answers(first, last, TAKEN + FRESH + timedelta(seconds=1), FRESH)
    assert not SNAPSHOT.answers(first, last, TAKEN - timedelta(seconds=1), FRESH)  # "later" than now: a skewed clock
    assert not SNAPSHOT.answers(None, last, TAKEN, FRESH) and not SNAPSHOT.answers(first, None, TAKEN, FRESH)


def test_a_snapshot_gives_the_months_of_the_period_per_office() -> None:
    got = SNAPSHOT.monthly_counts_of(["SZ-GOV", "ZH-GOV"], date(2026, 3, 1), date(2026, 4, 30))
    assert got == {"SZ-GOV": {"2026-03": {"reviews": 5}, "2026-04": {"reviews": 1}}, "ZH-GOV": {}}
    assert SNAPSHOT.monthly_counts_of(["SZ-GOV"], date(2025, 5, 1), date(2025, 5, 31)) == {
        "SZ-GOV": {"2025-05": {"reviews": 2}}}
