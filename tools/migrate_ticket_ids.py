"""Migration: first-release ticket numbers (``TK-{case_no}-{stage}``) become opaque ones (``TK-`` + a ULID).

    python -m tools.migrate_ticket_ids            dry run: lists each ticket that would be renumbered
    python -m tools.migrate_ticket_ids --apply    renumbers them

A first-release ticket number told the rated office which case (and so which applicant) had rated it. Each
old ticket is moved in one transaction: the ticket under its new id (its deadlines, due-index and escalation
keys recomputed from the domain object), its history entries, and the review's ``ticket_id``, which names the
ticket (the review is the one-ticket-per-review guard), and an escalated ticket enters the provincial
worklist's index (its first escalation taken from its history); the old ticket and its history are deleted on
condition that the ticket is still at the version read, so a step taken meanwhile makes that ticket fail
(reported, left as it was) and a second run picks it up. Nothing else changes: past outbox events and
access-log entries keep the number they were written with (they record what happened then), and supervisors
can still open a ticket by its old number (services.tickets.find). Running it again renumbers nothing.

Environment as tools.dlq: the local stack (``AWS_ENDPOINT_URL``, ``RESOURCE_PREFIX=kc-local``) or a stage
(``RESOURCE_PREFIX=kc-prod`` with its credentials). The scan is a one-off operator read of the tickets table.
"""
from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TextIO

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.adapters.models import ReviewRecord, TicketEventRecord, TicketRecord
from chalicelib.adapters.review_repository import ticket_from, ticket_record
from chalicelib.adapters.transaction import connection
from chalicelib.domain.tickets import legacy_ticket_key, new_ticket_id
from chalicelib.domain.workdays import parse_instant

# One transaction holds at most 100 items: the ticket (put + delete), the review, two per history entry.
MAX_HISTORY = 48


@dataclass
class Report:
    renumbered: list[tuple[str, str]] = field(default_factory=list)  # (old, new)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (old, why)


def legacy_tickets() -> Iterator[TicketRecord]:
    for rec in TicketRecord.scan(TicketRecord.ticket_id.startswith("TK-KC")):
        if legacy_ticket_key(rec.ticket_id) is not None:
            yield rec


def renumber(rec: TicketRecord, apply: bool) -> str:
    """The ticket's new id; with ``apply``, the move committed (TransactWriteError if the ticket changed)."""
    old = rec.ticket_id
    ticket = ticket_from(rec)
    ticket.ticket_id = new_ticket_id(ticket.opened_at)
    history = list(TicketEventRecord.query(old, consistent_read=True))
    if ticket.escalated and ticket.escalated_at is None:  # kept since: the first escalation, from the history
        ticket.escalated_at = next((parse_instant(h.event["at"]) for h in history
                                    if h.event.get("action") == "escalate"), None)
    if len(history) > MAX_HISTORY:
        raise ValueError(f"{len(history)} history entries: more than one transaction holds")
    if not apply:
        return ticket.ticket_id
    with TransactWrite(connection=connection()) as tx:
        tx.save(ticket_record(ticket), condition=TicketRecord.ticket_id.does_not_exist())
        tx.delete(TicketRecord(ticket_id=old), condition=TicketRecord.version == rec.version)
        for entry in history:
            tx.save(TicketEventRecord(ticket_id=ticket.ticket_id, seq=entry.seq, event=entry.event),
                    condition=TicketEventRecord.ticket_id.does_not_exist())
            tx.delete(TicketEventRecord(ticket_id=old, seq=entry.seq))
        tx.update(ReviewRecord(case_no=ticket.case_no, stage=ticket.stage.value),
                  actions=[ReviewRecord.ticket_id.set(ticket.ticket_id)],
                  condition=ReviewRecord.ticket_id == old)
    return ticket.ticket_id


def migrate(apply: bool) -> Report:
    report = Report()
    for rec in legacy_tickets():
        try:
            report.renumbered.append((rec.ticket_id, renumber(rec, apply)))
        except (TransactWriteError, ValueError) as err:
            report.failed.append((rec.ticket_id, str(err)))
    return report


def main(argv: list[str] | None = None, out: TextIO = sys.stdout) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.migrate_ticket_ids", description=__doc__.split("\n")[0])
    parser.add_argument("--apply", action="store_true", help="renumber (default: dry run, nothing is written)")
    args = parser.parse_args(argv)
    report = migrate(args.apply)
    verb = "renumbered" if args.apply else "would renumber"
    for old, new in report.renumbered:
        print(f"{verb} {old} → {new}", file=out)
    for old, why in report.failed:
        print(f"FAILED {old}: {why} (left as it was; run again)", file=out)
    print(f"{len(report.renumbered)} {verb}, {len(report.failed)} failed"
          + ("" if args.apply else " (dry run: nothing written; --apply to renumber)"), file=out)
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
