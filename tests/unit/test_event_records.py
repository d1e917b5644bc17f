"""A case's step is relayed from its timeline event (adapters/event_records.py): the event rebuilt from the stored
timeline entry and its four relay fields must be the event the change made, whatever the step."""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.adapters.event_records import case_event_payload, payload_of_stream_record, relay_fields
from chalicelib.domain.actor import Actor
from chalicelib.domain.case import Applicant, Case, Change, Delivery, MaterialItem, case_event, new_case, timeline_entry
from chalicelib.domain.events import decode, encode
from chalicelib.domain.reference import Catalogue
from chalicelib.reference import load_files

CAT = Catalogue.from_rows(load_files())
T0 = datetime(2026, 12, 31, 15, 59, 59, 999999, tzinfo=UTC)  # the last instant of a year in China


def _steps() -> list[tuple[Case, Change]]:
    matter = CAT.matters["DG-SI-CERT"]
    case, applied = new_case(
        case_no="KC4403002026123100007", actor=Actor("alice", "citizen"), at=T0, matter=matter,
        receiving_office=CAT.offices["SZ-GOV"],
        applicant=Applicant("张三", "RESIDENT_ID", "11010519491231002X", "13800138000", "alice"),
        materials=[MaterialItem(m.name, m.core, True) for m in matter.materials], delivery=Delivery("PICKUP_HANDLING"))
    case.version = 1
    steps = [(case, applied)]
    staff = Actor("w1", "staff", office_id="SZ-GOV", city="440300")
    received = case.receive(staff, T0 + timedelta(hours=1), matter, [], "原件已核", 5)
    case.version = 2
    steps.append((case, received))
    return steps


def _image(case: Case, change: Change) -> dict[str, Any]:
    """The stream's NewImage of the timeline event the repository writes for the change."""
    image: dict[str, Any] = {"case_no": {"S": case.case_no}, "seq": {"N": str(case.version)},
                             "event": {"S": json.dumps(timeline_entry(change, case.version), ensure_ascii=False)}}
    image.update({k: {"S": v} for k, v in relay_fields(case, change).items() if v is not None})
    return image


def test_the_relayed_event_of_every_step_is_the_event_the_change_made():
    for case, change in _steps():
        expected = encode(case_event(case, change))
        entry = timeline_entry(change, case.version)
        assert case_event_payload(case.case_no, entry, relay_fields(case, change)) == expected
        record = {"eventName": "INSERT", "dynamodb": {"NewImage": _image(case, change)}}
        assert payload_of_stream_record(record) == expected
        assert encode(decode(expected)) == expected  # the consumers' decoding takes it as it is


def test_only_new_items_that_hold_an_event_are_relayed():
    case, change = _steps()[1]
    image = _image(case, change)
    assert payload_of_stream_record({"eventName": "MODIFY", "dynamodb": {"NewImage": image}}) is None
    assert payload_of_stream_record({"eventName": "REMOVE", "dynamodb": {}}) is None
    before = {k: v for k, v in image.items() if k in ("case_no", "seq", "event")}  # a timeline event of before
    assert payload_of_stream_record({"eventName": "INSERT", "dynamodb": {"NewImage": before}}) is None
    outbox = {"payload": {"S": json.dumps({"type": "review.bad", "event_id": "r1"})}}
    assert payload_of_stream_record({"eventName": "INSERT", "dynamodb": {"NewImage": outbox}})["event_id"] == "r1"


@pytest.mark.parametrize("stored", ["not json", "[1, 2]"])
def test_a_damaged_timeline_event_fails_its_record(stored):
    case, change = _steps()[1]
    image = {**_image(case, change), "event": {"S": stored}}
    with pytest.raises(ValueError):
        payload_of_stream_record({"eventName": "INSERT", "dynamodb": {"NewImage": image}})
