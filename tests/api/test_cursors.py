"""Every list's cursor is checked in one place (chalicelib/api/http.py): it must carry this API's signature for
the very listing it came from (path, filters, caller). Before, each repository checked its own, and a forged
work-queue cursor (valid base64 of ``{"i":"x"}``) was a 500 and a negative index re-listed cases."""
from __future__ import annotations

import base64
import json

import pytest

from tests.support import apply_case, call, citizen, staff, supervisor


def _b64(value: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


FORGED = [
    _b64({"i": "x"}),
    _b64({"i": -1, "k": None}),
    _b64({"i": 1, "k": None}),
    _b64({"k": None}),
    _b64({"p": 0, "k": None}),
    _b64([1, 2]),
    _b64({"i": 0, "k": {"case_no": {"S": "KC4403002026120100001"}, "receiving_office_id": {"S": "SZ-GOV"},
                        "receiving_sort": {"S": "SUBMITTED#2026-12-01T00:00:00+00:00#KC4403002026120100001"}}}),
    _b64({"i": 0}) + "." + "A" * 24,
    "%%%", "..", ".", "a.b.c", "é" * 10, "A" * 5000,
]
LISTS = [("/offices/SZ-GOV/cases", staff("SZ-GOV")), ("/me/cases", citizen()), ("/reviews", supervisor("440000"))]


@pytest.mark.parametrize("path, hdrs", LISTS)
def test_forged_cursors_are_400_on_every_list(client, path, hdrs):
    for cursor in FORGED:
        status, body = call(client, "GET", f"{path}?cursor={cursor}", hdrs)
        assert status == 400 and body["field"] == "cursor", (cursor, body)


def _first_page(client, path, hdrs):
    status, page = call(client, "GET", path, hdrs)
    assert status == 200 and page["next_cursor"], page
    return page["next_cursor"]


@pytest.mark.emulator  # on moto: DynamoDB's cursor keys
def test_a_cursor_is_good_only_for_its_own_listing_and_caller(client):
    for i in range(3):
        apply_case(client, "alice", id_seed=i)
        apply_case(client, "bob", id_seed=10 + i)
    mine = _first_page(client, "/me/cases?limit=1", citizen("alice"))
    assert call(client, "GET", f"/me/cases?limit=1&cursor={mine}", citizen("alice"))[0] == 200
    assert call(client, "GET", f"/me/cases?limit=2&cursor={mine}", citizen("alice"))[0] == 200  # page size may vary
    # Another citizen replaying alice's cursor, or the cursor on another list, or tampered with.
    assert call(client, "GET", f"/me/cases?cursor={mine}", citizen("bob"))[0] == 400
    assert call(client, "GET", f"/offices/SZ-GOV/cases?cursor={mine}", staff("SZ-GOV"))[0] == 400
    payload, _, mac = mine.partition(".")
    decoded = json.loads(base64.urlsafe_b64decode(payload + "==="))
    decoded["k"]["applicant_sub"]["S"] = "bob"
    assert call(client, "GET", f"/me/cases?cursor={_b64(decoded)}.{mac}", citizen("alice"))[0] == 400

    queue = _first_page(client, "/offices/SZ-GOV/cases?limit=1&status=SUBMITTED", staff("SZ-GOV"))
    assert call(client, "GET", f"/offices/SZ-GOV/cases?limit=1&status=SUBMITTED&cursor={queue}",
                staff("SZ-GOV"))[0] == 200
    # The same cursor with another filter, or for another office's queue (by its admin or staff).
    assert call(client, "GET", f"/offices/SZ-GOV/cases?cursor={queue}", staff("SZ-GOV"))[0] == 400
    assert call(client, "GET", f"/offices/DG-GOV/cases?cursor={queue}", staff("DG-GOV"))[0] == 400
    payload, _, mac = queue.partition(".")
    negative = json.loads(base64.urlsafe_b64decode(payload + "==="))
    negative["i"] = -1
    status, body = call(client, "GET", f"/offices/SZ-GOV/cases?status=SUBMITTED&cursor={_b64(negative)}.{mac}",
                        staff("SZ-GOV"))
    assert status == 400 and body["field"] == "cursor"
