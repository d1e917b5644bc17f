"""Every table of the application and how to create it (local stack, tests, template checks)."""
from __future__ import annotations

from typing import Any

from pynamodb.models import Model

from . import models


def all_models() -> list[type[Model]]:
    """All PynamoDB models, one per table. New tables are registered here."""
    return list(models.TABLES)


def ttl_attribute(model: type[Model]) -> str | None:
    table_name: str = model.Meta.table_name
    logical = table_name.split("-", 2)[-1]
    return models.TTL_ATTRIBUTES.get(logical)


def create_tables(client: Any) -> list[str]:
    """Create every missing table (and its TTL) with a boto3 DynamoDB client; safe to run twice."""
    existing: set[str] = set()
    for page in client.get_paginator("list_tables").paginate():
        existing.update(page["TableNames"])
    created = []
    for model in all_models():
        name = model.Meta.table_name
        if name in existing:
            continue
        model.create_table(wait=False, billing_mode="PAY_PER_REQUEST")
        client.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
        created.append(name)
        if model is models.CounterRecord:  # a new counters table: numbers held in blocks are not its own
            from .dynamodb import forget_blocks

            forget_blocks()
        attr = ttl_attribute(model)
        if attr:
            client.update_time_to_live(
                TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": attr}
            )
    return created


def condition_failed(err: Exception) -> bool:
    """Whether a PynamoDB write failed on its condition (not on a throttle, timeout or server error).

    Reads the botocore error itself: PynamoDB's ``cause_response_code`` raises AttributeError when the cause
    is a timeout, which has no response."""
    response = getattr(getattr(err, "cause", None), "response", None) or {}
    return bool(response.get("Error", {}).get("Code") == "ConditionalCheckFailedException")
