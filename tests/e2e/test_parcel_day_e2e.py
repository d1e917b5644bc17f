"""A day at the SZ-GOV cross-city window with consolidated parcels (合包), end to end through the real app
(routes, queues, outbox stream, the sealing schedule, the courier's signed webhook) on the emulator, with the
clock moved to the day's 16:00 cut-off for the collection: several cases forwarded to DG-GOV travel in one
parcel with one waybill, are delivered together and signed together against the handover list (交接单).

In-process (chalice's test client and the pump) rather than over the local stack, whose demo courier collects
continuously: here the collection happens once, at the cut-off, as in the cloud. The contract walk over HTTP
(test_contract_e2e.py) runs on the local stack with consolidation on."""
from __future__ import annotations

from datetime import timedelta
from typing import Any
from unittest.mock import patch

from chalicelib.domain.workdays import parse_instant
from tests.shipping_support import courier_event, legs_of
from tests.support import application, call, citizen, staff

CASES = 5


def test_a_day_of_forwards_one_parcel_delivered_and_signed_together(client: Any, pump: Any, consolidated: None):
    sz, dg = staff("SZ-GOV"), staff("DG-GOV")
    case_nos = []
    for n in range(CASES):
        status, data = call(client, "POST", "/cases", citizen(f"day-{n}"), application(id_seed=1600 + n))
        assert status == 201, data
        case_nos.append(data["case_no"])
        assert call(client, "POST", f"/cases/{data['case_no']}/receive", sz, {})[0] == 200
        assert call(client, "POST", f"/cases/{data['case_no']}/forward", sz, {"note": "合包"})[0] == 200
    pump.run_until_idle()

    status, listed = call(client, "GET", "/offices/SZ-GOV/parcels?status=OPEN", sz)
    assert status == 200 and len(listed["items"]) == 1, listed
    parcel = listed["items"][0]
    assert (parcel["to_office_id"], parcel["case_count"], parcel["waybill"]) == ("DG-GOV", CASES, None)
    pump.seal()  # the schedule before the cut-off: nothing is collected yet
    assert call(client, "GET", f"/parcels/{parcel['parcel_id']}", dg)[1]["status"] in ("OPEN", "SEALED")

    # The clock reaches the office's 16:00 cut-off: the collection seals the parcel and books one waybill.
    with patch("chalicelib.services.parcels.utcnow", return_value=parse_instant(parcel["cutoff_at"])):
        pump.seal()
        pump.seal()  # a second run seals nothing twice
    pump.run_until_idle()
    status, sealed = call(client, "GET", f"/parcels/{parcel['parcel_id']}", dg)
    assert status == 200 and sealed["status"] == "SEALED" and sealed["waybill"], sealed
    assert [i["case_no"] for i in sealed["items"]] == case_nos
    waybills = {leg["waybill"] for no in case_nos for leg in legs_of(client, no, sz)}
    assert waybills == {sealed["waybill"]}  # one parcel for the day's cases

    for i, event in enumerate(("PICKED_UP", "IN_TRANSIT", "DELIVERED")):
        when = parse_instant(parcel["cutoff_at"]) + timedelta(hours=1 + 8 * i)
        assert courier_event(client, sealed["waybill"], event, when.isoformat())[0] == 202
    pump.run_until_idle()
    status, signed = call(client, "POST", f"/parcels/{parcel['parcel_id']}/sign", dg, {"note": "按交接单核对"})
    assert status == 200 and signed["status"] == "ARRIVED", signed
    assert {i["state"] for i in signed["items"]} == {"SIGNED"} and {i["status"] for i in signed["items"]} == {
        "ACCEPTED"}
    assert [e["event"] for e in signed["events"]] == ["CREATED", "PICKED_UP", "IN_TRANSIT", "DELIVERED"]
    for no in case_nos:
        timeline = call(client, "GET", f"/cases/{no}/timeline", dg)[1]["items"]
        assert [e["action"] for e in timeline].count("sign") == 1
