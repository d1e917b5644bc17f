"""tools/backfill.py against an emulated cases table holding old-format items (the old work-queue keys, none
of the sharded ones), through the migration infra/README.md describes: while the stage migrates
(QUEUE_MIGRATION=legacy) the queues are read from the old indexes and new cases carry both sets of keys;
the backfill's dry run changes nothing; the backfill gives every case the new keys (retrying a case the
application changed meanwhile); after the switch the sharded queues list every case, once; a second run
changes nothing.

On moto (``aws``): the tool rewrites DynamoDB items and their index keys, an adapter matter the in-memory
unit of work does not model."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.storage import mid_migration
from tests.support import application, service_apply


@pytest.fixture
def migrating(aws: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The stage in the middle of its migration: the tables also have the old indexes, the app runs legacy."""
    from chalicelib.adapters.models import CaseRecord, LegacyCaseRecord, LegacyReviewRecord, ReviewRecord

    with mid_migration(monkeypatch, "QUEUE_MIGRATION", [CaseRecord, LegacyCaseRecord, ReviewRecord, LegacyReviewRecord],
                       [("cases", "by_receiving_office", "receiving_office_id", "receiving_sort", "S"),
                        ("cases", "by_handling_office", "handling_office_id", "handling_sort", "S"),
                        ("reviews", "by_office", "office_id", "created_at", "S"),
                        ("reviews", "by_city", "city", "created_at", "S")]) as client:
        yield client


def _old_format(client: Any, n: int) -> str:
    """A case as the previous release stored it: old work-queue keys, no sharded ones."""
    from chalicelib.config import settings
    from chalicelib.domain.actor import Actor

    case, _ = service_apply(Actor(f"old-{n}", "citizen"), application(id_seed=100 + n))
    client.update_item(TableName=settings().name("cases"), Key={"case_no": {"S": case.case_no}},
                       UpdateExpression="REMOVE receiving_queue, handling_queue, queue_order")
    return str(case.case_no)


def _queue(office: str = "SZ-GOV") -> list[str]:
    from chalicelib.bootstrap import unit_of_work

    out: list[str] = []
    cursor = None
    while True:
        cases, cursor = unit_of_work().cases.office_queue(office, None, 3, cursor)
        out += [c.case_no for c in cases]
        if cursor is None:
            return out


def test_a_stage_moves_to_the_sharded_queues_without_losing_a_case(migrating, monkeypatch):
    from chalicelib.config import settings
    from chalicelib.domain.actor import Actor
    from tools import backfill

    old = [_old_format(migrating, n) for n in range(5)]
    new, _ = service_apply(Actor("new-0", "citizen"), application(id_seed=200))  # written by this release
    everyone = sorted([*old, new.case_no])
    assert sorted(_queue()) == everyone  # legacy reads: the old indexes list old and new cases

    dry = backfill.backfill(dry_run=True, client=migrating)
    assert (dry.table, dry.scanned, dry.to_change, dry.changed) == ("cases", 6, 5, 0)
    assert backfill.backfill(dry_run=True, client=migrating).to_change == 5  # the dry run changed nothing

    # A case the application changes between the scan and the update is read again and retried.
    real_update = backfill._update
    raced: list[str] = []

    def update_after_a_change(client: Any, table: str, item: dict[str, Any], *args: Any) -> None:
        if not raced:
            raced.append(item["case_no"]["S"])
            client.update_item(TableName=table, Key={"case_no": item["case_no"]},
                               UpdateExpression="SET version = version + :one",
                               ExpressionAttributeValues={":one": {"N": "1"}})
        real_update(client, table, item, *args)

    monkeypatch.setattr(backfill, "_update", update_after_a_change)
    done = backfill.backfill(dry_run=False, client=migrating)
    assert (done.to_change, done.changed, done.retried, done.failed) == (5, 5, 1, 0)
    monkeypatch.setattr(backfill, "_update", real_update)

    monkeypatch.setenv("QUEUE_MIGRATION", "")  # the switch
    settings.cache_clear()
    assert _queue() == everyone  # every case once, oldest first, from the sharded indexes
    again = backfill.backfill(dry_run=False, client=migrating)
    assert (again.to_change, again.changed) == (0, 0)
    cleaned = backfill.backfill(dry_run=False, remove_legacy=True, client=migrating)
    assert cleaned.changed == 6  # the old keys removed from every case
    assert backfill.backfill(dry_run=True, remove_legacy=True, client=migrating).to_change == 0
    assert _queue() == everyone


