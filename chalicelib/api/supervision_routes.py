"""Routes of the supervisors' console beyond reviews and tickets: the reviewer's contact (logged), the
personal-data access log (provincial) and the city overview. Registered on the app as a blueprint."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .http import RequestReader, ServiceBlueprint, json_response

if TYPE_CHECKING:
    from ..services import supervision
else:  # imported on first use: see chalicelib/lazy.py
    from ..lazy import lazy_module

    supervision = lazy_module("chalicelib.services.supervision")

bp = ServiceBlueprint(__name__)


def _req() -> RequestReader:
    assert bp.current_request is not None
    return RequestReader(bp.current_request)


@bp.route("/tickets/{ticket_id}/reviewer-contact")
def reviewer_contact(ticket_id: str) -> Any:
    req = _req()
    actor = req.actor("supervisor")
    return json_response(supervision.reviewer_contact(actor, ticket_id, req.query("reason")),
                         headers={"Cache-Control": "no-store"})


@bp.route("/access-log")
def access_log() -> Any:
    req = _req()
    actor = req.actor("supervisor")
    month, items, cursor = supervision.access_log(actor, req.query("month"), req.limit(), req.cursor())
    return json_response({"month": month, "items": items, "next_cursor": req.next_cursor(cursor)})


@bp.route("/overview/cases")
def city_overview() -> Any:
    req = _req()
    actor = req.actor("supervisor")
    return json_response(supervision.city_overview(actor, req.query("city")))


@bp.route("/stats/decisions")
def decision_shares() -> Any:
    """秒批: the share of automatic decisions per matter in the supervisor's scope."""
    req = _req()
    actor = req.actor("supervisor")
    return json_response(supervision.decision_shares(actor, req.query("city")))
