"""Cross-city service (跨城通办): the API routes and the queue, stream and schedule handlers.

Thin on purpose: each route parses, authorises, calls one service function and shapes the response.
"""
from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from chalice import Rate

from chalicelib.api.citizen_routes import bp as citizen_routes
from chalicelib.api.events import sqs_batch, stream_records
from chalicelib.api.handling_routes import bp as handling_routes
from chalicelib.api.http import RequestReader, ServiceApp, encode_cursor, json_response
from chalicelib.api.review_routes import bp as review_routes
from chalicelib.api.supervision_routes import bp as supervision_routes
from chalicelib.config import settings
from chalicelib.domain.errors import InvalidInput
from chalicelib.observability import count

if TYPE_CHECKING:
    from chalicelib.adapters.reference_store import catalogue
    from chalicelib.api import views
    from chalicelib.services import (
        courier_events,
        intake,
        notifications,
        outbox_relay,
        queries,
        reviews_consumer,
        routing,
        sweeper,
    )
else:  # each Lambda function imports what its own handler uses, on first use (cold start: docs/PERFORMANCE.md)
    from chalicelib.lazy import lazy_function, lazy_module

    catalogue = lazy_function("chalicelib.adapters.reference_store", "catalogue")
    views = lazy_module("chalicelib.api.views")
    courier_events, intake, notifications, outbox_relay, queries, reviews_consumer, routing, sweeper = (
        lazy_module(f"chalicelib.services.{name}") for name in (
            "courier_events", "intake", "notifications", "outbox_relay", "queries", "reviews_consumer",
            "routing", "sweeper"))

app = ServiceApp(app_name="cross-city-service")
app.register_blueprint(handling_routes)
app.register_blueprint(review_routes)
app.register_blueprint(supervision_routes)
app.register_blueprint(citizen_routes)

OUTBOX_STREAM_ARN = os.environ.get(
    "OUTBOX_STREAM_ARN",
    f"arn:aws:dynamodb:{settings().region}:000000000000:table/{settings().name('outbox')}/stream/local",
)


def _req() -> RequestReader:
    assert app.current_request is not None
    return RequestReader(app.current_request)


# ---------------------------------------------------------------- public reference data


@app.route("/health")
def health() -> Any:
    return json_response({"status": "ok"})


@app.route("/offices")
def offices() -> Any:
    return json_response({"items": [o.public() for o in catalogue().offices.values()]})


@app.route("/matters")
def matters() -> Any:
    city = _req().query("city")
    if city is not None and not (city.isdigit() and len(city) == 6):
        raise InvalidInput("city", "must be a 6-digit division code")
    items = [m.public() for m in catalogue().matters.values() if city is None or city in m.accepted_in]
    return json_response({"items": items})


# ---------------------------------------------------------------- cases: intake and reading


@app.route("/cases", methods=["POST"])
def apply() -> Any:
    req = _req()
    actor = req.actor("citizen", "staff")
    body = req.body("apply")
    key = req.request.headers.get("idempotency-key")
    if key is not None and not (1 <= len(key) <= 128 and key.isprintable()):
        raise InvalidInput("Idempotency-Key", "must be 1 to 128 printable characters")
    case, created = intake.apply(actor, body, idempotency_key=key)
    if created:
        count("CasesApplied", city=case.receiving_city)
    view = views.case_view(case, actor)
    # DESIGN §6: 201 {case_no, query_code, status, ...} for citizens and staff alike. Window staff entering a
    # walk-in application hand the query code to the applicant (it is never shown to them afterwards).
    view["query_code"] = case.query_code
    # A retry with the same Idempotency-Key gets the same answer (201 and the same case), marked as a replay.
    return json_response(view, 201, None if created else {"Idempotent-Replayed": "true"})


@app.route("/cases/{case_no}")
def get_case(case_no: str) -> Any:
    actor = _req().actor()
    return json_response(views.case_view(queries.case_for(actor, case_no), actor))


