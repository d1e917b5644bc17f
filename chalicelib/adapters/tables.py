"""Every table of the application: its model, its TTL, and how a failed condition reads (creating tables is
provisioning: infra/ in the cloud, tools/provision.py for the emulator)."""
from __future__ import annotations

from pynamodb.models import Model

from . import models


def all_models() -> list[type[Model]]:
    """All PynamoDB models, one per table. New tables are registered here."""
    return list(models.TABLES)


def ttl_attribute(model: type[Model]) -> str | None:
    table_name: str = model.Meta.table_name
    logical = table_name.split("-", 2)[-1]
    return models.TTL_ATTRIBUTES.get(logical)


def condition_failed(err: Exception) -> bool:
    """Whether a PynamoDB write failed on its condition (not on a throttle, timeout or server error).

    Reads the botocore error itself: PynamoDB's ``cause_response_code`` raises AttributeError when the cause
    is a timeout, which has no response."""
    response = getattr(getattr(err, "cause", None), "response", None) or {}
    return bool(response.get("Error", {}).get("Code") == "ConditionalCheckFailedException")
