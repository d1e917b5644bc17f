"""Direct access to what is stored, for test set-up and checks: each write is its own unit of work."""
from __future__ import annotations

from collections.abc import Mapping
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
