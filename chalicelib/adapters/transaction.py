"""The writes a unit of work stages, committed as one DynamoDB TransactWrite.

Each staged write says which error a failed condition means (``conflict``) and how to undo the in-memory
version bump staging made (``undo``). DynamoDB reports the reason of a cancelled transaction item by
item, in the order of the request, so the error raised is that of the first write whose condition
failed. A lone write goes out as a plain conditional put, update or delete: the same guarantee at half
the write units of a transaction.
"""
from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pynamodb.connection import Connection
from pynamodb.exceptions import DeleteError, PutError, TransactWriteError, UpdateError
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from ..config import settings
from ..domain.errors import ConcurrentUpdate
from .tables import condition_failed

_connection: Connection | None = None


def connection() -> Connection:
    global _connection
    if _connection is None:
        _connection = Connection(region=settings().region)
    return _connection


def reset_connection() -> None:
    """Forget the cached connection (the endpoint changed: a new emulator)."""
    global _connection
    _connection = None


CONFLICT_ATTEMPTS = 3

# PynamoDB sends condition checks, deletes, puts and updates in this order; reasons come back in it.
_ORDER = {"check": 0, "delete": 1, "put": 2, "update": 3}


@dataclass
class Write:
    op: str  # check | delete | put | update
    item: Any  # a model instance; for a check, (model class, hash key, range key)
    condition: Any = None
    actions: list[Any] | None = None
    conflict: Callable[[], Exception] | None = None
    undo: Callable[[], None] | None = None


def stage_versioned(tx: Transaction, subject: Any, record: Callable[[], Model], version: Any, what: str,
                    current_status: Callable[[], str]) -> Callable[[], Exception]:
    """Stage ``subject`` (a case or ticket) at version+1 if it is still stored at the version it was read at;
    the loser of a race gets ConcurrentUpdate with the winner's status. Returns that conflict, for the
    writes that go with the change (its timeline or history entry)."""
    expected = subject.version
    subject.version = expected + 1

    def lost() -> Exception:
        status = current_status()
        return ConcurrentUpdate(f"{what} was changed by someone else; it is now {status}", current_status=status)

    tx.stage(Write("put", record(), version == expected, conflict=lost,
                   undo=lambda: setattr(subject, "version", expected)))
    return lost


class Transaction:
    """Collects writes; ``commit`` sends them at once, all or nothing."""

    def __init__(self) -> None:
        self.writes: list[Write] = []

    def stage(self, write: Write) -> None:
        self.writes.append(write)

    def discard(self) -> None:
        for write in reversed(self.writes):
            if write.undo:
                write.undo()
        self.writes = []

    def commit(self) -> None:
        writes = sorted(self.writes, key=lambda w: _ORDER[w.op])
        if not writes:
            return
        try:
            if len(writes) == 1 and writes[0].op != "check":
                self._alone(writes[0])
            else:
                self._together(writes)
        except BaseException:
            self.discard()
            raise
        self.writes = []

    @staticmethod
    def _alone(write: Write) -> None:
        model: Model = write.item
        try:
            if write.op == "put":
                model.save(condition=write.condition)
            elif write.op == "delete":
                model.delete(condition=write.condition, add_version_condition=False)
            else:
                model.update(actions=write.actions or [], condition=write.condition, add_version_condition=False)
        except (PutError, UpdateError, DeleteError) as err:
            if write.conflict is not None and condition_failed(err):
                raise write.conflict() from err
            raise

    @staticmethod
    def _together(writes: list[Write]) -> None:
        """One TransactWriteItems. Cancelled only because another transaction held one of its items at that
        moment (``TransactionConflict``: the review counters' shared city and province roll-ups make that
        likelier), it applied nothing, so it is sent again, a few times, after a short random pause."""
        for attempt in range(CONFLICT_ATTEMPTS):
            try:
                Transaction._send(writes)
                return
            except TransactWriteError as err:
                codes = {getattr(r, "code", None) for r in err.cancellation_reasons or []} - {None}
                if codes != {"TransactionConflict"} or attempt == CONFLICT_ATTEMPTS - 1:
                    raise
            time.sleep(random.uniform(0.01, 0.05) * 2 ** attempt)

    @staticmethod
    def _send(writes: list[Write]) -> None:
        try:
            with TransactWrite(connection=connection()) as tx:
                for w in writes:
                    if w.op == "check":
                        model_class, hash_key, range_key = w.item
                        tx.condition_check(model_class, hash_key, range_key, condition=w.condition)
                    elif w.op == "delete":
                        tx.delete(w.item, condition=w.condition, add_version_condition=False)
                    elif w.op == "put":
                        tx.save(w.item, condition=w.condition)
                    else:
                        tx.update(w.item, actions=w.actions or [], condition=w.condition,
                                  add_version_condition=False)
        except TransactWriteError as err:
            reasons = err.cancellation_reasons or []
            for write, reason in zip(writes, reasons, strict=False):
                if getattr(reason, "code", None) == "ConditionalCheckFailed" and write.conflict is not None:
                    raise write.conflict() from err
            raise
