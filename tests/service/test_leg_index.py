"""The legs of a case from the keys-only ``by_case_keys`` index and the table (issue 15's lighter writes), and
the move from the ALL-projected ``by_case`` (infra/README.md): while a stage migrates
(LEG_INDEX_MIGRATION=legacy) the legs are read from the old index, after the switch from the new one, the
same legs in the same order; the new index holds keys only, so a leg's changes rewrite no entry of it.

On moto (``aws``): index projections and BatchGetItem are adapter matters the in-memory unit of work does not
model."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest

from chalicelib.domain.reference import Catalogue
from chalicelib.domain.shipping import LegKind, LegStatus, Shipment, TrackingEvent, plan_leg
from chalicelib.reference import load_files
from tests.storage import mid_migration

CAT = Catalogue.from_rows(load_files())
T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
CASE = "KC4403002026030200001"


def _leg(case_no: str, waybill: str, version: int, kind: LegKind = LegKind.MATERIALS) -> Shipment:
    origin, to = ("DG-GOV", "SZ-GOV") if kind is LegKind.RESULT else ("SZ-GOV", "DG-GOV")
    return plan_leg(case_no=case_no, case_version=version, kind=kind, waybill=waybill, origin=CAT.offices[origin],
                    route=CAT.route_between(origin, to), handed_over_at=T0, to_office_id=to)


def _legs() -> list[Shipment]:
    """Planned by case versions 3, 4 (a re-ship) and 7; stored out of that order."""
    return [_leg(CASE, "EMS000000000009", 7, LegKind.RESULT), _leg(CASE, "EMS000000000002", 3),
            _leg(CASE, "EMS000000000005", 4)]


def _store(legs: list[Shipment]) -> None:
    from chalicelib.adapters.shipment_repository import DynamoLegRepository
    from chalicelib.adapters.transaction import Transaction

    for leg in legs:
        tx = Transaction()
        DynamoLegRepository(tx).add(leg)
        tx.commit()


def _for_case(case_no: str = CASE) -> list[Shipment]:
    from chalicelib.adapters.shipment_repository import DynamoLegRepository
    from chalicelib.adapters.transaction import Transaction

    return DynamoLegRepository(Transaction()).for_case(case_no)


@pytest.fixture
def migrating(aws: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The shipments table in the middle of the move: the old ``by_case`` (ALL) beside ``by_case_keys``, the
    app reading the old one."""
    from chalicelib.adapters.models import LegacyShipmentRecord, ShipmentRecord

    with mid_migration(monkeypatch, "LEG_INDEX_MIGRATION", [ShipmentRecord, LegacyShipmentRecord],
                       [("shipments", "by_case", "case_no", "case_version", "N")]) as client:
        yield client


def test_the_legs_of_a_case_come_whole_and_in_planned_order_from_a_keys_only_index(aws):
    from chalicelib.adapters.models import ShipmentRecord
    from chalicelib.config import settings

    legs = _legs()
    _store(legs)
    _store([_leg("KC4403002026030200002", "EMS000000000003", 3)])  # another case's leg: not listed
    schema = ShipmentRecord._get_schema()
    index = next(i for i in schema["global_secondary_indexes"] if i["index_name"] == "by_case_keys")
    assert index["projection"] == {"ProjectionType": "KEYS_ONLY"}
    assert "by_case" not in {i["index_name"] for i in schema["global_secondary_indexes"]}

    # The index entries carry the keys only: a leg's status, events and deadlines are not in them.
    raw = boto3.client("dynamodb", region_name="us-east-1").query(
        TableName=settings().name("shipments"), IndexName="by_case_keys",
        KeyConditionExpression="case_no = :c", ExpressionAttributeValues={":c": {"S": CASE}})["Items"]
    assert {frozenset(i) for i in raw} == {frozenset({"waybill", "case_no", "case_version"})}

    got = _for_case()
    assert [leg.case_version for leg in got] == [3, 4, 7]
    assert [leg.waybill for leg in got] == ["EMS000000000002", "EMS000000000005", "EMS000000000009"]
    assert {leg.waybill: leg for leg in got} == {leg.waybill: leg for leg in legs}  # whole, as written
    assert _for_case("KC4403002026030200099") == []


def test_a_leg_change_is_read_back_through_the_keys_only_index(aws):
    from chalicelib.adapters.shipment_repository import DynamoLegRepository
    from chalicelib.adapters.transaction import Transaction

    legs = _legs()
    _store(legs)
    leg = _for_case()[0]
    leg.status = LegStatus.PICKED_UP
    leg.events.append(TrackingEvent(LegStatus.PICKED_UP, T0))
    tx = Transaction()
    DynamoLegRepository(tx).update(leg)
    tx.commit()
    again = _for_case()[0]
    assert (again.waybill, again.status, again.version, again.events) == (leg.waybill, LegStatus.PICKED_UP, 2,
                                                                          leg.events)


def test_a_stage_reads_the_old_index_while_it_migrates_and_the_same_legs_after_the_switch(migrating, monkeypatch):
    from chalicelib.config import settings

    _store(_legs())  # legs stored before the new index: DynamoDB builds it from them (same key attributes)
    during = _for_case()
    assert [leg.waybill for leg in during] == ["EMS000000000002", "EMS000000000005", "EMS000000000009"]
    monkeypatch.setenv("LEG_INDEX_MIGRATION", "")  # the switch
    settings.cache_clear()
    assert _for_case() == during

