"""A transaction cancelled only because another one held one of its items (``TransactionConflict``: every
counted review also ADDs to its city's and the province's shared roll-up items) is sent again and applies
once; any other cancellation is not retried (moto never conflicts: the cancellation is injected)."""
from __future__ import annotations

from typing import Any

import pytest
from pynamodb.exceptions import CancellationReason, TransactWriteError, VerboseClientError

from chalicelib.adapters import transaction
from chalicelib.adapters.models import ReviewStatsRecord
from chalicelib.adapters.transaction import Transaction, Write


def _cancelled(*codes: str | None) -> TransactWriteError:
    cause = VerboseClientError({"Error": {"Code": "TransactionCanceledException", "Message": "cancelled"}},
                               "TransactWriteItems",
                               cancellation_reasons=[CancellationReason(code=c) if c else None for c in codes])
    return TransactWriteError("cancelled", cause=cause)


def _adds() -> list[Write]:
    return [Write("update", ReviewStatsRecord(office_id=key, day="2026-03"), actions=[ReviewStatsRecord.reviews.add(1)])
            for key in ("city:440300#month#0", "province:440000#month#0")]


@pytest.fixture
def sends(aws, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    monkeypatch.setattr(transaction.time, "sleep", lambda _s: None)
    return []


def _inject(monkeypatch: pytest.MonkeyPatch, sends: list[int], failures: list[TransactWriteError]) -> None:
    real = Transaction._send

    def send(writes: Any) -> None:
        sends.append(1)
        if failures:
            raise failures.pop(0)
        real(writes)

    monkeypatch.setattr(Transaction, "_send", staticmethod(send))


def _reviews(key: str) -> int:
    return int(ReviewStatsRecord.get(key, "2026-03").reviews or 0)


def test_a_transaction_conflict_is_sent_again_and_counts_once(sends, monkeypatch):
    _inject(monkeypatch, sends, [_cancelled(None, "TransactionConflict"), _cancelled("TransactionConflict", None)])
    tx = Transaction()
    for w in _adds():
        tx.stage(w)
    tx.commit()
    assert len(sends) == 3
    assert _reviews("city:440300#month#0") == _reviews("province:440000#month#0") == 1


def test_conflicts_that_persist_and_other_cancellations_are_raised(sends, monkeypatch):
    _inject(monkeypatch, sends, [_cancelled("TransactionConflict", None)] * transaction.CONFLICT_ATTEMPTS)
    tx = Transaction()
    for w in _adds():
        tx.stage(w)
    with pytest.raises(TransactWriteError):
        tx.commit()
    assert len(sends) == transaction.CONFLICT_ATTEMPTS
    sends.clear()
    _inject(monkeypatch, sends, [_cancelled("TransactionConflict", "ConditionalCheckFailed")])
    for w in _adds():
        tx.stage(w)
    with pytest.raises(TransactWriteError):
        tx.commit()
    assert len(sends) == 1
    with pytest.raises(ReviewStatsRecord.DoesNotExist):
        ReviewStatsRecord.get("province:440000#month#0", "2026-03")
