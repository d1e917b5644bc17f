"""The HTTP contract of consolidated parcels (合包): forward with or without the urgent flag, an office's
parcels for its own staff, the parcel view (waybill, pair, sealed at, handover list, events) for staff of
both offices, signing against the handover list and marking a case missing; every route checks role and
scope, and bad input is a 400 naming the field."""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

import pytest

from chalicelib.domain.workdays import utcnow
from chalicelib.services import parcels
from tests.shipping_support import at, courier_event, legs_of
from tests.support import application, call, citizen, staff


def _forwarded(client, n: int, body: dict | None = None) -> str:
    status, data = call(client, "POST", "/cases", citizen(f"p{n}"), application(id_seed=900 + n))
    assert status == 201, data
    case_no = data["case_no"]
    assert call(client, "POST", f"/cases/{case_no}/receive", staff("SZ-GOV"), {})[0] == 200
    status, data = call(client, "POST", f"/cases/{case_no}/forward", staff("SZ-GOV"), body or {})
    assert status == 200 and data["status"] == "IN_TRANSIT", data
    return str(case_no)


@pytest.mark.emulator  # this route on moto as well (tests/api/conftest.py)
def test_parcels_from_forward_to_signing_against_the_handover_list(client, pump, consolidated):
    cases = [_forwarded(client, n) for n in range(3)]
    urgent = _forwarded(client, 3, {"urgent": True, "note": "加急"})
    pump.run_until_idle()

    status, listed = call(client, "GET", "/offices/SZ-GOV/parcels?direction=outgoing", staff("SZ-GOV"))
    assert status == 200 and len(listed["items"]) == 1, listed
    summary = listed["items"][0]
    parcel_id = summary["parcel_id"]
    assert (summary["from_office_id"], summary["to_office_id"], summary["status"], summary["case_count"]) == (
        "SZ-GOV", "DG-GOV", "OPEN", 3)
    incoming = call(client, "GET", "/offices/DG-GOV/parcels?status=OPEN", staff("DG-GOV"))[1]
    assert [p["parcel_id"] for p in incoming["items"]] == [parcel_id]
    # The urgent case went alone, at once, with its flag.
    (alone,) = legs_of(client, urgent, staff("SZ-GOV"))
    assert alone["urgent"] is True and alone["parcel_id"] is None
    assert legs_of(client, cases[0], staff("SZ-GOV")) == []  # nothing booked before the cut-off

    parcels.seal_due(utcnow() + timedelta(days=20))
    status, view = call(client, "GET", f"/parcels/{parcel_id}", staff("DG-GOV"))
    assert status == 200, view
    assert view["status"] == "SEALED" and view["waybill"] and view["sealed_at"]
    assert [i["case_no"] for i in view["items"]] == cases and view["items"][0]["applicant_name"].startswith("张")
    assert view["shipment"]["waybill"] == view["waybill"] and view["events"][0]["event"] == "CREATED"
    for case_no in cases:  # the case's shipments view shows the parcel its materials travel in
        (leg,) = legs_of(client, case_no, staff("SZ-GOV"))
        assert (leg["waybill"], leg["parcel_id"], leg["kind"]) == (view["waybill"], parcel_id, "MATERIALS")

    for i, event in enumerate(("PICKED_UP", "DELIVERED")):
        assert courier_event(client, view["waybill"], event, at(600 + i))[0] == 202
    pump.run_until_idle()
    status, marked = call(client, "POST", f"/parcels/{parcel_id}/missing", staff("DG-GOV"),
                          {"case_no": cases[1], "note": "未见材料"})
    assert status == 200, marked
    assert [i["state"] for i in marked["items"]] == ["PACKED", "MISSING", "PACKED"]
    assert marked["items"][1]["status"] == "IN_TRANSIT"
    status, signed = call(client, "POST", f"/parcels/{parcel_id}/sign", staff("DG-GOV"), {})
    assert status == 200 and [i["state"] for i in signed["items"]] == ["SIGNED", "MISSING", "SIGNED"], signed
    assert signed["status"] == "ARRIVED" and signed["items"][0]["status"] == "ACCEPTED"
    pump.run_until_idle()  # the missing case's materials go again, alone
    resent = [leg for leg in legs_of(client, cases[1], staff("SZ-GOV")) if leg["parcel_id"] is None]
    assert len(resent) == 1 and resent[0]["replaces"] == parcel_id


def test_every_parcel_route_checks_role_scope_and_input(client, pump, consolidated):
    case_no = _forwarded(client, 10)
    pump.run_until_idle()
    parcel_id = call(client, "GET", "/offices/SZ-GOV/parcels", staff("SZ-GOV"))[1]["items"][0]["parcel_id"]

    assert call(client, "GET", f"/parcels/{parcel_id}", staff("ZH-GOV"))[0] == 403
    assert call(client, "GET", f"/parcels/{parcel_id}", citizen())[0] == 403
    assert call(client, "GET", f"/parcels/{parcel_id}", None)[0] == 401
    assert call(client, "GET", f"/parcels/{parcel_id}", staff("SZ-GOV"))[0] == 200
    status, err = call(client, "GET", "/parcels/not-a-parcel", staff("SZ-GOV"))
    assert status == 400 and err["field"] == "parcel_id"
    assert call(client, "GET", "/parcels/M-SZ-GOV-DG-GOV-20200101", staff("SZ-GOV"))[0] == 404

    assert call(client, "GET", "/offices/SZ-GOV/parcels", staff("DG-GOV"))[0] == 403
    assert call(client, "GET", "/offices/SZ-GOV/parcels", citizen())[0] == 403
    for params, field in (({"direction": "sideways"}, "direction"), ({"status": "LOST"}, "status"),
                          ({"limit": "0"}, "limit"), ({"cursor": "forged"}, "cursor")):
        status, err = call(client, "GET", f"/offices/SZ-GOV/parcels?{urlencode(params)}", staff("SZ-GOV"))
        assert (status, err.get("field")) == (400, field), (params, err)

    # Nothing to sign for while it is open; only the receiving office signs; bodies are checked.
    assert call(client, "POST", f"/parcels/{parcel_id}/sign", staff("DG-GOV"), {})[1]["current_status"] == "OPEN"
    parcels.seal_due(utcnow() + timedelta(days=20))
    assert call(client, "POST", f"/parcels/{parcel_id}/sign", staff("SZ-GOV"), {})[0] == 403
    assert call(client, "POST", f"/parcels/{parcel_id}/missing", staff("SZ-GOV"), {"case_no": case_no})[0] == 403
    for body, field in (({"case_nos": ["x"]}, "case_nos"), ({"case_nos": []}, "case_nos"), ({"extra": 1}, "extra")):
        status, err = call(client, "POST", f"/parcels/{parcel_id}/sign", staff("DG-GOV"), body)
        assert status == 400 and field in err["message"], (body, err)
    status, err = call(client, "POST", f"/parcels/{parcel_id}/missing", staff("DG-GOV"), {})
    assert status == 400 and "case_no" in err["message"]
    status, err = call(client, "POST", f"/parcels/{parcel_id}/sign", staff("DG-GOV"),
                       {"case_nos": ["KC4403002020010100001"]})
    assert status == 404, err
    no = call(client, "POST", "/cases", citizen("p12"), application(id_seed=912))[1]["case_no"]
    call(client, "POST", f"/cases/{no}/receive", staff("SZ-GOV"), {})
    status, err = call(client, "POST", f"/cases/{no}/forward", staff("SZ-GOV"), {"urgent": "yes"})
    assert status == 400 and "urgent" in err["message"], err
