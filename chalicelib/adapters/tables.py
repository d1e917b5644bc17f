"""Every table of the application: its model, its TTL, and how a failed condition reads (creating tables is
provisioning: infra/ in the cloud, tools/provision.py for the emulator)."""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar

from pynamodb.models import Model

from . import models

T = TypeVar("T")
_pool: Any = None
_pool_lock = threading.Lock()
FAN_OUT_THREADS = 16


def all_models() -> list[type[Model]]:
    """All PynamoDB models, one per table. New tables are registered here."""
    return list(models.TABLES)


def ttl_attribute(model: type[Model]) -> str | None:
    table_name: str = model.Meta.table_name
    logical = table_name.split("-", 2)[-1]
    return models.TTL_ATTRIBUTES.get(logical)


def condition_failed(err: Exception) -> bool:
    """Whether a PynamoDB write failed on its condition (not on a throttle, timeout or server error).

    Reads the botocore error itself: PynamoDB's ``cause_response_code`` raises AttributeError when the cause
    is a timeout, which has no response."""
    response = getattr(getattr(err, "cause", None), "response", None) or {}
    return bool(response.get("Error", {}).get("Code") == "ConditionalCheckFailedException")


def fan_out(fn: Callable[[Any], T], args: Sequence[Any]) -> list[T]:
    """``fn`` over ``args`` at once, a thread each, results in the order of ``args``: the queries of the shards
    of one write-sharded index, so a page costs about one round trip instead of one per shard. botocore
    clients are thread-safe and PynamoDB keeps a botocore session per thread; the pool is made on first use
    and kept for the container's life (a warm Lambda reuses it)."""
    global _pool
    if len(args) <= 1:
        return [fn(a) for a in args]
    if _pool is None:
        from concurrent.futures import ThreadPoolExecutor  # only the functions that list shards pay for it

        with _pool_lock:
            if _pool is None:
                _pool = ThreadPoolExecutor(max_workers=FAN_OUT_THREADS, thread_name_prefix="fan-out")
    return list(_pool.map(fn, args))


def every_sweep_shard(query: Callable[[int], Iterable[T]], what: str) -> Iterator[T]:
    """What ``query`` lists on each shard of a sparse ``due``-style index (SWEEP_SHARDS of them, queried at
    once). A shard that cannot be read is logged and left to the next run (its items wait a run) rather than
    failing the whole run: with SWEEP_SHARDS queries a run, one failed read must not hold up every other item."""
    from ..config import settings
    from ..observability import logger

    def read(shard: int) -> list[T]:
        try:
            return list(query(shard))
        except Exception:
            logger.warning("a shard of a due listing could not be read; the next run reads it",
                           extra={"listing": what, "shard": shard}, exc_info=True)
            return []

    for items in fan_out(read, list(range(settings().sweep_shards))):
        yield from items
