"""The unit of work on DynamoDB: the repositories over the application's tables and one transaction."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from pynamodb.exceptions import DoesNotExist, UpdateError

from ..domain.errors import Duplicate
from ..domain.events import DomainEvent
from ..domain.workdays import iso
from ..services.unit_of_work import Counters, Notifications, Outbox, UnitOfWork
from .access_log_repository import DynamoAccessLog
from .case_repository import DynamoCaseRepository, outbox_record
from .models import CounterRecord, NotificationRecord, OutboxRecord
from .review_repository import DynamoReviewRepository, DynamoTicketRepository
from .shipment_repository import DynamoLegRepository
from .transaction import Transaction, Write


class DynamoOutbox(Outbox):
    def __init__(self, tx: Transaction) -> None:
        self.tx = tx

    def add(self, event: DomainEvent, once: bool = False) -> None:
        self.tx.stage(Write("put", outbox_record(event), OutboxRecord.event_id.does_not_exist() if once else None,
                            conflict=lambda: Duplicate(f"event {event.event_id} was written already")))


class DynamoCounters(Counters):
    def increment(self, counter_id: str) -> int:
        """One UpdateItem ADD."""
        counter = CounterRecord(counter_id=counter_id)
        try:
            counter.update(actions=[CounterRecord.value.add(1)], add_version_condition=False)
        except UpdateError as err:
            raise RuntimeError(f"counter {counter_id} unavailable") from err
        return int(counter.value)

    def values(self, counter_ids: list[str]) -> dict[str, int]:
        return {c.counter_id: int(c.value) for c in CounterRecord.batch_get(counter_ids)}


class DynamoNotifications(Notifications):
    def __init__(self, tx: Transaction) -> None:
        self.tx = tx

    def was_sent(self, case_no: str, notification_id: str) -> bool:
        try:
            NotificationRecord.get(case_no, notification_id, consistent_read=True)
        except DoesNotExist:
            return False
        return True

    def add(self, case_no: str, notification_id: str, event_type: str, text: str, sent_at: datetime) -> None:
        record = NotificationRecord(case_no=case_no, notification_id=notification_id, event_type=event_type,
                                    text=text, sent_at=iso(sent_at), channel="sms")
        self.tx.stage(Write("put", record, NotificationRecord.notification_id.does_not_exist(),
                            conflict=lambda: Duplicate(f"notification {notification_id} recorded already")))

    def of_case(self, case_no: str) -> list[dict[str, Any]]:
        return [{"event_type": n.event_type, "text": n.text, "sent_at": n.sent_at, "channel": n.channel}
                for n in NotificationRecord.query(case_no)]


class DynamoUnitOfWork(UnitOfWork):
    def __init__(self) -> None:
        self.tx = Transaction()
        self.cases = DynamoCaseRepository(self.tx)
        self.legs = DynamoLegRepository(self.tx)
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
