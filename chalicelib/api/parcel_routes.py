"""Routes of consolidated parcels (合包): a parcel with its handover list (交接单) and tracking, an office's
parcels, and the receiving side's check (sign all or some, mark one missing). Staff of the two offices of a
parcel read it; only staff of the receiving office check it. Registered on the app as a blueprint."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..domain.errors import InvalidInput
from ..domain.parcels import ParcelStatus, parse_parcel_id
from .http import RequestReader, ServiceBlueprint, json_response

if TYPE_CHECKING:
    from ..services import parcels
    from . import views
else:  # imported on first use: see chalicelib/lazy.py
    from ..lazy import lazy_module

    parcels, views = lazy_module("chalicelib.services.parcels"), lazy_module("chalicelib.api.views")

bp = ServiceBlueprint(__name__)
DIRECTIONS = ("outgoing", "incoming")


def _req() -> RequestReader:
    assert bp.current_request is not None
    return RequestReader(bp.current_request)


@bp.route("/parcels/{parcel_id}")
def parcel(parcel_id: str) -> Any:
    req = _req()
    actor = req.actor("staff", "supervisor", "admin")
    return json_response(views.parcel_view(*parcels.parcel_detail(actor, parse_parcel_id(parcel_id))))


@bp.route("/offices/{office_id}/parcels")
def office_parcels(office_id: str) -> Any:
    req = _req()
    actor = req.actor("staff")
    direction, status = req.query("direction"), req.query("status")
    if direction is not None and direction not in DIRECTIONS:
        raise InvalidInput("direction", f"must be one of {', '.join(DIRECTIONS)}")
    if status is not None and status not in {s.value for s in ParcelStatus}:
        raise InvalidInput("status", f"must be one of {', '.join(s.value for s in ParcelStatus)}")
    found, cursor = parcels.office_parcels(actor, office_id, direction, status, req.limit(), req.cursor())
    return json_response({"items": [p.summary() for p in found], "next_cursor": req.next_cursor(cursor)})


@bp.route("/parcels/{parcel_id}/sign", methods=["POST"])
def sign(parcel_id: str) -> Any:
    req = _req()
    actor = req.actor("staff")
    body = req.body("parcel_sign", optional=True)
    signed = parcels.sign(actor, parse_parcel_id(parcel_id), body.get("case_nos"), str(body.get("note", "")))
    return json_response(views.parcel_view(*parcels.parcel_detail(actor, signed.parcel_id)))


@bp.route("/parcels/{parcel_id}/missing", methods=["POST"])
def mark_missing(parcel_id: str) -> Any:
    req = _req()
    actor = req.actor("staff")
    body = req.body("parcel_missing")
    marked = parcels.mark_missing(actor, parse_parcel_id(parcel_id), body["case_no"], str(body.get("note", "")))
    return json_response(views.parcel_view(*parcels.parcel_detail(actor, marked.parcel_id)))
