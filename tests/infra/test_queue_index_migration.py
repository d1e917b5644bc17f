"""The work-queue migration's deploys (infra/data.py, infra/README.md): DynamoDB creates or deletes one
global secondary index per table update, so each step differs from the one before by exactly one index,
from the old indexes to the models' own."""
from __future__ import annotations

import itertools

import pytest

from infra.data import migration_indexes
from infra.schema import table_specs


def test_each_step_changes_one_index_from_the_old_ones_to_the_models():
    cases = next(s for s in table_specs() if s.logical == "cases")
    final = {i.name for i in cases.global_indexes}
    before = (final - {"by_receiving_queue", "by_handling_queue"}) | {"by_receiving_office", "by_handling_office"}
    steps = [before] + [{i.name for i in migration_indexes(cases, step).global_indexes} for step in "123"] + [final]
    for earlier, later in itertools.pairwise(steps):
        assert len(earlier ^ later) == 1, (earlier, later)
    assert migration_indexes(cases, None) is cases
    other = next(s for s in table_specs() if s.logical == "reviews")
    assert migration_indexes(other, "1") is other
    with pytest.raises(ValueError):
        migration_indexes(cases, "4")
