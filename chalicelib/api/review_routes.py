"""Routes of reviews (好差评), tickets (差评工单) and statistics. Registered on the app as a blueprint."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..domain.errors import InvalidInput
from .http import RequestReader, ServiceBlueprint, json_response

if TYPE_CHECKING:
    from ..services import commands, review_stats, reviews, tickets
    from .review_views import case_reviews_view, review_view, ticket_view
else:  # imported on first use: see chalicelib/lazy.py
    from ..lazy import lazy_function, lazy_module

    commands, review_stats, reviews, tickets = (lazy_module(f"chalicelib.services.{m}")
                                                for m in ("commands", "review_stats", "reviews", "tickets"))
    case_reviews_view, review_view, ticket_view = (lazy_function("chalicelib.api.review_views", f)
                                                   for f in ("case_reviews_view", "review_view", "ticket_view"))

bp = ServiceBlueprint(__name__)


def _req() -> RequestReader:
    assert bp.current_request is not None
    return RequestReader(bp.current_request)


# ---------------------------------------------------------------- reviews


@bp.route("/cases/{case_no}/reviews", methods=["POST"])
def submit_review(case_no: str) -> Any:
    req = _req()
    actor = req.actor()
    review = reviews.submit(actor, commands.SubmitReview.from_body(case_no, req.body("review")))
    return json_response(review_view(review, with_reviewer=False, owner=True), 201)


@bp.route("/cases/{case_no}/reviews")
def case_reviews(case_no: str) -> Any:
    actor = _req().actor()
    items = case_reviews_view(actor, reviews.reviews_of_case(actor, case_no))
    return json_response({"case_no": case_no, "items": items})


@bp.route("/cases/{case_no}/reviews/{stage}/follow-up", methods=["POST"])
def follow_up(case_no: str, stage: str) -> Any:
    req = _req()
    actor = req.actor()
    review = reviews.follow_up(actor, case_no, stage, req.body("follow_up")["comment"])
    return json_response(review_view(review, with_reviewer=False, owner=True), 201)


@bp.route("/reviews")
def list_reviews() -> Any:
    req = _req()
    actor = req.actor("supervisor")
    bad_param = req.query("bad")
    if bad_param not in (None, "true", "false"):
        raise InvalidInput("bad", "must be true or false")
    bad = None if bad_param is None else bad_param == "true"
    items, cursor = reviews.list_reviews(actor, req.query("city"), req.query("office_id"), bad,
                                         req.query("ticket_status"), req.limit(), req.cursor(),
                                         req.query("from"), req.query("to"))
    return json_response({"items": [review_view(r, with_reviewer=True) for r in items],
                          "next_cursor": req.next_cursor(cursor)})


# ---------------------------------------------------------------- tickets


def _ticket_response(actor: Any, detail: tuple[Any, Any, list[dict[str, Any]]]) -> Any:
    ticket, review, history = detail
    return json_response(ticket_view(ticket, review, history, with_reviewer=ticket.sees_reviewer(actor)))


@bp.route("/tickets")
def escalated_tickets() -> Any:
    """The provincial worklist of overdue tickets (超期升级); ``escalated=true`` is the one listing offered."""
    req = _req()
    actor = req.actor("supervisor")
    if req.query("escalated") != "true":
        raise InvalidInput("escalated", "must be true: the escalated tickets are the listing offered")
    items, cursor = tickets.escalated_worklist(actor, req.query("city"), req.limit(), req.cursor())
    return json_response({"items": [ticket_view(t, None, [], with_reviewer=True) for t in items],
                          "next_cursor": req.next_cursor(cursor)})


@bp.route("/tickets/{ticket_id}")
def get_ticket(ticket_id: str) -> Any:
    actor = _req().actor("supervisor", "staff")
    return _ticket_response(actor, tickets.ticket_for(actor, ticket_id))


@bp.route("/tickets/{ticket_id}/verify", methods=["POST"])
def verify_ticket(ticket_id: str) -> Any:
    req = _req()
    actor = req.actor("supervisor")
    body = req.body("verify")
    return _ticket_response(actor, tickets.verify(actor, ticket_id, body["valid"], body["finding"]))


@bp.route("/tickets/{ticket_id}/rectify", methods=["POST"])
def rectify_ticket(ticket_id: str) -> Any:
    req = _req()
    actor = req.actor("supervisor")
    return _ticket_response(actor, tickets.rectify(actor, ticket_id, req.body("rectify")["actions"]))


@bp.route("/tickets/{ticket_id}/feedback", methods=["POST"])
def ticket_feedback(ticket_id: str) -> Any:
    req = _req()
    actor = req.actor("supervisor")
    body = req.body("feedback")
    detail = tickets.feedback(actor, ticket_id, body["contacted"], body.get("satisfied"), body.get("note", ""))
    return _ticket_response(actor, detail)


@bp.route("/tickets/{ticket_id}/appeal", methods=["POST"])
def appeal_ticket(ticket_id: str) -> Any:
    req = _req()
    actor = req.actor("staff")
    return _ticket_response(actor, tickets.appeal(actor, ticket_id, req.body("appeal")["grounds"]))


@bp.route("/tickets/{ticket_id}/appeal-decision", methods=["POST"])
def decide_appeal(ticket_id: str) -> Any:
    req = _req()
    actor = req.actor("supervisor")
    body = req.body("appeal_decision")
    return _ticket_response(actor, tickets.decide_appeal(actor, ticket_id, body["upheld"], body["note"]))


# ---------------------------------------------------------------- statistics


@bp.route("/stats/reviews")
def stats() -> Any:
    req = _req()
    actor = req.actor("supervisor")
    return json_response(review_stats.review_stats(actor, req.query("city"), req.query("office_id"),
                                                   req.query("from"), req.query("to"), req.query("group")))
