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

import boto3
import pytest

from tests.support import application, service_apply


@pytest.fixture
def migrating(aws: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The stage in the middle of its migration: the tables also have the old indexes, the app runs legacy."""
    from chalicelib.config import settings

    client = boto3.client("dynamodb", region_name="us-east-1")
    for logical, name, office, sort in (("cases", "by_receiving_office", "receiving_office_id", "receiving_sort"),
                                        ("cases", "by_handling_office", "handling_office_id", "handling_sort"),
                                        ("reviews", "by_office", "office_id", "created_at"),
                                        ("reviews", "by_city", "city", "created_at")):
        client.update_table(
            TableName=settings().name(logical),
            AttributeDefinitions=[{"AttributeName": office, "AttributeType": "S"},
                                  {"AttributeName": sort, "AttributeType": "S"}],
            GlobalSecondaryIndexUpdates=[{"Create": {
                "IndexName": name, "Projection": {"ProjectionType": "ALL"},
                "KeySchema": [{"AttributeName": office, "KeyType": "HASH"},
                              {"AttributeName": sort, "KeyType": "RANGE"}]}}])
    from chalicelib.adapters.models import CaseRecord, LegacyCaseRecord, LegacyReviewRecord, ReviewRecord

    # As a new container: the tables' new indexes.
    CaseRecord._connection = LegacyCaseRecord._connection = None
    ReviewRecord._connection = LegacyReviewRecord._connection = None
    monkeypatch.setenv("QUEUE_MIGRATION", "legacy")
    settings.cache_clear()
    yield client
    monkeypatch.undo()
    settings.cache_clear()
    CaseRecord._connection = LegacyCaseRecord._connection = None
    ReviewRecord._connection = LegacyReviewRecord._connection = None


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
