"""Reference data files (offices, cities, routes, matter catalogue, review policies, case
deadlines), seeded into DynamoDB."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).parent
KINDS = ("offices", "cities", "routes", "address_routes", "matters", "review_policies",
         "case_deadlines")
ID_FIELDS = {
    "offices": ("office_id",),
    "cities": ("code",),
    "routes": ("from_office_id", "to_office_id"),
    "address_routes": ("from_office_id", "to_city"),
    "matters": ("matter_id",),
    "review_policies": ("city",),
    "case_deadlines": ("policy",),
}


def load_files(directory: Path = DATA_DIR) -> dict[str, list[dict[str, Any]]]:
    return {kind: json.loads((directory / f"{kind}.json").read_text("utf-8")) for kind in KINDS}


def row_id(kind: str, row: dict[str, Any]) -> str:
    return "#".join(str(row[f]) for f in ID_FIELDS[kind])
