"""Routes of a signed-in citizen's own cases: 我的办件 (``GET /me/cases``) and 认领 (``POST /cases/{case_no}/
claim``). Registered on the app as a blueprint."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .http import RequestReader, ServiceBlueprint, encode_cursor, json_response

if TYPE_CHECKING:
    from ..services import citizen_cases
    from . import views
else:  # imported on first use: see chalicelib/lazy.py
    from ..lazy import lazy_module

    citizen_cases = lazy_module("chalicelib.services.citizen_cases")
    views = lazy_module("chalicelib.api.views")

bp = ServiceBlueprint(__name__)


def _req() -> RequestReader:
    assert bp.current_request is not None
    return RequestReader(bp.current_request)


@bp.route("/me/cases")
def my_cases() -> Any:
    req = _req()
    actor = req.actor("citizen")
    cases, cursor = citizen_cases.my_cases(actor, req.limit(), req.cursor())
    return json_response({"items": [views.case_view(c, actor) for c in cases], "next_cursor": encode_cursor(cursor)})


@bp.route("/cases/{case_no}/claim", methods=["POST"])
def claim(case_no: str) -> Any:
    req = _req()
    actor = req.actor("citizen")
    body = req.body("claim")
    case, _claimed_now = citizen_cases.claim(actor, case_no, body["query_code"], body["id_number"],
                                             caller=req.source_ip())
    return json_response(views.case_view(case, actor))
