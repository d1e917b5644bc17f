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
    # Reminders the sweeper texts the applicant: a supplement or correction deadline ends today (补正提醒);
    # a result waits for pickup (领取提醒).
    REMIND_SUPPLEMENT = "remind_supplement"
    REMIND_PICKUP = "remind_pickup"
    # 合包: the router put the result in the pair's daily parcel (the materials' parcel is named by ROUTE).
    PACK = "pack"
    # 缺件: the handling office found the case on a parcel's handover list but not in the parcel; the
    # materials are sent again, alone, and the case waits for them (an exception for that case only).
    MATERIALS_MISSING = "materials_missing"
    # 认领: a citizen links a walk-in case to their account. Like APPLY it has no rule here: no party of the
    # case takes it, the query code and the identity number authorise it (Case.claim), in any state.
    CLAIM = "claim"
    # 电子证照: materials read from the licence library with the applicant's consent (免提交).
    READ_LICENCES = "read_licences"
    # 秒批: the matter's approval rule was checked and did not approve (no match, inputs unavailable): a person
    # decides. A rule that approves is a DECIDE by the system.
    CHECK_RULE = "check_rule"
    # A result delivered as an electronic licence (delivery ELECTRONIC): issued to the applicant, no parcel.
    ISSUE_RESULT = "issue_result"


@dataclass(frozen=True)
class Rule:
    """An action's allowed moves (from → to; from == to means the case stays where it is) and who may act."""

    edges: frozenset[tuple[Status, Status]]
    by: frozenset[Party]

    @property
    def sources(self) -> frozenset[Status]:
        return frozenset(src for src, _ in self.edges)


S, P = Status, Party
_STAFF = {P.RECEIVING_STAFF, P.HANDLING_STAFF}
_BEFORE_DECISION = (S.RECEIVED, S.IN_TRANSIT, S.ACCEPTED, S.RETURNED)


def _rule(by: set[Party], moves: dict[Status, tuple[Status, ...]] | None = None,
          stays: tuple[Status, ...] = ()) -> Rule:
    edges = {(src, dst) for src, dsts in (moves or {}).items() for dst in dsts} | {(s, s) for s in stays}
    return Rule(frozenset(edges), frozenset(by))


RULES: dict[Action, Rule] = {
    Action.RECEIVE: _rule({P.RECEIVING_STAFF}, {S.SUBMITTED: (S.RECEIVED,)}),
    Action.REFUSE: _rule({P.RECEIVING_STAFF}, {S.SUBMITTED: (S.REFUSED,)}),
    Action.WITHDRAW: _rule({P.APPLICANT}, {S.SUBMITTED: (S.WITHDRAWN,), S.RECEIVED: (S.WITHDRAWN,)}),
    Action.FORWARD: _rule({P.RECEIVING_STAFF}, {S.RECEIVED: (S.IN_TRANSIT,)}),
    # The router assigns the handling office; electronic matters (电子流转) arrive at once.
    Action.ROUTE: _rule({P.SYSTEM}, {S.IN_TRANSIT: (S.ACCEPTED,)}, stays=(S.IN_TRANSIT,)),
    Action.SIGN: _rule({P.HANDLING_STAFF, P.SYSTEM}, {S.IN_TRANSIT: (S.ACCEPTED,)}),
    Action.RETURN: _rule({P.HANDLING_STAFF}, {S.ACCEPTED: (S.RETURNED,)}),
    # A supplement completes a 容缺 material in place, or answers a return (退回补正) back to ACCEPTED.
    Action.SUPPLEMENT: _rule({P.APPLICANT, *_STAFF}, {S.RETURNED: (S.ACCEPTED,)},
                             stays=(S.SUBMITTED, S.RECEIVED, S.IN_TRANSIT, S.ACCEPTED)),
    # The system decides only by a matter's approval rule (秒批), and only to approve.
    Action.DECIDE: _rule({P.HANDLING_STAFF, P.SYSTEM}, {S.ACCEPTED: (S.APPROVED, S.DENIED)}),
    Action.CHECK_RULE: _rule({P.SYSTEM}, stays=(S.ACCEPTED,)),
    Action.READ_LICENCES: _rule({P.APPLICANT, P.RECEIVING_STAFF, P.SYSTEM}, stays=(S.SUBMITTED, S.RECEIVED)),
    Action.ISSUE_RESULT: _rule({P.HANDLING_STAFF, P.SYSTEM}, {S.APPROVED: (S.COMPLETED,), S.DENIED: (S.COMPLETED,)}),
    Action.SHIP_RESULT: _rule({P.HANDLING_STAFF}, {
        S.APPROVED: (S.RESULT_IN_TRANSIT, S.READY_FOR_PICKUP), S.DENIED: (S.RESULT_IN_TRANSIT, S.READY_FOR_PICKUP),
    }),
    Action.RESULT_AT_PICKUP_OFFICE: _rule({P.SYSTEM}, {S.RESULT_IN_TRANSIT: (S.READY_FOR_PICKUP,)}),
    Action.DELIVER_RESULT: _rule({P.SYSTEM}, {S.RESULT_IN_TRANSIT: (S.COMPLETED,)}),
    Action.PICKUP: _rule({P.PICKUP_STAFF}, {S.READY_FOR_PICKUP: (S.COMPLETED,)}),
    Action.TERMINATE: _rule({P.SYSTEM}, {s: (S.TERMINATED,) for s in _BEFORE_DECISION}),
    # 超期: the promised date passed (ACCEPTED), or the case sat in a state past that state's own deadline.
    Action.MARK_OVERDUE: _rule({P.SYSTEM}, stays=(
        S.SUBMITTED, S.RECEIVED, S.IN_TRANSIT, S.ACCEPTED, S.APPROVED, S.DENIED, S.RESULT_IN_TRANSIT,
        S.READY_FOR_PICKUP)),
    Action.REMIND_SUPPLEMENT: _rule({P.SYSTEM}, stays=_BEFORE_DECISION),
    Action.REMIND_PICKUP: _rule({P.SYSTEM}, stays=(S.READY_FOR_PICKUP,)),
    Action.SHIPMENT_EXCEPTION: _rule({P.SYSTEM}, stays=(S.IN_TRANSIT, S.RESULT_IN_TRANSIT)),
    Action.RESHIP: _rule(_STAFF, stays=(S.IN_TRANSIT, S.RESULT_IN_TRANSIT)),
    Action.PACK: _rule({P.SYSTEM}, stays=(S.RESULT_IN_TRANSIT,)),
    # The courier's DELIVERED may have signed the case in (ACCEPTED) before staff opened the parcel.
    Action.MATERIALS_MISSING: _rule({P.HANDLING_STAFF}, {S.ACCEPTED: (S.IN_TRANSIT,)}, stays=(S.IN_TRANSIT,)),
}


def allowed_actions(status: Status, parties: set[Party]) -> list[Action]:
    """What these parties may do to a case in this state (shown to staff as the next steps)."""
    return [a for a, r in RULES.items() if status in r.sources and r.by & parties]