def test_the_command_line_dry_run_prints_its_summary(aws, capsys):
    from tools import backfill

    assert backfill.main(["--dry-run", "--segments", "2"]) == 0
    out = capsys.readouterr().out
    assert '"table": "cases"' in out and '"table": "reviews"' in out and '"dry_run": true' in out


def test_old_reviews_get_their_listing_keys_and_are_listed_after_the_switch(migrating, monkeypatch):
    from chalicelib.bootstrap import unit_of_work
    from chalicelib.config import settings
    from chalicelib.domain.actor import Actor
    from chalicelib.domain.reviews import Stage
    from chalicelib.domain.workdays import utcnow
    from tests.review_support import received
    from tests.support import submit_review
    from tools import backfill

    numbers = []
    for n in range(4):
        case = received(at=utcnow(), sub=f"rev-{n}")
        submit_review(Actor(f"rev-{n}", "citizen"), case.case_no,
                      {"stage": "receiving", "rating": 3 + n % 3})
        numbers.append(case.case_no)
    for case_no in numbers[:3]:  # as the previous release stored them: no sharded listing keys
        migrating.update_item(TableName=settings().name("reviews"),
                              Key={"case_no": {"S": case_no}, "stage": {"S": "receiving"}},
                              UpdateExpression="REMOVE office_shard, city_shard, review_order")

    def listed() -> list[str]:
        out, cursor = [], None
        while True:
            page, cursor = unit_of_work().reviews.listing("office_id", "SZ-GOV", 2, cursor, None, None)
            out += [r.case_no for r in page]
            if cursor is None:
                return sorted(out)

    assert listed() == sorted(numbers)  # legacy reads: the old indexes
    assert backfill.backfill(dry_run=True, client=migrating, logical="reviews").to_change == 3
    done = backfill.backfill(dry_run=False, client=migrating, logical="reviews")
    assert (done.to_change, done.changed, done.failed) == (3, 3, 0)
    monkeypatch.setenv("QUEUE_MIGRATION", "")
    settings.cache_clear()
    assert listed() == sorted(numbers)  # the sharded indexes: every review once
    assert backfill.backfill(dry_run=False, client=migrating, logical="reviews").to_change == 0
    assert unit_of_work().reviews.get(numbers[0], Stage.RECEIVING) is not None


