"""The review counters' roll-up rules (domain/rollups.py): which levels a change is added to, which level answers
a scope, and which whole months of a period a roll-up can answer."""
from __future__ import annotations

from datetime import date

import pytest

from chalicelib.domain.rollups import city, level_for, levels_of, province, whole_months


def test_a_change_is_added_to_its_city_and_the_province():
    assert levels_of("440300") == (city("440300"), province())
    assert [lv.name for lv in levels_of("441900")] == ["city:441900", "province:440000"]


def test_the_coarsest_level_that_answers_a_scope():
    assert level_for(None, None) == province()
    assert level_for("440300", None) == city("440300")
    assert level_for("440300", "SZ-GOV") is None  # one office: its own counters answer it


def test_level_names_never_look_like_an_office_id():
    assert all(":" in lv.name for lv in (province(), city("440300")))


@pytest.mark.parametrize(("first", "last", "complete_from", "months"), [
    (date(2026, 1, 1), date(2026, 12, 31), "", [f"2026-{m:02d}" for m in range(1, 13)]),
    (date(2025, 12, 1), date(2026, 12, 1), "", ["2025-12"] + [f"2026-{m:02d}" for m in range(1, 12)]),
    (date(2026, 3, 2), date(2026, 5, 30), "", ["2026-04"]),  # partial months at both ends: their days
    (date(2026, 3, 1), date(2026, 3, 31), "", ["2026-03"]),
    (date(2026, 3, 1), date(2026, 3, 30), "", []),
    (date(2026, 2, 1), date(2026, 2, 28), "", ["2026-02"]),  # February's end
    (date(2024, 2, 1), date(2024, 2, 28), "", []),  # a leap year's February ends on the 29th
    (date(2026, 3, 15), date(2026, 3, 20), "", []),
    (date(2025, 11, 1), date(2026, 2, 28), "2026-01", ["2026-01", "2026-02"]),  # before: back-fill pending
    (date(2026, 1, 1), date(2026, 3, 31), "2099-01", []),
])
def test_whole_months_of_a_period(first, last, complete_from, months):
    assert whole_months(first, last, complete_from) == months
