"""What each Lambda function may touch: per table, whether it reads and/or writes it; the queues it sends
to, the topics it publishes to, SMS, and secrets. The cloud templates make each function's role from this
and nothing else (infra/service.py). The tests record every AWS call the handlers make (botocore, on moto)
and fail on any call not granted here (tests/access_recorder.py, checked for the whole test run), so a
grant cannot lag behind the code; the template tests check each role against this table.

Functions are named by their Chalice logical id: every route is ``APIHandler``; each event handler is its
function name in CamelCase (``relay_outbox`` → ``RelayOutbox``). A function's own event source (its queue,
the outbox stream) and log group are granted by the infrastructure, not here.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .services.outbox_relay import RELAY

# The IAM actions behind each kind of access. No Scan anywhere: every path reads by key or index. A
# transaction's items need the per-item actions (PutItem, UpdateItem, DeleteItem, ConditionCheckItem).
READ = ("dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query")
WRITE = ("dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:ConditionCheckItem",
         "dynamodb:BatchWriteItem")
R, W, RW = "r", "w", "rw"


@dataclass(frozen=True)
class Grant:
    tables: dict[str, str] = field(default_factory=dict)  # logical table → "r", "w" or "rw"
    send: tuple[str, ...] = ()  # queues it puts messages on
    publish: tuple[str, ...] = ()  # topics it publishes to
    sms: bool = False  # SNS Publish straight to phone numbers
    secrets: tuple[str, ...] = ()  # Secrets Manager secrets it reads (logical names)

    def table_actions(self, table: str) -> tuple[str, ...]:
        kind = self.tables.get(table, "")
        return (READ if "r" in kind else ()) + (WRITE if "w" in kind else ())


# A state change commits the item and its timeline event (the step's outbox record) in one transaction, and
# the other events of a unit of work (an overdue leg's, a parcel's) go to the outbox table: whoever writes
# cases writes case-events and outbox too. Reference data (offices, matters, routes) is read through
# a per-process cache, so a call the tests saw once in one function happens at every cold start of each
# function that uses the catalogue: they all read it.
_CASE_CHANGE = {"cases": RW, "case-events": W, "outbox": W, "reference": R}
_LEG_CHANGE = {**_CASE_CHANGE, "shipments": RW}
# Consolidated parcels (合包): a case joins one with its routing change; courier events reach the cases inside.
_PARCEL_CHANGE = {**_LEG_CHANGE, "parcels": RW}
# The relay feeds exactly the queues its routing table names (outbox_relay.RELAY), notifications included.
RELAY_QUEUES = tuple(sorted({q for to in RELAY.values() for q in to.queues}
                            | ({"notifications"} if any(to.notify for to in RELAY.values()) else set())))
RELAY_TOPICS = ("alerts",) if any(to.alert for to in RELAY.values()) else ()

GRANTS: dict[str, Grant] = {
    # Every route: intake, queries, handling, shipments (read), reviews, tickets, statistics, the webhook.
    "APIHandler": Grant(
        tables={**_CASE_CHANGE, "case-events": RW, "counters": RW, "idempotency": RW, "shipments": R,
                "parcels": RW, "reviews": RW, "review-slots": RW, "review-stats": RW, "tickets": RW,
                "ticket-events": RW, "access-log": RW},
        send=("courier-events",), secrets=("courier-webhook-secret", "app-secret", "licence-service",
                                            "origin-verify")),
    # Read their stream (granted with the event source: the outbox's, the case timeline's) and write no table.
    "RelayOutbox": Grant(send=RELAY_QUEUES, publish=RELAY_TOPICS),
    "RelayCaseEvents": Grant(send=RELAY_QUEUES, publish=RELAY_TOPICS),
    # Also 秒批 after acceptance: the rule's inputs are read from the provincial services (logged first).
    "RouteParcels": Grant(tables={**_PARCEL_CHANGE, "access-log": W}, secrets=("licence-service",)),
    "ApplyCourierEvents": Grant(tables=_PARCEL_CHANGE),
    # The collection at each office's cut-off: seals the due parcels and books one waybill each (no case change).
    "SealParcels": Grant(tables={"parcels": RW, "shipments": RW, "reference": R}),
    "RefreshStats": Grant(tables={"review-stats": RW, "reference": R}),
    "OpenTickets": Grant(tables={"outbox": W, "reference": R, "reviews": RW, "review-slots": RW,
                                 "review-stats": RW, "tickets": RW, "ticket-events": W}),
    "SendNotifications": Grant(tables={"cases": R, "notifications": RW}, sms=True),
    # Overdue cases, legs, default ratings and tickets: the changes of all of them.
    "Sweep": Grant(tables={**_LEG_CHANGE, "reviews": RW, "review-slots": RW, "review-stats": RW,
                           "tickets": RW, "ticket-events": W}),
}


def logical_id(handler: str) -> str:
    """Chalice's logical id of a handler's function: ``relay_outbox`` → ``RelayOutbox``."""
    return "".join(part.capitalize() for part in handler.split("_"))


def allows(function: str, service: str, action: str, resource: str) -> bool:
    """Whether ``function``'s grant covers one recorded call (IAM action without its service prefix)."""
    grant = GRANTS.get(function)
    if grant is None:
        return False
    if service == "dynamodb":
        return f"dynamodb:{action}" in grant.table_actions(resource)
    if service == "sqs":
        return action in ("SendMessage", "GetQueueUrl") and resource in grant.send
    if service == "sns":
        if resource == "sms":
            return action == "Publish" and grant.sms
        return action == "Publish" and resource in grant.publish
    if service == "secretsmanager":
        return action == "GetSecretValue" and resource in grant.secrets
    return False