@pytest.fixture
def parcels_migrating(aws: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The parcels table in the middle of its migration: the old listing indexes too, the app runs legacy."""
    from chalicelib.adapters.models import LegacyParcelRecord, ParcelRecord

    with mid_migration(monkeypatch, "QUEUE_MIGRATION", [ParcelRecord, LegacyParcelRecord],
                       [("parcels", "parcels_from", "from_office_id", "listing", "S"),
                        ("parcels", "parcels_to", "to_office_id", "listing", "S")]) as client:
        yield client


def _old_parcel(client: Any, day: int, status: str, cases: int, to_office: str = "DG-GOV") -> tuple[str, list[str]]:
    """A parcel as the release before the sheets stored it: its handover list in its body, its listing key
    ``status#day#parcel_id`` on the old indexes, none of the sharded keys."""
    import json

    from chalicelib.config import settings

    parcel_id = f"M-SZ-GOV-{to_office}-202603{day:02d}"
    case_nos = [f"KC440300202603{day:02d}{n:05d}" for n in range(1, cases + 1)]
    items = [{"case_no": c, "joined_at": f"2026-03-{day:02d}T0{n}:00:00+00:00", "state": "PACKED",
              "checked_at": None, "checked_by": None, "note": ""} for n, c in enumerate(case_nos)]
    body = {"collection_day": f"2026-03-{day:02d}", "cutoff_at": f"2026-03-{day:02d}T08:00:00+00:00",
            "opened_at": f"2026-03-{day:02d}T00:00:00+00:00", "waybill": None if status == "OPEN" else f"EMS9{day}",
            "sealed_at": None, "arrived_at": None, "courier": "", "service": "", "cost_cny": 0.0, "items": items}
    item = {"parcel_id": {"S": parcel_id}, "version": {"N": str(cases)}, "kind": {"S": "MATERIALS"},
            "status": {"S": status}, "from_office_id": {"S": "SZ-GOV"}, "to_office_id": {"S": to_office},
            "listing": {"S": f"{status}#2026-03-{day:02d}#{parcel_id}"}, "body": {"S": json.dumps(body)}}
    if status == "OPEN":
        item.update(seal_shard={"S": "0"}, seal_at={"S": body["cutoff_at"]})
    client.put_item(TableName=settings().name("parcels"), Item=item)
    return parcel_id, case_nos


def test_a_stage_moves_its_parcels_to_sheets_and_sharded_listings_without_losing_a_case(parcels_migrating,
                                                                                        monkeypatch):
    from datetime import UTC, datetime

    from chalicelib.adapters.reference_store import catalogue
    from chalicelib.bootstrap import unit_of_work
    from chalicelib.config import settings
    from chalicelib.domain.shipping import LegKind
    from chalicelib.services import parcels
    from tools import backfill

    stored = dict(_old_parcel(parcels_migrating, d, "SEALED", 3) for d in (2, 3, 4))
    open_id, open_cases = _old_parcel(parcels_migrating, 5, "OPEN", 2, to_office="ZH-GOV")
    stored[open_id] = open_cases

    def listed() -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        cursor = None
        while True:
            page, cursor = unit_of_work().parcels.of_office("SZ-GOV", "outgoing", None, 2, cursor)
            out.update({p.parcel_id: p.case_nos for p in page})
            if cursor is None:
                return out

    assert listed() == stored  # legacy reads: the old indexes, the lists in the headers
    # A case joining an old-format open parcel rewrites it as header and sheets, the list kept whole.
    joiner = "KC4403002026030500099"
    with unit_of_work() as uow:
        joined = parcels.join_parcel(uow, LegKind.MATERIALS, catalogue().office("SZ-GOV"), "ZH-GOV", joiner,
                                     datetime(2026, 3, 5, 1, 0, tzinfo=UTC))
        uow.commit()
    assert joined.parcel_id == open_id
    stored[open_id] = [*open_cases, joiner]

    dry = backfill.backfill(dry_run=True, client=parcels_migrating, logical="parcels")
    assert (dry.table, dry.to_change, dry.changed) == ("parcels", 3, 0)
    assert backfill.backfill(dry_run=True, client=parcels_migrating, logical="parcels").to_change == 3
    assert listed() == stored  # the dry run changed nothing
    done = backfill.backfill(dry_run=False, client=parcels_migrating, logical="parcels")
    assert (done.to_change, done.changed, done.failed) == (3, 3, 0)

    monkeypatch.setenv("QUEUE_MIGRATION", "")  # the switch: the sharded keys-only indexes
    settings.cache_clear()
    assert listed() == stored
    assert list(listed()) == sorted(stored, reverse=True)  # newest collection first
    again = backfill.backfill(dry_run=False, client=parcels_migrating, logical="parcels")
    assert (again.to_change, again.changed) == (0, 0)
    cleaned = backfill.backfill(dry_run=False, remove_legacy=True, client=parcels_migrating, logical="parcels")
    assert cleaned.changed == 4  # the old listing key removed from every header
    assert listed() == stored
    sealed = unit_of_work().parcels.get(next(iter(stored)))
    assert sealed.status.value == "SEALED" and sealed.waybill
