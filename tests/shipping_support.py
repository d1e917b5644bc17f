"""Helpers for the routing and handling tests: signed courier webhooks and the case's legs."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from unittest.mock import patch

from chalicelib.adapters.courier import signed_body
from tests.support import call, citizen, staff

BASE = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # Monday 09:00 CST, a working day


def at(minutes: int) -> str:
    """A fixed instant (ISO-8601 with offset): courier events in tests carry deterministic times."""
    return (BASE + timedelta(minutes=minutes)).isoformat()


def courier_event(client: Any, waybill: str, event: str, when: str, signature: str | None = None) -> tuple[int, Any]:
    """POST one courier event to the webhook, signed like the courier signs it."""
    raw, good = signed_body({"waybill": waybill, "event": event, "at": when})
    # The webhook takes events from within a year of their arrival: these fixed instants arrive a minute
    # after they happened, whatever today's date is.
    try:
        arrival = datetime.fromisoformat(when) + timedelta(minutes=1)
    except ValueError:
        arrival = BASE
    with patch("chalicelib.api.handling_routes.utcnow", return_value=arrival):
        resp = client.http.post("/webhooks/courier", body=raw,
                                headers={"Content-Type": "application/json",
                                         "X-Signature": good if signature is None else signature})
    import json

    return resp.status_code, json.loads(resp.body) if resp.body else None


def legs_of(client: Any, case_no: str, hdrs: dict[str, str] | None = None) -> list[dict[str, Any]]:
    status, data = call(client, "GET", f"/cases/{case_no}/shipments", hdrs or citizen())
    assert status == 200, data
    return list(data["items"])


def case_of(client: Any, case_no: str, hdrs: dict[str, str] | None = None) -> dict[str, Any]:
    status, data = call(client, "GET", f"/cases/{case_no}", hdrs or citizen())
    assert status == 200, data
    return dict(data)


def forward_and_route(client: Any, pump: Any, case_no: str, office: str) -> dict[str, Any]:
    status, data = call(client, "POST", f"/cases/{case_no}/forward", staff(office))
    assert status == 200 and data["status"] == "IN_TRANSIT", data
    pump.run_until_idle()
    return case_of(client, case_no, staff(office))


def deliver(client: Any, pump: Any, waybill: str, start: int = 0) -> None:
    """The courier reports a leg picked up, in transit and delivered; the pump applies the events."""
    for i, event in enumerate(("PICKED_UP", "IN_TRANSIT", "DELIVERED")):
        status, data = courier_event(client, waybill, event, at(start + i))
        assert status == 202, data
    pump.run_until_idle()


def in_memory_bus() -> Any:
    """The in-memory bus (tests/fakes.py) when the test runs on it (the ``fake`` fixture), else None (moto)."""
    from chalicelib import bootstrap

    return bootstrap._bus


class AlertsProbe:
    """What operators were alerted about: on moto an SQS queue subscribed to the alerts topic, in memory
    what the bus published to it since the probe was made."""

    def __init__(self) -> None:
        import boto3

        from chalicelib.adapters import messaging

        self.bus = in_memory_bus()
        if self.bus is not None:
            self.seen = len(self.bus.topics["alerts"])
            return

        self.sqs = boto3.client("sqs", region_name="us-east-1")
        self.url = self.sqs.create_queue(QueueName="alerts-probe")["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=self.url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        boto3.client("sns", region_name="us-east-1").subscribe(
            TopicArn=messaging.topic_arn("alerts"), Protocol="sqs", Endpoint=arn,
            Attributes={"RawMessageDelivery": "true"})

    def received(self) -> list[dict[str, Any]]:
        import json

        if self.bus is not None:
            fresh = self.bus.published("alerts")[self.seen:]
            self.seen += len(fresh)
            return list(fresh)
        out: list[dict[str, Any]] = []
        while True:
            msgs = self.sqs.receive_message(QueueUrl=self.url, MaxNumberOfMessages=10).get("Messages", [])
            if not msgs:
                return out
            for m in msgs:
                out.append(json.loads(m["Body"]))
                self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=m["ReceiptHandle"])


def queue_depth(logical: str) -> int:
    import boto3

    from chalicelib.adapters import messaging

    if (bus := in_memory_bus()) is not None:
        return int(bus.depth(logical))
    attrs = boto3.client("sqs", region_name="us-east-1").get_queue_attributes(
        QueueUrl=messaging.queue_url(logical),
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
    return int(attrs["ApproximateNumberOfMessages"]) + int(attrs["ApproximateNumberOfMessagesNotVisible"])
