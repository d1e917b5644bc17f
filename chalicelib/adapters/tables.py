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


def create_tables(client: Any | None = None) -> list[str]:
    """Create every missing table (and its TTL); safe to run twice."""
    created = []
    for model in all_models():
        if not model.exists():
            model.create_table(wait=True, billing_mode="PAY_PER_REQUEST")
            created.append(model.Meta.table_name)
            attr = ttl_attribute(model)
            if attr and client is not None:
                client.update_time_to_live(
                    TableName=model.Meta.table_name,
                    TimeToLiveSpecification={"Enabled": True, "AttributeName": attr},
                )
    return created
