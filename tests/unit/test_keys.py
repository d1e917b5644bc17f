"""The adapters' shard function decides where stored items live: the same key must give the same shard in
every release (items written by the last one are read by shard), and a count that grows keeps a key's
shard a number below it."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from chalicelib.adapters.keys import instant_or_none, iso_or_none, shard_number


@pytest.mark.parametrize(("key", "shards", "expected"), [
    ("KC4403002026030200001", 32, 19),  # a case's due listing at the deployed SWEEP_SHARDS
    ("KC4403002026030200001", 4, 3),  # the same at the local stack's
    ("M-SZ-GOV-DG-GOV-20260302", 8, 2),  # a parcel's listing
    ("KC4419002026120100042#receiving", 16, 8),  # a review's listing
])
def test_a_key_lands_on_the_shard_it_always_did(key, shards, expected):
    assert shard_number(key, shards) == expected


def test_every_shard_is_used_and_none_beyond_the_count():
    seen = {shard_number(f"KC44030020260302{n:05d}", 8) for n in range(400)}
    assert seen == set(range(8))


def test_instants_are_stored_in_utc_to_the_second_and_read_back():
    at = datetime(2026, 12, 31, 23, 59, 59, 999999, tzinfo=timezone(timedelta(hours=8)))  # CST, new year's eve
    stored = iso_or_none(at)
    assert stored == "2026-12-31T15:59:59+00:00"
    assert instant_or_none(stored) == at.replace(microsecond=0).astimezone(UTC)
    assert iso_or_none(None) is None and instant_or_none(None) is None and instant_or_none("") is None
