"""Table definitions derived from the application's PynamoDB models, so the cloud cannot drift from the code.

Pure Python (no CDK): the stack builds its tables from these specs and the tests compare the synthesized
template with them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

KEY_TYPES = {"S": "STRING", "N": "NUMBER", "B": "BINARY"}


@dataclass(frozen=True)
class Key:
    name: str
    type: str  # DynamoDB attribute type: S, N or B


@dataclass(frozen=True)
class Index:
    name: str
    partition_key: Key
    sort_key: Key | None
    projection: str  # ALL, KEYS_ONLY or INCLUDE
    non_key_attributes: tuple[str, ...] = ()


@dataclass(frozen=True)
class TableSpec:
    logical: str  # the name without the stage prefix, e.g. "cases"
    partition_key: Key
    sort_key: Key | None
    global_indexes: tuple[Index, ...] = ()
    local_indexes: tuple[Index, ...] = ()
    stream_view_type: str | None = None
    ttl_attribute: str | None = None
    attribute_types: dict[str, str] = field(default_factory=dict)

    def name(self, resource_prefix: str) -> str:
        return f"{resource_prefix}-{self.logical}"


def _keys(key_schema: list[dict[str, str]], types: dict[str, str]) -> tuple[Key, Key | None]:
    hash_key = next(k["AttributeName"] for k in key_schema if k["KeyType"] == "HASH")
    range_key = next((k["AttributeName"] for k in key_schema if k["KeyType"] == "RANGE"), None)
    return Key(hash_key, types[hash_key]), Key(range_key, types[range_key]) if range_key else None


def _index(raw: dict[str, Any], types: dict[str, str]) -> Index:
    pk, sk = _keys(raw["key_schema"], types)
    projection = raw.get("projection") or {"ProjectionType": "ALL"}
    return Index(
        name=raw["index_name"], partition_key=pk, sort_key=sk, projection=projection["ProjectionType"],
        non_key_attributes=tuple(projection.get("NonKeyAttributes", ())),
    )


def table_specs() -> list[TableSpec]:
    """One spec per table registered in ``chalicelib.adapters.tables.all_models()``."""
    from chalicelib.adapters import models, tables
    from chalicelib.config import settings

    prefix = settings().resource_prefix + "-"
    specs = []
    for model in tables.all_models():
        schema: Any = model._get_schema()
        types = {a["AttributeName"]: a["AttributeType"] for a in schema["attribute_definitions"]}
        for index in [*schema["global_secondary_indexes"], *schema["local_secondary_indexes"]]:
            types.update({a["AttributeName"]: a["AttributeType"] for a in index.get("attribute_definitions", [])})
        table_name: str = model.Meta.table_name
        if not table_name.startswith(prefix):
            raise ValueError(f"table {table_name} does not follow the {prefix}<logical> naming convention")
        logical = table_name[len(prefix):]
        pk, sk = _keys(schema["key_schema"], types)
        specs.append(TableSpec(
            logical=logical,
            partition_key=pk,
            sort_key=sk,
            global_indexes=tuple(sorted((_index(i, types) for i in schema["global_secondary_indexes"]),
                                        key=lambda i: i.name)),
            local_indexes=tuple(sorted((_index(i, types) for i in schema["local_secondary_indexes"]),
                                       key=lambda i: i.name)),
            stream_view_type=getattr(model.Meta, "stream_view_type", None),
            ttl_attribute=models.TTL_ATTRIBUTES.get(logical),
            attribute_types=types,
        ))
    return specs
