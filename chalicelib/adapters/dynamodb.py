"""The unit of work on DynamoDB: the repositories over the application's tables and one transaction."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta
from typing import Any

from pynamodb.exceptions import DoesNotExist, PutError, PynamoDBException, UpdateError

from ..domain.errors import Duplicate
from ..domain.events import DomainEvent
from ..domain.workdays import iso, parse_instant
from ..services.unit_of_work import Counters, Notifications, Outbox, UnitOfWork
from .access_log_repository import DynamoAccessLog
from .case_repository import DynamoCaseRepository, outbox_record
from .models import CounterRecord, NotificationRecord, OutboxRecord
from .parcel_repository import DynamoParcelRepository
from .review_repository import DynamoReviewRepository, DynamoTicketRepository
from .shipment_repository import DynamoLegRepository
from .transaction import Transaction, Write


class DynamoOutbox(Outbox):
    def __init__(self, tx: Transaction) -> None:
        self.tx = tx

    def add(self, event: DomainEvent, once: bool = False) -> None:
        self.tx.stage(Write("put", outbox_record(event), OutboxRecord.event_id.does_not_exist() if once else None,
                            conflict=lambda: Duplicate(f"event {event.event_id} was written already")))


_blocks_lock = threading.Lock()
_BLOCKS: dict[str, tuple[int, int]] = {}  # this process's blocks: counter id -> (next number, end exclusive)


def _blocks() -> dict[str, tuple[int, int]]:
    return _BLOCKS


def forget_blocks() -> None:
    """Drop the blocks this process holds (their numbers become gaps): a counters table that was just
    created (a new emulator in tests) knows nothing of them."""
    with _blocks_lock:
        _BLOCKS.clear()


class DynamoCounters(Counters):
    def take(self, counter_id: str, block: int) -> int:
        """From this process's block; a new block is one UpdateItem ``ADD block`` (see Counters.take). Two
        threads running out at once each reserve a block and one of them is dropped: a gap, never a
        duplicate."""
        blocks = _blocks()
        with _blocks_lock:
            nxt, end = blocks.get(counter_id, (0, 0))
            if nxt < end:
                blocks[counter_id] = (nxt + 1, end)
                return nxt
        last = self._add(counter_id, block, None)
        with _blocks_lock:
            blocks[counter_id] = (last - block + 2, last + 1)
        return last - block + 1

    def increment(self, counter_id: str, expires_at: datetime | None = None) -> int:
        """One UpdateItem ADD (and SET of the expiry, for a counter that expires)."""
        return self._add(counter_id, 1, expires_at)

    def _add(self, counter_id: str, amount: int, expires_at: datetime | None) -> int:
        counter = CounterRecord(counter_id=counter_id)
        actions: list[Any] = [CounterRecord.value.add(amount)]
        if expires_at is not None:
            actions.append(CounterRecord.expires_at.set(int(expires_at.timestamp())))
        try:
            counter.update(actions=actions, add_version_condition=False)
        except UpdateError as err:
            raise RuntimeError(f"counter {counter_id} unavailable") from err
        return int(counter.value)

    def values(self, counter_ids: list[str]) -> dict[str, int]:
        return {c.counter_id: int(c.value) for c in CounterRecord.batch_get(counter_ids, consistent_read=True)}


def _condition_failed(err: PynamoDBException) -> bool:
    return err.cause_response_code == "ConditionalCheckFailedException"


class DynamoNotifications(Notifications):
    def __init__(self, tx: Transaction) -> None:
        self.tx = tx

    def was_sent(self, case_no: str, notification_id: str) -> bool:
        try:
            record = NotificationRecord.get(case_no, notification_id, consistent_read=True)
        except DoesNotExist:
            return False
        return bool(record.delivered)

    def claim(self, case_no: str, notification_id: str, event_type: str, token: str, at: datetime,
              lease_seconds: int) -> str:
        record = NotificationRecord(case_no=case_no, notification_id=notification_id, event_type=event_type,
                                    text="", sent_at=iso(at), channel="sms", delivered=False,
                                    claim_token=token, claimed_at=iso(at))
        try:
            record.save(condition=NotificationRecord.notification_id.does_not_exist())
            return "claimed"
        except PutError as err:
            if not _condition_failed(err):
                raise
        current = NotificationRecord.get(case_no, notification_id, consistent_read=True)
        if current.delivered:
            return "sent"
        if current.claim_token == token:
            return "claimed"  # our own claim, whose reply was lost
        stale = current.claimed_at is None or parse_instant(current.claimed_at) + timedelta(
            seconds=lease_seconds) <= at
        if not stale:
            return "busy"
        # The holder died before recording (it may or may not have texted): take the claim over.
        try:
            current.update(actions=[NotificationRecord.claim_token.set(token),
                                    NotificationRecord.claimed_at.set(iso(at))],
                           condition=(NotificationRecord.claim_token == current.claim_token)
                           & (NotificationRecord.delivered == False),  # noqa: E712 - a DynamoDB condition
                           add_version_condition=False)
        except UpdateError as err:
            if not _condition_failed(err):
                raise
            return "busy"  # another delivery took it over first
        return "claimed"

    def record_sent(self, case_no: str, notification_id: str, event_type: str, text: str, at: datetime) -> None:
        NotificationRecord(case_no=case_no, notification_id=notification_id, event_type=event_type, text=text,
                           sent_at=iso(at), channel="sms", delivered=True).save()

    def add(self, case_no: str, notification_id: str, event_type: str, text: str, sent_at: datetime) -> None:
        record = NotificationRecord(case_no=case_no, notification_id=notification_id, event_type=event_type,
                                    text=text, sent_at=iso(sent_at), channel="sms")
        self.tx.stage(Write("put", record, NotificationRecord.notification_id.does_not_exist(),
                            conflict=lambda: Duplicate(f"notification {notification_id} recorded already")))

    def of_case(self, case_no: str) -> list[dict[str, Any]]:
        return [{"event_type": n.event_type, "text": n.text, "sent_at": n.sent_at, "channel": n.channel}
                for n in NotificationRecord.query(case_no) if n.delivered]


class DynamoUnitOfWork(UnitOfWork):
    def __init__(self) -> None:
        self.tx = Transaction()
        self.cases = DynamoCaseRepository(self.tx)
        self.legs = DynamoLegRepository(self.tx)
        self.parcels = DynamoParcelRepository(self.tx)
        self.reviews = DynamoReviewRepository(self.tx)
        self.tickets = DynamoTicketRepository(self.tx)
        self.outbox = DynamoOutbox(self.tx)
        self.counters = DynamoCounters()
        self.notifications = DynamoNotifications(self.tx)
        self.access_log = DynamoAccessLog()

    def commit(self) -> None:
        self.tx.commit()

    def rollback(self) -> None:
        self.tx.discard()