@app.route("/cases/{case_no}/timeline")
def timeline(case_no: str) -> Any:
    actor = _req().actor()
    return json_response({"case_no": case_no, "items": queries.timeline_for(actor, case_no)})


@app.route("/track/{case_no}")
def track(case_no: str) -> Any:
    code = _req().query("code")
    if code is None or not (code.isdigit() and len(code) == 6):
        raise InvalidInput("code", "the 6-digit query code is required")
    case, events = queries.track(case_no, code, caller=_req().source_ip())
    return json_response(views.track_view(case, events, routing.public_shipments(case_no)))


@app.route("/offices/{office_id}/cases")
def office_cases(office_id: str) -> Any:
    req = _req()
    actor = req.actor("staff", "admin")
    cases, cursor = queries.office_queue(actor, office_id, req.query("status"), req.limit(), req.cursor())
    return json_response({"items": [views.queue_item(c) for c in cases], "next_cursor": encode_cursor(cursor)})


@app.route("/cases/{case_no}/receive", methods=["POST"])
def receive(case_no: str) -> Any:
    req = _req()
    actor = req.actor("staff")
    body = req.body("receive", optional=True)
    case = intake.receive(actor, case_no, body.get("missing", []), body.get("note", ""))
    count("CasesReceived", city=case.receiving_city)
    return json_response(views.case_view(case, actor))


@app.route("/cases/{case_no}/refuse", methods=["POST"])
def refuse(case_no: str) -> Any:
    req = _req()
    actor = req.actor("staff")
    case = intake.refuse(actor, case_no, req.body("reason")["reason"])
    return json_response(views.case_view(case, actor))


@app.route("/cases/{case_no}/withdraw", methods=["POST"])
def withdraw(case_no: str) -> Any:
    req = _req()
    actor = req.actor("citizen")
    case = intake.withdraw(actor, case_no, req.body("note", optional=True).get("note", ""))
    return json_response(views.case_view(case, actor))


@app.route("/cases/{case_no}/supplements", methods=["POST"])
def supplement(case_no: str) -> Any:
    req = _req()
    actor = req.actor("citizen", "staff")
    body = req.body("supplement")
    case = intake.supplement(actor, case_no, body["material"], body.get("note", ""))
    return json_response(views.case_view(case, actor))


# ---------------------------------------------------------------- events: outbox, queues, schedule


@app.on_dynamodb_record(stream_arn=OUTBOX_STREAM_ARN, batch_size=100, starting_position="TRIM_HORIZON")
def relay_outbox(event: Any) -> dict[str, Any]:
    """Outbox stream → queues (and the alerts topic)."""
    return outbox_relay.relay_stream_batch(stream_records(event))


@app.on_sqs_message(queue=settings().name("routing"), batch_size=10)
def route_parcels(event: Any) -> dict[str, Any]:
    """Plans parcel legs: materials to the handling office, results back to the applicant."""
    return sqs_batch(event, routing.handle_routing_event)


@app.on_sqs_message(queue=settings().name("courier-events"), batch_size=10)
def apply_courier_events(event: Any) -> dict[str, Any]:
    return sqs_batch(event, courier_events.apply_courier_event)


@app.on_sqs_message(queue=settings().name("tickets"), batch_size=10)
def open_tickets(event: Any) -> dict[str, Any]:
    """Bad reviews → rectification tickets (差评工单)."""
    return sqs_batch(event, reviews_consumer.handle_review_event)


@app.on_sqs_message(queue=settings().name("notifications"), batch_size=10)
def send_notifications(event: Any) -> dict[str, Any]:
    return sqs_batch(event, notifications.notify)


@app.schedule(Rate(5, unit=Rate.MINUTES))
def sweep(event: Any) -> dict[str, int]:
    """Overdue cases, legs and tickets; terminations; default ratings."""
    return sweeper.sweep()
