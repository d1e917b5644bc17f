"""Cross-city service (跨城通办): the composition of the API (its blueprints) and the queue, stream and
schedule handlers. Routes live in chalicelib/api/*_routes.py; each handler here hands its records to one
service."""
from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from chalice import Rate

from chalicelib.api.case_routes import bp as case_routes
from chalicelib.api.citizen_routes import bp as citizen_routes
from chalicelib.api.events import sqs_batch, stream_records
from chalicelib.api.handling_routes import bp as handling_routes
from chalicelib.api.http import ServiceApp
from chalicelib.api.parcel_routes import bp as parcel_routes
from chalicelib.api.review_routes import bp as review_routes
from chalicelib.api.supervision_routes import bp as supervision_routes
from chalicelib.config import settings

if TYPE_CHECKING:
    from chalicelib.services import (
        courier_events,
        notifications,
        outbox_relay,
        parcels,
        review_stats,
        reviews_consumer,
        routing,
        sweeper,
    )
else:  # each Lambda function imports what its own handler uses, on first use (cold start: docs/PERFORMANCE.md)
    from chalicelib.lazy import lazy_module

    courier_events, notifications, outbox_relay, parcels, review_stats, reviews_consumer, routing, sweeper = (
        lazy_module(f"chalicelib.services.{name}") for name in (
            "courier_events", "notifications", "outbox_relay", "parcels", "review_stats", "reviews_consumer",
            "routing", "sweeper"))

app = ServiceApp(app_name="cross-city-service")
app.register_blueprint(case_routes)
app.register_blueprint(handling_routes)
app.register_blueprint(review_routes)
app.register_blueprint(supervision_routes)
app.register_blueprint(citizen_routes)
app.register_blueprint(parcel_routes)

OUTBOX_STREAM_ARN = os.environ.get(
    "OUTBOX_STREAM_ARN",
    f"arn:aws:dynamodb:{settings().region}:000000000000:table/{settings().name('outbox')}/stream/local",
)


CASE_EVENTS_STREAM_ARN = os.environ.get(
    "CASE_EVENTS_STREAM_ARN",
    f"arn:aws:dynamodb:{settings().region}:000000000000:table/{settings().name('case-events')}/stream/local",
)


@app.on_dynamodb_record(stream_arn=OUTBOX_STREAM_ARN, batch_size=100, starting_position="TRIM_HORIZON")
def relay_outbox(event: Any) -> dict[str, Any]:
    """Outbox stream → queues (and the alerts topic): the events that are not a case's step."""
    return outbox_relay.relay_stream_batch(stream_records(event))


@app.on_dynamodb_record(stream_arn=CASE_EVENTS_STREAM_ARN, batch_size=100, starting_position="TRIM_HORIZON")
def relay_case_events(event: Any) -> dict[str, Any]:
    """A case's steps: its timeline events' stream (each is the step's outbox record) → queues and topic."""
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


@app.schedule(Rate(15, unit=Rate.MINUTES))
def seal_parcels(event: Any) -> dict[str, int]:
    """合包: seals the parcels whose office's mail cut-off passed and books one waybill each."""
    return parcels.seal_due()


@app.schedule(Rate(5, unit=Rate.MINUTES))
def refresh_stats(event: Any) -> dict[str, Any]:
    """The statistics snapshot: every office's year of review counters in one item, for the dashboard."""
    return review_stats.refresh_snapshot()
