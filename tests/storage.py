"""Direct access to what is stored, for test set-up and checks: each write is its own unit of work."""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from typing import Any

from chalicelib.bootstrap import unit_of_work
from chalicelib.domain.case import Case, Change
from chalicelib.domain.reviews import Review, Stage
from chalicelib.domain.shipping import Shipment
from chalicelib.domain.tickets import Ticket, TicketChange


class Cases:
    def get(self, case_no: str) -> Case:
        return unit_of_work().cases.get(case_no)

    def timeline(self, case_no: str) -> list[dict[str, Any]]:
        return unit_of_work().cases.timeline(case_no)

    def commit(self, case: Case, change: Change) -> None:
        with unit_of_work() as uow:
            uow.cases.update(case, change)
            uow.commit()


class Legs:
    def get(self, waybill: str) -> Shipment:
        return unit_of_work().legs.get(waybill)

    def for_case(self, case_no: str) -> list[Shipment]:
        return unit_of_work().legs.for_case(case_no)

    def save(self, leg: Shipment) -> None:
        with unit_of_work() as uow:
            uow.legs.update(leg)
            uow.commit()


class Reviews:
    def get_review(self, case_no: str, stage: Stage) -> Review | None:
        return unit_of_work().reviews.get(case_no, stage)

    def reviews_of_case(self, case_no: str) -> list[Review]:
        return unit_of_work().reviews.of_case(case_no)

    def get_ticket(self, ticket_id: str) -> Ticket:
        return unit_of_work().tickets.get(ticket_id)

    def history(self, ticket_id: str) -> list[dict[str, Any]]:
        return unit_of_work().tickets.history(ticket_id)

    def counts(self, office_id: str, first: date | None, last: date | None) -> dict[str, int]:
        return unit_of_work().reviews.counts(office_id, first, last)

    def commit_ticket(self, ticket: Ticket, change: TicketChange, counts: Mapping[str, int]) -> None:
        with unit_of_work() as uow:
            uow.tickets.update(ticket, change, counts)
            uow.commit()


@contextmanager
def mid_migration(monkeypatch: Any, setting: str, models: list[Any],
                  old_indexes: list[tuple[str, str, str, str, str]]) -> Iterator[Any]:
    """An emulated stage in the middle of a migration: the tables also have the earlier release's indexes
    (``(table, index, partition, sort, sort type)``), the app reads them (``setting`` = legacy), and the
    ``models`` connect again as a new container would. Yields a DynamoDB client; restores everything after."""
    import boto3

    from chalicelib.config import settings

    client = boto3.client("dynamodb", region_name="us-east-1")
    for table, name, partition, sort, sort_type in old_indexes:
        add_old_index(client, table, name, partition, sort, sort_type)
    for model in models:
        model._connection = None
    monkeypatch.setenv(setting, "legacy")
    settings.cache_clear()
    try:
        yield client
    finally:
        monkeypatch.undo()
        settings.cache_clear()
        for model in models:
            model._connection = None


def add_old_index(client: Any, table: str, name: str, partition: str, sort: str, sort_type: str = "S") -> None:
    """An ALL-projected index of an earlier release on an emulated table (``table`` is its logical name), as a
    stage in the middle of a migration still has it."""
    from chalicelib.config import settings

    client.update_table(
        TableName=settings().name(table),
        AttributeDefinitions=[{"AttributeName": partition, "AttributeType": "S"},
                              {"AttributeName": sort, "AttributeType": sort_type}],
        GlobalSecondaryIndexUpdates=[{"Create": {
            "IndexName": name, "Projection": {"ProjectionType": "ALL"},
            "KeySchema": [{"AttributeName": partition, "KeyType": "HASH"},
                          {"AttributeName": sort, "KeyType": "RANGE"}]}}])


def stored_event(event_id: str) -> dict[str, Any] | None:
    """An event as the relay reads it from the emulated tables (tools/outbox.py's look-up)."""
    from tools.outbox import stored_event as look_up

    return look_up(event_id)


def case_steps(case_no: str) -> list[dict[str, Any]]:
    """The events of a case's steps, in order, as the relay reads them from the emulated timeline table."""
    from chalicelib.adapters.event_records import case_event_payload, relay_fields_of
    from chalicelib.adapters.models import CaseEventRecord

    return [case_event_payload(case_no, r.event, relay_fields_of(r))
            for r in CaseEventRecord.query(case_no, scan_index_forward=True) if r.event_type]
