"""How the DynamoDB adapters spell keys and instants: one shard function for every write-sharded key (the
sweep's due listings, the work queues, parcel listings and sheets, review listings and statistics), and the
ISO-8601 strings instants are stored as."""
from __future__ import annotations

import hashlib
from datetime import datetime

from ..config import settings
from ..domain.workdays import iso, parse_instant


def shard_number(key: str, shards: int) -> int:
    """Which of ``shards`` the items of ``key`` go to, for ever (SHA-1 of the key: spreading keys, not
    security). A shard count may grow, never shrink: readers read every shard below it."""
    return int(hashlib.sha1(key.encode()).hexdigest(), 16) % shards  # noqa: S324


def sweep_shard(key: str) -> str:
    """The partition of ``key``'s entry in a sparse due-listing index (cases, legs, parcels to seal, review
    slots, tickets): one of SWEEP_SHARDS, which the sweeper reads all of (tables.every_sweep_shard)."""
    return str(shard_number(key, settings().sweep_shards))


def iso_or_none(value: datetime | None) -> str | None:
    """An optional instant as stored (ISO-8601, UTC offset kept)."""
    return iso(value) if value else None


def instant_or_none(value: str | None) -> datetime | None:
    """An optional stored instant read back."""
    return parse_instant(value) if value else None
