"""A review slot's item on DynamoDB (issue 15's lighter writes): opened by one put conditional on the item not
existing, closed (not deleted) by the stage's review, in the review's transaction: the closed item keeps the
key, leaves the sparse ``due`` index and expires after SLOT_CLOSED_DAYS.

On moto (``aws``): the item's attributes and the index membership are adapter matters the in-memory unit of
work does not model."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import boto3

from chalicelib.domain.reference import Catalogue
from chalicelib.domain.reviews import ReviewSlot, Stage, default_review
from chalicelib.domain.statistics import contribution
from chalicelib.reference import load_files

CAT = Catalogue.from_rows(load_files())
T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
CASE = "KC4403002026030200001"


def test_a_reviewed_stage_keeps_a_closed_slot_out_of_the_due_index_until_it_expires(aws):
    from chalicelib.adapters.dynamodb import DynamoUnitOfWork
    from chalicelib.adapters.review_repository import SLOT_CLOSED_DAYS
    from chalicelib.config import settings

    client = boto3.client("dynamodb", region_name="us-east-1")
    table = settings().name("review-slots")
    slot = ReviewSlot(CASE, Stage.RECEIVING, "SZ-GOV", "440300", "DG-SI-CERT", T0, T0 + timedelta(days=15))
    with DynamoUnitOfWork() as uow:
        uow.reviews.open_slot(slot)
        uow.commit()
    key = {"case_no": {"S": CASE}, "stage": {"S": "receiving"}}
    opened = client.get_item(TableName=table, Key=key)["Item"]
    assert {"due_shard", "due_at", "office_id"} <= set(opened) and "expires_at" not in opened

    review = default_review(CASE, Stage.RECEIVING, "SZ-GOV", "440300", "DG-SI-CERT", T0, T0 + timedelta(days=15),
                            CAT.review_policy("440300"))
    with DynamoUnitOfWork() as uow:
        uow.reviews.add(review, contribution(review))
        uow.commit()
    closed = client.get_item(TableName=table, Key=key)["Item"]
    assert set(closed) == {"case_no", "stage", "closed_at", "expires_at"}
    assert int(closed["expires_at"]["N"]) == int((review.created_at + timedelta(days=SLOT_CLOSED_DAYS)).timestamp())
    assert client.describe_time_to_live(TableName=table)["TimeToLiveDescription"]["AttributeName"] == "expires_at"
    due = [client.query(TableName=table, IndexName="due", KeyConditionExpression="due_shard = :s",
                        ExpressionAttributeValues={":s": {"S": str(s)}})["Items"]
           for s in range(settings().sweep_shards)]
    assert not any(due)
    assert list(DynamoUnitOfWork().reviews.due_slots(T0 + timedelta(days=30))) == []
