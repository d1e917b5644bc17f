"""The sweeper's due listings (cases, legs, parcels, review slots, tickets) read every shard of their sparse
index at once, and a shard that cannot be read is logged and left to the next run: one failed read among
SWEEP_SHARDS does not hold up every other item (issue 13: the sweeper never aborts a run).

On moto (``aws``): the cases' due index itself, with one shard's query failing."""
from __future__ import annotations

import hashlib
import logging
from datetime import timedelta
from typing import Any

import pytest

from chalicelib.adapters.models import CaseRecord
from chalicelib.adapters.tables import every_sweep_shard
from chalicelib.bootstrap import unit_of_work
from chalicelib.config import settings
from tests.service.test_deadlines_service import T0, applied


def case_shard(case_no: str) -> str:
    return str(int(hashlib.sha1(case_no.encode()).hexdigest(), 16) % settings().sweep_shards)


def test_a_shard_that_cannot_be_read_is_logged_and_the_others_are_listed(caplog: pytest.LogCaptureFixture) -> None:
    def query(shard: int) -> list[str]:
        if shard == 3:
            raise RuntimeError("throttled")
        return [f"item-{shard}"]

    with caplog.at_level(logging.WARNING):
        got = list(every_sweep_shard(query, "test items"))
    assert sorted(got) == sorted(f"item-{s}" for s in range(settings().sweep_shards) if s != 3)
    assert "a shard of a due listing could not be read" in caplog.text


def test_the_cases_due_are_listed_from_every_shard_but_a_failing_one(aws: None,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    cases = [applied(seed) for seed in range(6)]
    later = T0 + timedelta(days=400)  # every deadline passed
    with unit_of_work() as uow:
        assert sorted(uow.cases.due(later)) == sorted(cases)

    broken = case_shard(cases[0])
    query = CaseRecord.due.query

    def failing(hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        if hash_key == broken:
            raise RuntimeError("throttled after every retry")
        return query(hash_key, *args, **kwargs)

    monkeypatch.setattr(CaseRecord.due, "query", failing)
    with unit_of_work() as uow:
        listed = sorted(uow.cases.due(later))
    assert listed == sorted(c for c in cases if case_shard(c) != broken)
    assert cases[0] not in listed and listed  # the failing shard waits; the others are swept
