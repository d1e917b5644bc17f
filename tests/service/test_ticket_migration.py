"""tools.migrate_ticket_ids on an emulated table holding first-release tickets (numbered TK-{case_no}-{stage}):
the dry run writes nothing; the run renumbers each ticket with its history and its review in one transaction,
the ticket keeps working under its new number (and supervisors' old links still lead to it), a ticket that
changed meanwhile is left for the next run, and a second run renumbers nothing.

On moto (``aws``): the tool rewrites DynamoDB items (first-release keys) in transactions of its own."""
from __future__ import annotations

import io
import re

import pytest

from chalicelib.adapters.dynamodb import DynamoUnitOfWork
from chalicelib.adapters.models import TicketEventRecord, TicketRecord
from chalicelib.adapters.reference_store import catalogue
from chalicelib.domain.errors import NotFound
from chalicelib.domain.reviews import Stage
from chalicelib.domain.tickets import open_ticket
from chalicelib.domain.workdays import iso
from chalicelib.services import tickets
from tests.review_support import T0, citizen_actor, received, staff_actor, supervisor_actor
from tests.storage import Reviews
from tests.support import submit_review
from tools import migrate_ticket_ids

store = Reviews()
BAD = {"stage": "receiving", "rating": 1, "tags": ["态度差"], "comment": "窗口人员不耐烦"}
SZ = supervisor_actor("440300")


def legacy_ticket(sub: str) -> tuple[str, str]:
    """A bad review with its ticket stored as the first release stored it; (case_no, old ticket number)."""
    case = received(sub)
    submit_review(citizen_actor(sub), case.case_no, BAD, now=T0)  # no pump: the queue opens no ticket
    review = store.get_review(case.case_no, Stage.RECEIVING)
    assert review is not None
    ticket, change = open_ticket(review, T0, catalogue().review_policy("440300"))
    ticket.ticket_id = f"TK-{case.case_no}-receiving"
    with DynamoUnitOfWork() as uow:
        uow.tickets.add(ticket, change, {"tickets": 1})
        uow.commit()
    return case.case_no, ticket.ticket_id


def run(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    return migrate_ticket_ids.main(list(args), out=out), out.getvalue()


def test_dry_run_then_renumber_with_history_and_review(aws):
    case_no, old = legacy_ticket("alice")
    tickets.verify(SZ, old, True, "属实", now=T0)  # a step under the old number: two history entries
    before = TicketRecord.get(old).attribute_values

    code, text = run()
    assert code == 0 and f"would renumber {old} → TK-" in text and "1 would renumber, 0 failed" in text
    assert TicketRecord.get(old).attribute_values == before  # nothing written
    assert store.get_review(case_no, Stage.RECEIVING).ticket_id == old  # type: ignore[union-attr]

    code, text = run("--apply")
    assert code == 0 and "1 renumbered, 0 failed" in text
    new = store.get_review(case_no, Stage.RECEIVING).ticket_id  # type: ignore[union-attr]
    assert new and re.fullmatch(r"TK-[0-9A-HJKMNP-TV-Z]{26}", new) and f"renumbered {old} → {new}" in text
    assert TicketRecord.count(old) == 0 and TicketEventRecord.count(old) == 0
    moved = store.get_ticket(new)
    assert (moved.case_no, moved.status.value, moved.version) == (case_no, "VERIFIED", 2)
    assert moved.verify_due.isoformat() == before["body"]["verify_due"]
    assert [e["action"] for e in store.history(new)] == ["open", "verify"]
    # The ticket goes on under its new number; a supervisor's old link leads to it, the office's never.
    assert tickets.rectify(SZ, new, "已整改", now=T0)[0].status.value == "RECTIFIED"
    assert tickets.ticket_for(SZ, old)[0].ticket_id == new
    assert tickets.ticket_for(staff_actor("SZ-GOV"), new)[0].ticket_id == new
    with pytest.raises(NotFound):
        tickets.ticket_for(staff_actor("SZ-GOV"), old)

    code, text = run("--apply")
    assert code == 0 and "0 renumbered, 0 failed" in text


def test_a_ticket_changed_meanwhile_is_left_for_the_next_run(aws):
    case_no, old = legacy_ticket("bob")
    stale = TicketRecord.get(old, consistent_read=True)
    tickets.verify(SZ, old, False, "已解释", now=T0)  # a supervisor acts between the read and the move
    with pytest.raises(migrate_ticket_ids.TransactWriteError):
        migrate_ticket_ids.renumber(stale, apply=True)
    assert TicketRecord.get(old).status == "EXPLAINED"
    assert store.get_review(case_no, Stage.RECEIVING).ticket_id == old  # type: ignore[union-attr]
    code, text = run("--apply")
    assert code == 0 and "1 renumbered, 0 failed" in text
    new = store.get_review(case_no, Stage.RECEIVING).ticket_id  # type: ignore[union-attr]
    assert store.get_ticket(new).status.value == "EXPLAINED"  # type: ignore[arg-type]


def test_an_escalated_ticket_enters_the_provincial_worklist_when_renumbered(aws):
    case_no, old = legacy_ticket("carol")
    ticket = store.get_ticket(old)
    late = ticket.verify_deadline()
    assert tickets.sweep_overdue_tickets(late)["tickets_escalated"] == 1
    rec = TicketRecord.get(old)  # as the first release stored it: no escalation time, not in the index
    rec.body = {k: v for k, v in rec.body.items() if k != "escalated_at"}
    rec.escalated_city = rec.escalated_at = None
    rec.save()
    assert list(TicketRecord.escalated.query("440300")) == []
    assert run("--apply")[0] == 0
    new = store.get_review(case_no, Stage.RECEIVING).ticket_id  # type: ignore[union-attr]
    listed = list(TicketRecord.escalated.query("440300"))
    assert [r.ticket_id for r in listed] == [new] and listed[0].escalated_at == iso(late)
