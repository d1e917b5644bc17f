"""Reference data in DynamoDB, read through a short-lived in-process cache (one query per kind)."""
from __future__ import annotations

import time
from typing import Any

from ..config import settings
from ..domain.reference import Catalogue
from ..reference import KINDS, load_files, row_id
from .models import ReferenceRecord

_cache: tuple[float, Catalogue] | None = None


def catalogue() -> Catalogue:
    """The current reference data; refreshed at most every REFERENCE_CACHE_SECONDS."""
    global _cache
    now = time.monotonic()
    if _cache is None or now - _cache[0] > settings().reference_cache_seconds:
        rows: dict[str, list[dict[str, Any]]] = {
            kind: [r.data for r in ReferenceRecord.query(kind)] for kind in KINDS
        }
        _cache = (now, Catalogue.from_rows(rows))
    return _cache[1]


def invalidate() -> None:
    global _cache
    _cache = None


def seed(rows: dict[str, list[dict[str, Any]]] | None = None) -> int:
    """Write the reference data files into the table (idempotent: rows are overwritten by id)."""
    rows = rows if rows is not None else load_files()
    count = 0
    with ReferenceRecord.batch_write() as batch:
        for kind, items in rows.items():
            for item in items:
                batch.save(ReferenceRecord(kind=kind, item_id=row_id(kind, item), data=item))
                count += 1
    invalidate()
    return count
