"""The work-queue migration's deploys (infra/data.py, infra/README.md): DynamoDB creates or deletes one
global secondary index per table update, so each step differs from the one before by exactly one index,
from the old indexes to the models' own."""
from __future__ import annotations

import itertools

import pytest

from infra.data import leg_index_migration, migration_indexes
from infra.schema import table_specs


@pytest.mark.parametrize("table, new, old", [
    ("cases", {"by_receiving_queue", "by_handling_queue"}, {"by_receiving_office", "by_handling_office"}),
    ("reviews", {"by_office_shard", "by_city_shard"}, {"by_office", "by_city"}),
    ("parcels", {"parcels_from_shard", "parcels_to_shard"}, {"parcels_from", "parcels_to"}),
])
def test_each_step_changes_one_index_from_the_old_ones_to_the_models(table, new, old):
    spec = next(s for s in table_specs() if s.logical == table)
    final = {i.name for i in spec.global_indexes}
    assert new <= final and not old & final
    steps = [(final - new) | old]
    steps += [{i.name for i in migration_indexes(spec, step).global_indexes} for step in "123"] + [final]
    for earlier, later in itertools.pairwise(steps):
        assert len(earlier ^ later) == 1, (earlier, later)
    assert migration_indexes(spec, None) is spec
    other = next(s for s in table_specs() if s.logical == "tickets")
    assert migration_indexes(other, "1") is other
    with pytest.raises(ValueError):
        migration_indexes(spec, "4")


def test_the_leg_index_moves_to_keys_only_one_index_per_deploy():
    """``by_case`` (ALL) → ``by_case_keys`` (KEYS_ONLY): before, during (legIndexMigration=1: both) and after
    the migration each deploy adds or deletes one index of the shipments table."""
    spec = next(s for s in table_specs() if s.logical == "shipments")
    final = {i.name: i for i in spec.global_indexes}
    assert final["by_case_keys"].projection == "KEYS_ONLY" and "by_case" not in final
    during = {i.name: i for i in leg_index_migration(spec, "1").global_indexes}
    assert during["by_case"].projection == "ALL"
    assert (during["by_case"].partition_key, during["by_case"].sort_key) == (
        final["by_case_keys"].partition_key, final["by_case_keys"].sort_key)  # same keys: no backfill
    before = (set(final) - {"by_case_keys"}) | {"by_case"}
    for earlier, later in itertools.pairwise([before, set(during), set(final)]):
        assert len(earlier ^ later) == 1, (earlier, later)
    assert leg_index_migration(spec, None) is spec
    other = next(s for s in table_specs() if s.logical == "cases")
    assert leg_index_migration(other, "1") is other
    with pytest.raises(ValueError):
        leg_index_migration(spec, "2")
