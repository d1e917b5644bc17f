"""Routes of the public catalogue and of cases at the receiving window: apply, read, track, the office's
queue, receive (容缺), refuse, withdraw, supplement. Registered on the app as a blueprint."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..domain.errors import InvalidInput
from ..domain.formats import QUERY_CODE, matches
from ..observability import count
from .http import RequestReader, ServiceBlueprint, json_response

if TYPE_CHECKING:
    from ..services import commands, intake, licences, queries
    from . import views
else:  # imported on first use: see chalicelib/lazy.py
    from ..lazy import lazy_module

    commands, intake, licences, queries = (lazy_module(f"chalicelib.services.{name}")
                                           for name in ("commands", "intake", "licences", "queries"))
    views = lazy_module("chalicelib.api.views")

bp = ServiceBlueprint(__name__)


def _req() -> RequestReader:
    assert bp.current_request is not None
    return RequestReader(bp.current_request)


# ---------------------------------------------------------------- public reference data


@bp.route("/health")
def health() -> Any:
    return json_response({"status": "ok"})


@bp.route("/offices")
def offices() -> Any:
    return json_response({"items": queries.offices()})


@bp.route("/matters")
def matters() -> Any:
    return json_response({"items": queries.matters(_req().query("city"))})


# ---------------------------------------------------------------- cases: intake and reading


@bp.route("/cases", methods=["POST"])
def apply() -> Any:
    req = _req()
    actor = req.actor("citizen", "staff")
    body = req.body("apply")
    key = req.request.headers.get("idempotency-key")
    if key is not None and not (1 <= len(key) <= 128 and key.isprintable()):
        raise InvalidInput("Idempotency-Key", "must be 1 to 128 printable characters")
    case, created = intake.apply(actor, commands.Apply.from_body(body, idempotency_key=key))
    if created:
        count("CasesApplied", city=case.receiving_city)
    # A retry with the same Idempotency-Key gets the same answer (201 and the same case), marked as a replay.
    replayed = None if created else {"Idempotent-Replayed": "true"}
    return json_response(views.created_case_view(case, actor), 201, replayed)


@bp.route("/cases/{case_no}")
def get_case(case_no: str) -> Any:
    actor = _req().actor()
    return json_response(views.case_view(queries.case_for(actor, case_no), actor))


@bp.route("/cases/{case_no}/timeline")
def timeline(case_no: str) -> Any:
    actor = _req().actor()
    return json_response({"case_no": case_no, "items": queries.timeline_for(actor, case_no)})


@bp.route("/track/{case_no}")
def track(case_no: str) -> Any:
    req = _req()
    code = req.query("code")
    if code is None or not matches(QUERY_CODE, code):
        raise InvalidInput("code", "the 6-digit query code is required")
    return json_response(views.track_view(*queries.track(case_no, code, caller=req.source_ip())))


@bp.route("/offices/{office_id}/cases")
def office_cases(office_id: str) -> Any:
    req = _req()
    actor = req.actor("staff", "admin")
    cases, cursor = queries.office_queue(actor, office_id, req.query("status"), req.limit(), req.cursor())
    return json_response({"items": [views.queue_item(c) for c in cases], "next_cursor": req.next_cursor(cursor)})


@bp.route("/cases/{case_no}/receive", methods=["POST"])
def receive(case_no: str) -> Any:
    req = _req()
    actor = req.actor("staff")
    body = req.body("receive", optional=True)
    # The window's finding replaces the form's list; without ``missing`` the form's list stands.
    case = intake.receive(actor, case_no, body.get("missing"), body.get("note", ""))
    count("CasesReceived", city=case.receiving_city)
    return json_response(views.case_view(case, actor))


@bp.route("/cases/{case_no}/refuse", methods=["POST"])
def refuse(case_no: str) -> Any:
    req = _req()
    actor = req.actor("staff")
    case = intake.refuse(actor, case_no, req.body("reason")["reason"])
    return json_response(views.case_view(case, actor))


@bp.route("/cases/{case_no}/withdraw", methods=["POST"])
def withdraw(case_no: str) -> Any:
    req = _req()
    actor = req.actor("citizen")
    case = intake.withdraw(actor, case_no, req.body("note", optional=True).get("note", ""))
    return json_response(views.case_view(case, actor))


@bp.route("/cases/{case_no}/supplements", methods=["POST"])
def supplement(case_no: str) -> Any:
    req = _req()
    actor = req.actor("citizen", "staff")
    body = req.body("supplement")
    case = intake.supplement(actor, case_no, body["material"], body.get("note", ""))
    return json_response(views.case_view(case, actor))


@bp.route("/cases/{case_no}/licences", methods=["POST"])
def read_licences(case_no: str) -> Any:
    """免提交: read these materials from the licence library, only as far as the applicant authorized (403)."""
    req = _req()
    actor = req.actor("citizen", "staff")
    case = licences.read_licences(actor, case_no, list(req.body("licences")["materials"]))
    return json_response(views.case_view(case, actor))
