"""The case lifecycle (异地收件、属地办理、邮寄送达) as data: states, actions, and who may take each.

A transition is allowed when the case is in one of the rule's source states and the actor plays one
of the rule's parties on this case. Anything else is forbidden: wrong party → OutOfScope (403),
wrong state → InvalidTransition (409, with the current state).
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    SUBMITTED = "SUBMITTED"
    RECEIVED = "RECEIVED"
    REFUSED = "REFUSED"
    WITHDRAWN = "WITHDRAWN"
    IN_TRANSIT = "IN_TRANSIT"
    ACCEPTED = "ACCEPTED"
    RETURNED = "RETURNED"
    APPROVED = "APPROVED"
    DENIED = "DENIED"
    RESULT_IN_TRANSIT = "RESULT_IN_TRANSIT"
    READY_FOR_PICKUP = "READY_FOR_PICKUP"
    COMPLETED = "COMPLETED"
    TERMINATED = "TERMINATED"


LABELS: dict[Status, str] = {
    Status.SUBMITTED: "已申请",
    Status.RECEIVED: "已收件",
    Status.REFUSED: "不予收件",
    Status.WITHDRAWN: "已撤回",
    Status.IN_TRANSIT: "材料寄递中",
    Status.ACCEPTED: "已受理",
    Status.RETURNED: "退回补正",
    Status.APPROVED: "准予",
    Status.DENIED: "不予",
    Status.RESULT_IN_TRANSIT: "结果寄递中",
    Status.READY_FOR_PICKUP: "待领取",
    Status.COMPLETED: "已办结",
    Status.TERMINATED: "终止",
}

TERMINAL: frozenset[Status] = frozenset(
    {Status.REFUSED, Status.WITHDRAWN, Status.COMPLETED, Status.TERMINATED}
)


class Party(StrEnum):
    """The part an actor plays on one case."""

    APPLICANT = "applicant"
    RECEIVING_STAFF = "receiving_staff"
    HANDLING_STAFF = "handling_staff"
    PICKUP_STAFF = "pickup_staff"
    SYSTEM = "system"  # queue handlers, the courier, the sweeper


class Action(StrEnum):
    APPLY = "apply"
    RECEIVE = "receive"
    REFUSE = "refuse"
    WITHDRAW = "withdraw"
    FORWARD = "forward"
    ROUTE = "route"  # the router assigns the handling office (and the materials leg)
    SIGN = "sign"
    RETURN = "return"
    SUPPLEMENT = "supplement"
    DECIDE = "decide"
    SHIP_RESULT = "ship_result"
    RESULT_AT_PICKUP_OFFICE = "result_at_pickup_office"
    DELIVER_RESULT = "deliver_result"
    PICKUP = "pickup"
    TERMINATE = "terminate"
    MARK_OVERDUE = "mark_overdue"
    SHIPMENT_EXCEPTION = "shipment_exception"
    RESHIP = "reship"


@dataclass(frozen=True)
class Rule:
    sources: frozenset[Status]
    targets: frozenset[Status]
    by: frozenset[Party]


def _r(sources: set[Status], targets: set[Status], by: set[Party]) -> Rule:
    return Rule(frozenset(sources), frozenset(targets), frozenset(by))


S, P = Status, Party
_STAFF = {P.RECEIVING_STAFF, P.HANDLING_STAFF}
_BEFORE_DECISION = {S.RECEIVED, S.IN_TRANSIT, S.ACCEPTED, S.RETURNED}

RULES: dict[Action, Rule] = {
    Action.RECEIVE: _r({S.SUBMITTED}, {S.RECEIVED}, {P.RECEIVING_STAFF}),
    Action.REFUSE: _r({S.SUBMITTED}, {S.REFUSED}, {P.RECEIVING_STAFF}),
    Action.WITHDRAW: _r({S.SUBMITTED, S.RECEIVED}, {S.WITHDRAWN}, {P.APPLICANT}),
    Action.FORWARD: _r({S.RECEIVED}, {S.IN_TRANSIT}, {P.RECEIVING_STAFF}),
    # Electronic matters (电子流转) go from IN_TRANSIT straight to ACCEPTED when routed.
    Action.ROUTE: _r({S.IN_TRANSIT}, {S.IN_TRANSIT, S.ACCEPTED}, {P.SYSTEM}),
    Action.SIGN: _r({S.IN_TRANSIT}, {S.ACCEPTED}, {P.HANDLING_STAFF, P.SYSTEM}),
    Action.RETURN: _r({S.ACCEPTED}, {S.RETURNED}, {P.HANDLING_STAFF}),
    Action.SUPPLEMENT: _r(
        {S.SUBMITTED, *_BEFORE_DECISION}, {S.SUBMITTED, *_BEFORE_DECISION}, {P.APPLICANT, *_STAFF}
    ),
    Action.DECIDE: _r({S.ACCEPTED}, {S.APPROVED, S.DENIED}, {P.HANDLING_STAFF}),
    Action.SHIP_RESULT: _r(
        {S.APPROVED, S.DENIED}, {S.RESULT_IN_TRANSIT, S.READY_FOR_PICKUP}, {P.HANDLING_STAFF}
    ),
    Action.RESULT_AT_PICKUP_OFFICE: _r({S.RESULT_IN_TRANSIT}, {S.READY_FOR_PICKUP}, {P.SYSTEM}),
    Action.DELIVER_RESULT: _r({S.RESULT_IN_TRANSIT}, {S.COMPLETED}, {P.SYSTEM}),
    Action.PICKUP: _r({S.READY_FOR_PICKUP}, {S.COMPLETED}, {P.PICKUP_STAFF}),
    Action.TERMINATE: _r(_BEFORE_DECISION, {S.TERMINATED}, {P.SYSTEM}),
    Action.MARK_OVERDUE: _r(
        {S.IN_TRANSIT, S.ACCEPTED, S.RESULT_IN_TRANSIT}, {S.IN_TRANSIT, S.ACCEPTED, S.RESULT_IN_TRANSIT},
        {P.SYSTEM},
    ),
    Action.SHIPMENT_EXCEPTION: _r(
        {S.IN_TRANSIT, S.RESULT_IN_TRANSIT}, {S.IN_TRANSIT, S.RESULT_IN_TRANSIT}, {P.SYSTEM}
    ),
    Action.RESHIP: _r(
        {S.IN_TRANSIT, S.RESULT_IN_TRANSIT}, {S.IN_TRANSIT, S.RESULT_IN_TRANSIT}, _STAFF
    ),
}


def allowed_actions(status: Status, parties: set[Party]) -> list[Action]:
    """What these parties may do to a case in this state (shown to staff as the next steps)."""
    return [a for a, r in RULES.items() if status in r.sources and r.by & parties]
