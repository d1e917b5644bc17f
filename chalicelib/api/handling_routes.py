"""Routes of the handling office and the courier (forward, sign, return, decide, ship-result, pickup,
re-ship, shipments, courier webhook). Registered on the app as a blueprint."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..config import settings
from ..domain.errors import PayloadTooLarge, Unauthenticated
from ..domain.workdays import utcnow
from .http import RequestReader, ServiceBlueprint, json_response
from .schemas import parse_body

if TYPE_CHECKING:
    from ..adapters import courier
    from ..services import courier_events, handling
    from . import views
else:  # imported on first use: see chalicelib/lazy.py
    from ..lazy import lazy_module

    courier = lazy_module("chalicelib.adapters.courier")
    courier_events = lazy_module("chalicelib.services.courier_events")
    handling, views = lazy_module("chalicelib.services.handling"), lazy_module("chalicelib.api.views")

bp = ServiceBlueprint(__name__)


def _req() -> RequestReader:
    assert bp.current_request is not None
    return RequestReader(bp.current_request)


def _note(req: RequestReader) -> str:
    return str(req.body("note", optional=True).get("note", ""))


@bp.route("/cases/{case_no}/forward", methods=["POST"])
def forward(case_no: str) -> Any:
    req = _req()
    actor = req.actor("staff")
    body = req.body("forward", optional=True)
    case = handling.forward(actor, case_no, str(body.get("note", "")), urgent=bool(body.get("urgent", False)))
    return json_response(views.case_view(case, actor))


@bp.route("/cases/{case_no}/sign", methods=["POST"])
def sign(case_no: str) -> Any:
    req = _req()
    actor = req.actor("staff")
    return json_response(views.case_view(handling.sign(actor, case_no, _note(req)), actor))


@bp.route("/cases/{case_no}/return", methods=["POST"])
def return_for_correction(case_no: str) -> Any:
    req = _req()
    actor = req.actor("staff")
    reason = req.body("reason")["reason"]
    return json_response(views.case_view(handling.return_for_correction(actor, case_no, reason), actor))


@bp.route("/cases/{case_no}/decide", methods=["POST"])
def decide(case_no: str) -> Any:
    req = _req()
    actor = req.actor("staff")
    body = req.body("decide")
    case = handling.decide(actor, case_no, body["approved"], body.get("note", ""))
    return json_response(views.case_view(case, actor))


@bp.route("/cases/{case_no}/ship-result", methods=["POST"])
def ship_result(case_no: str) -> Any:
    req = _req()
    actor = req.actor("staff")
    return json_response(views.case_view(handling.ship_result(actor, case_no, _note(req)), actor))


@bp.route("/cases/{case_no}/pickup", methods=["POST"])
def pickup(case_no: str) -> Any:
    req = _req()
    actor = req.actor("staff")
    return json_response(views.case_view(handling.pickup(actor, case_no, _note(req)), actor))


@bp.route("/cases/{case_no}/reship", methods=["POST"])
def reship(case_no: str) -> Any:
    req = _req()
    actor = req.actor("staff")
    body = req.body("reship", optional=True)
    case = handling.reship(actor, case_no, body.get("waybill"), body.get("note", ""))
    return json_response(views.case_view(case, actor), 202)


@bp.route("/cases/{case_no}/shipments")
def shipments(case_no: str) -> Any:
    actor = _req().actor()
    return json_response(views.shipments_view(actor, *handling.shipments_for(actor, case_no)))


@bp.route("/webhooks/courier", methods=["POST"])
def courier_webhook() -> Any:
    """Signed by the courier, not by a token: X-Signature is the hex HMAC-SHA256 of X-Timestamp + "." + the
    raw body (the local stage also takes DESIGN §6's HMAC of the body alone; chalicelib.adapters.courier)."""
    req = _req()
    raw = req.request.raw_body
    data = raw.encode() if isinstance(raw, str) else (raw or b"")
    if len(data) > settings().max_body_bytes:
        raise PayloadTooLarge(f"body is larger than {settings().max_body_bytes} bytes")
    headers = req.request.headers
    if not courier.signature_valid(data, headers.get("x-signature"), headers.get("x-timestamp")):
        raise Unauthenticated("missing, stale or bad X-Signature / X-Timestamp")
    event = courier.parse_event(parse_body(data, "courier_event", settings().max_body_bytes), received_at=utcnow())
    courier_events.accept(event)
    return json_response({"accepted": True, "waybill": event.waybill, "event": event.event.value}, 202)

