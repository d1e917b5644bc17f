"""The city and province roll-ups of the review counters, under moto: written in the same transaction as the
office counters by every use case that counts (reviews, defaults, every ticket step, upheld appeals), so each
level's month equals its offices' months summed; and the figures made from a roll-up equal the statistics
answer (summed from the offices) and the offices' own answers summed, for the same filter."""
from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

import pytest

from chalicelib.adapters.case_repository import to_record
from chalicelib.adapters.reference_store import catalogue
from chalicelib.bootstrap import unit_of_work
from chalicelib.domain.errors import Duplicate
from chalicelib.domain.rollups import Level, city, level_for, province, whole_months
from chalicelib.domain.statistics import COUNTERS, figures
from chalicelib.domain.workdays import cst_date
from chalicelib.services import review_stats
from tests.review_support import citizen_actor, completed, supervisor_actor
from tests.service import test_review_stats as generated
from tests.support import submit_review

PROVINCE, SZ = supervisor_actor("440000"), supervisor_actor("440300")
MONTHS = ["2026-03", "2026-04"]  # the generated reviews' months (T0 = 2026-03-02; late steps in April)


def _offices_of(level: Level) -> list[str]:
    return sorted(o.office_id for o in catalogue().offices.values()
                  if level.kind == "province" or o.city == level.code)


def _summed_offices(level: Level, months: list[str]) -> dict[str, dict[str, int]]:
    out = {m: dict.fromkeys(COUNTERS, 0) for m in months}
    first = date.fromisoformat(months[0] + "-01")
    last = (date.fromisoformat(months[-1] + "-01") + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    per_office = unit_of_work().reviews.monthly_counts_of(_offices_of(level), first, last)
    for months_of in per_office.values():
        for m, counts in months_of.items():
            for k in COUNTERS:
                out[m][k] += counts[k]
    return out


LEVELS = [province(), city("440300"), city("441900"), city("440400")]


class _StoredCases(dict):
    """The generator's cases saved to the emulated table (it builds them directly, as the fake's would be)."""

    def __setitem__(self, case_no: str, case: Any) -> None:
        to_record(case).save()


class Emulated:
    """What tests/service/test_review_stats.py's generator writes into: here DynamoDB under moto."""

    def __init__(self) -> None:
        self.cases = _StoredCases()


@pytest.fixture
def generated_reviews(aws, monkeypatch: pytest.MonkeyPatch) -> list[generated.Expected]:
    """Reviews through the service layer: defaults, bad reviews with tickets in every state, appeals upheld
    and rejected (tests/service/test_review_stats.py's generator, fewer cases)."""
    from chalicelib.services import reviews

    monkeypatch.setattr(generated, "CASES", 14)
    records = generated._generate(Emulated(), random.Random(20261201))
    reviews.sweep_default_ratings(generated.T0 + timedelta(days=30))
    assert sum(r.excluded for r in records) > 0 and sum(r.default for r in records) > 0
    assert sum(r.ticket == "closed" for r in records) > 0 and sum(r.ticket == "explained" for r in records) > 0
    return records


def test_every_level_counts_what_its_offices_count(generated_reviews):
    uow = unit_of_work()
    for level in LEVELS:
        rolled = uow.reviews.rollup_counts(level, MONTHS)
        assert rolled == _summed_offices(level, MONTHS), level
    province_months = uow.reviews.rollup_counts(province(), MONTHS)
    assert province_months is not None
    assert sum(province_months[m]["excluded"] for m in MONTHS) == sum(r.excluded for r in generated_reviews)
    assert sum(province_months[m]["reviews"] for m in MONTHS) == sum(not r.excluded for r in generated_reviews)


FILTERS = [  # (actor, city, from, to): whole months only (roll-ups hold months), with empty ones around
    (PROVINCE, None, "2026-03-01", "2026-04-30"),
    (PROVINCE, None, "2026-02-01", "2026-05-31"),
    (PROVINCE, "441900", "2026-03-01", "2026-03-31"),
    (SZ, None, "2026-03-01", "2026-04-30"),
    (PROVINCE, "440400", "2026-04-01", "2026-04-30"),
]


def _total(rows: dict[str, dict[str, int]]) -> dict[str, int]:
    return {k: sum(r[k] for r in rows.values()) for k in COUNTERS}


def test_the_roll_up_answer_is_the_office_answers_summed(generated_reviews):
    """For each filter: the figures made from the city's or province's roll-up (months and totals) equal the
    statistics answer, which sums the offices, and the offices' own answers summed (excluded reviews of upheld
    appeals, defaults, every ticket figure: ``counts`` holds every counter the figures are made of)."""
    uow = unit_of_work()
    for actor, city_code, first, last in FILTERS:
        level = level_for(city_code or (None if actor.city == "440000" else actor.city), None)
        assert level is not None
        rolled = uow.reviews.rollup_counts(level, whole_months(date.fromisoformat(first), date.fromisoformat(last)))
        assert rolled is not None
        answer = review_stats.review_stats(actor, city_code, None, first, last, "month")
        assert {m["month"]: m["counts"] for m in answer["months"]} == rolled, (level, first, last)
        assert {k: v for k, v in figures(_total(rolled)).items()} == {k: answer[k] for k in figures(_total(rolled))}
        one_by_one = [review_stats.review_stats(actor, None, oid, first, last) for oid in _offices_of(level)]
        assert _total(rolled) == {k: sum(a["counts"][k] for a in one_by_one) for k in COUNTERS}
    whole = review_stats.review_stats(PROVINCE, None, None, "2026-03-01", "2026-04-30")
    assert whole["excluded_reviews"] > 0 and whole["reviews"] == sum(not r.excluded for r in generated_reviews)


def test_a_review_counted_twice_changes_no_level(aws):
    case = completed("bob")
    submit_review(citizen_actor("bob"), case.case_no, {"stage": "handling", "rating": 5}, now=case.completed_at)
    uow = unit_of_work()
    month = [cst_date(case.completed_at).isoformat()[:7]]
    before = {lv: uow.reviews.rollup_counts(lv, month) for lv in LEVELS}
    with pytest.raises(Duplicate):
        submit_review(citizen_actor("bob"), case.case_no, {"stage": "handling", "rating": 1, "tags": ["慢"],
                                                              "comment": "再评一次"}, now=case.completed_at)
    assert {lv: uow.reviews.rollup_counts(lv, month) for lv in LEVELS} == before
    assert sum(before[province()][m]["reviews"] for m in month) == 1
