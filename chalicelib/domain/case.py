"""A case (办件) and the behaviour of every transition of its lifecycle.

Each method checks the lifecycle rule (who, from which state), changes the case in memory and returns
the ``Change`` that the repository commits atomically: the new case version, its timeline event and
its outgoing event (outbox).
"""
from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from .actor import Actor, Role
from .errors import InvalidInput, InvalidTransition, OutOfScope, RuleViolation
from .events import CaseEvent
from .lifecycle import LABELS, RULES, Action, Party, Status
from .reference import Matter, Office
from .shipping import LegKind
from .workdays import add_working_days, cst_date, end_of_cst_day, iso

# The applicant subject of a case that window staff entered for someone at the counter (services/intake.py):
# no account owns it until the applicant claims it (Case.claim).
WALK_IN_PREFIX = "walk-in:"

class DeliveryMethod(StrEnum):
    """How the result reaches the applicant (邮寄送达 or pickup at a window)."""

    MAIL = "MAIL"
    PICKUP_RECEIVING = "PICKUP_RECEIVING"  # at the receiving window, where the applicant applied
    PICKUP_HANDLING = "PICKUP_HANDLING"  # at the handling office



@dataclass
class Applicant:
    name: str
    id_type: str
    id_number: str
    phone: str
    sub: str
    district: str | None = None


@dataclass
class MaterialItem:
    name: str
    core: bool
    provided: bool


@dataclass
class Delivery:
    method: DeliveryMethod
    address: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        self.method = DeliveryMethod(self.method)


@dataclass(frozen=True)
class Change:
    """One committed step of a case: becomes a timeline event and an outgoing event."""

    action: Action
    from_status: Status
    to_status: Status
    actor: Actor
    at: datetime
    note: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def event_type(self) -> str:
        return f"case.{self.action.value}"


def new_query_code() -> str:
    """查询码: six digits the applicant uses to track the case without logging in."""
    return f"{secrets.randbelow(1_000_000):06d}"


def case_number(receiving_city: str, day: date, sequence: int) -> str:
    """KC + receiving city code + CST date + 5-digit daily sequence, e.g. KC4403002026112300017."""
    return f"KC{receiving_city}{day:%Y%m%d}{sequence:05d}"


@dataclass
class Case:
    case_no: str
    query_code: str
    matter_id: str
    receiving_office_id: str
    receiving_city: str
    handling_city: str
    applicant: Applicant
    materials: list[MaterialItem]
    delivery: Delivery
    status: Status
    created_at: datetime
    updated_at: datetime
    version: int = 0
    electronic: bool = False
    handling_office_id: str | None = None
    missing: list[str] = field(default_factory=list)
    supplement_due: date | None = None
    accepted_at: datetime | None = None
    promised_by: date | None = None
    overdue: bool = False
    decision: str | None = None
    refusal_reason: str | None = None
    return_reason: str | None = None
    receiving_reviewable_at: datetime | None = None
    handling_reviewable_at: datetime | None = None
    completed_at: datetime | None = None

    # ---------------------------------------------------------------- derived

    @property
    def label(self) -> str:
        return LABELS[self.status]

    @property
    def pickup_office_id(self) -> str | None:
        if self.delivery.method == DeliveryMethod.PICKUP_RECEIVING:
            return self.receiving_office_id
        if self.delivery.method == DeliveryMethod.PICKUP_HANDLING:
            return self.handling_office_id
        return None

    def parties(self, actor: Actor) -> set[Party]:
        """The parts this actor plays on this case (谁办理、谁负责)."""
        if actor.role == Role.SYSTEM:
            return {Party.SYSTEM}
        parties: set[Party] = set()
        if actor.role == Role.CITIZEN and actor.sub == self.applicant.sub:
            parties.add(Party.APPLICANT)
        if actor.role == Role.STAFF and actor.office_id:
            if actor.office_id == self.receiving_office_id:
                parties.add(Party.RECEIVING_STAFF)
            if actor.office_id == self.handling_office_id:
                parties.add(Party.HANDLING_STAFF)
            if actor.office_id == self.pickup_office_id:
                parties.add(Party.PICKUP_STAFF)
        return parties

    def offices(self) -> set[str]:
        return {o for o in (self.receiving_office_id, self.handling_office_id) if o}

    def cities(self) -> set[str]:
        return {self.receiving_city, self.handling_city}

    def supplement_deadline(self) -> datetime | None:
        return end_of_cst_day(self.supplement_due) if self.supplement_due else None

    def promised_deadline(self) -> datetime | None:
        return end_of_cst_day(self.promised_by) if self.promised_by else None

    def next_due_at(self) -> datetime | None:
        """The earliest instant at which the sweeper has something to do for this case."""
        due: list[datetime] = []
        waiting_for_supplement = self.missing or self.status is Status.RETURNED
        if self.status in RULES[Action.TERMINATE].sources and waiting_for_supplement and self.supplement_due:
            due.append(end_of_cst_day(self.supplement_due))
        if self.status is Status.ACCEPTED and not self.overdue and self.promised_by:
            due.append(end_of_cst_day(self.promised_by))
        return min(due) if due else None

    def awaited_leg(self) -> LegKind | None:
        """The parcel a case in transit waits for: its materials, or its result (None: no parcel)."""
        return {Status.IN_TRANSIT: LegKind.MATERIALS, Status.RESULT_IN_TRANSIT: LegKind.RESULT}.get(self.status)

    def require(self, action: Action, actor: Actor) -> None:
        """Raise unless the lifecycle lets this actor take this action now (OutOfScope: not theirs to take;
        InvalidTransition: not in this state)."""
        self._guard(action, actor)

    def due_action(self, now: datetime) -> Action | None:
        """What the sweeper is to do with the case at ``now``: terminate it (the supplement deadline passed
        with materials outstanding), mark it overdue (the promised date passed), or nothing."""
        deadline = self.supplement_deadline()
        if (self.status in RULES[Action.TERMINATE].sources and deadline and now >= deadline
                and (self.missing or self.status is Status.RETURNED)):
            return Action.TERMINATE
        promised = self.promised_deadline()
        if self.status in RULES[Action.MARK_OVERDUE].sources and promised and now >= promised and not self.overdue:
            return Action.MARK_OVERDUE
        return None

    # ---------------------------------------------------------------- guard

    def _guard(self, action: Action, actor: Actor) -> set[Party]:
        rule = RULES[action]
        parties = self.parties(actor)
        if not parties & rule.by:
            raise OutOfScope(f"{actor.role} {actor.office_id or actor.sub} may not {action.value} this case")
        if self.status not in rule.sources:
            raise InvalidTransition(
                f"cannot {action.value} a case that is {self.status.value} ({self.label})",
                current_status=self.status.value,
            )
        return parties

    def _move(
        self, action: Action, to: Status, actor: Actor, at: datetime, note: str = "", **details: Any
    ) -> Change:
        if (self.status, to) not in RULES[action].edges:  # a defect in this module, not bad input
            raise AssertionError(f"{action} cannot lead from {self.status} to {to}")
        change = Change(action, self.status, to, actor, at, note, details)
        self.status = to
        self.updated_at = at
        return change

    # ---------------------------------------------------------------- transitions

    def receive(
        self, actor: Actor, at: datetime, matter: Matter, missing: list[str], note: str, supplement_days: int
    ) -> Change:
        """收件. 容缺受理: non-core materials may be missing on the applicant's commitment (承诺书)."""
        self._guard(Action.RECEIVE, actor)
        for name in missing:
            if matter.material(name) is None:
                raise InvalidInput("missing", f"{name!r} is not a material of {matter.matter_id}")
        outstanding = set(missing) | {m.name for m in self.materials if not m.provided}
        core_missing = [m.name for m in matter.materials if m.core and m.name in outstanding]
        if core_missing:
            raise RuleViolation(
                "missing_core_material",
                f"core material missing, the case cannot be received: {', '.join(core_missing)}",
                materials=core_missing,
            )
        self.missing = [m.name for m in matter.materials if m.name in outstanding]
        for item in self.materials:
            item.provided = item.name not in outstanding
        details: dict[str, Any] = {}
        if self.missing:
            self.supplement_due = add_working_days(cst_date(at), supplement_days)
            details = {"missing": list(self.missing), "supplement_due": self.supplement_due.isoformat()}
        self.receiving_reviewable_at = at
        return self._move(Action.RECEIVE, Status.RECEIVED, actor, at, note, **details)

    def refuse(self, actor: Actor, at: datetime, reason: str) -> Change:
        """不予收件, with the reason so the applicant knows what to bring."""
        self._guard(Action.REFUSE, actor)
        self.refusal_reason = reason
        self.receiving_reviewable_at = at
        return self._move(Action.REFUSE, Status.REFUSED, actor, at, reason)

    def withdraw(self, actor: Actor, at: datetime, note: str = "") -> Change:
        self._guard(Action.WITHDRAW, actor)
        return self._move(Action.WITHDRAW, Status.WITHDRAWN, actor, at, note)

    def forward(self, actor: Actor, at: datetime, note: str = "") -> Change:
        """The receiving office sends the case on; the router (on a queue) picks office and parcel."""
        self._guard(Action.FORWARD, actor)
        return self._move(Action.FORWARD, Status.IN_TRANSIT, actor, at, note, electronic=self.electronic)

    def route(self, actor: Actor, at: datetime, handling_office: Office, matter: Matter,
              **leg: Any) -> Change:
        """The router assigned the handling office; electronic matters arrive at once (电子流转)."""
        self._guard(Action.ROUTE, actor)
        self.handling_office_id = handling_office.office_id
        if self.electronic:
            self._accept(at, matter)
            return self._move(Action.ROUTE, Status.ACCEPTED, actor, at, "electronic transfer",
                              handling_office_id=handling_office.office_id,
                              promised_by=self.promised_by.isoformat() if self.promised_by else None)
        return self._move(Action.ROUTE, Status.IN_TRANSIT, actor, at, "",
                          handling_office_id=handling_office.office_id, **leg)

    def sign(self, actor: Actor, at: datetime, matter: Matter, note: str = "") -> Change:
        """签收: materials arrived at the handling office (by staff, or the courier's DELIVERED)."""
        self._guard(Action.SIGN, actor)
        if not self.handling_office_id:
            raise InvalidTransition("the case has not been routed to a handling office yet",
                                    current_status=self.status.value)
        self._accept(at, matter)
        return self._move(Action.SIGN, Status.ACCEPTED, actor, at, note,
                          promised_by=self.promised_by.isoformat() if self.promised_by else None)

    def _accept(self, at: datetime, matter: Matter) -> None:
        # Promised completion counts from the acceptance date; a non-working day counts from the next one.
        self.accepted_at = at
        self.promised_by = add_working_days(cst_date(at), matter.time_limit_working_days)

    def return_for_correction(self, actor: Actor, at: datetime, reason: str, supplement_days: int) -> Change:
        """退回补正: the handling office asks for corrections; the applicant supplements within the limit."""
        self._guard(Action.RETURN, actor)
        self.return_reason = reason
        self.supplement_due = add_working_days(cst_date(at), supplement_days)
        return self._move(Action.RETURN, Status.RETURNED, actor, at, reason,
                          supplement_due=self.supplement_due.isoformat())

    def supplement(self, actor: Actor, at: datetime, matter: Matter, material: str, note: str = "") -> Change:
        """补齐材料: a missing (容缺) material arrives, or the correction after a return."""
        self._guard(Action.SUPPLEMENT, actor)
        if matter.material(material) is None:
            raise InvalidInput("material", f"{material!r} is not a material of {matter.matter_id}")
        was_missing = material in self.missing or any(
            m.name == material and not m.provided for m in self.materials
        )
        if not was_missing and self.status is not Status.RETURNED:
            raise RuleViolation("material_not_missing", f"material {material!r} is not missing")
        self.missing = [m for m in self.missing if m != material]
        for item in self.materials:
            if item.name == material:
                item.provided = True
        to = self.status
        if self.status is Status.RETURNED:
            to = Status.ACCEPTED
            self.return_reason = None
        if not self.missing and to is not Status.RETURNED:
            self.supplement_due = None
        return self._move(Action.SUPPLEMENT, to, actor, at, note, material=material,
                          still_missing=list(self.missing))

    def decide(self, actor: Actor, at: datetime, approved: bool, note: str = "") -> Change:
        """准予 / 不予. Not while a 容缺 material is still missing."""
        self._guard(Action.DECIDE, actor)
        if self.missing:
            raise RuleViolation(
                "materials_outstanding",
                f"cannot decide while materials are missing: {', '.join(self.missing)}",
                materials=list(self.missing),
            )
        self.decision = "APPROVED" if approved else "DENIED"
        to = Status.APPROVED if approved else Status.DENIED
        return self._move(Action.DECIDE, to, actor, at, note, approved=approved)

    def ship_result(self, actor: Actor, at: datetime, note: str = "") -> Change:
        """Send the result back as the applicant chose: by mail, to the receiving window, or hold here."""
        self._guard(Action.SHIP_RESULT, actor)
        if self.delivery.method == DeliveryMethod.PICKUP_HANDLING:
            return self._move(Action.SHIP_RESULT, Status.READY_FOR_PICKUP, actor, at, note,
                              delivery=self.delivery.method, pickup_office_id=self.pickup_office_id)
        return self._move(Action.SHIP_RESULT, Status.RESULT_IN_TRANSIT, actor, at, note,
                          delivery=self.delivery.method)

    def result_arrived(self, actor: Actor, at: datetime, waybill: str) -> Change:
        """The result parcel was delivered: to the applicant (completed) or to the pickup window."""
        if self.delivery.method == DeliveryMethod.PICKUP_RECEIVING:
            self._guard(Action.RESULT_AT_PICKUP_OFFICE, actor)
            return self._move(Action.RESULT_AT_PICKUP_OFFICE, Status.READY_FOR_PICKUP, actor, at, "",
                              waybill=waybill, pickup_office_id=self.pickup_office_id)
        self._guard(Action.DELIVER_RESULT, actor)
        self._complete(at)
        return self._move(Action.DELIVER_RESULT, Status.COMPLETED, actor, at, "", waybill=waybill)

    def pickup(self, actor: Actor, at: datetime, note: str = "") -> Change:
        self._guard(Action.PICKUP, actor)
        self._complete(at)
        return self._move(Action.PICKUP, Status.COMPLETED, actor, at, note)

    def _complete(self, at: datetime) -> None:
        self.completed_at = at
        self.handling_reviewable_at = at

    def terminate(self, actor: Actor, at: datetime) -> Change:
        """终止: the supplement deadline passed with materials still outstanding."""
        self._guard(Action.TERMINATE, actor)
        deadline = self.supplement_deadline()
        if deadline is None or at < deadline or not (self.missing or self.status is Status.RETURNED):
            raise InvalidTransition("the supplement deadline has not passed", current_status=self.status.value)
        return self._move(Action.TERMINATE, Status.TERMINATED, actor, at,
                          "supplement deadline passed", missing=list(self.missing),
                          supplement_due=self.supplement_due.isoformat() if self.supplement_due else None)

    def mark_overdue(self, actor: Actor, at: datetime) -> Change:
        """超期: the promised completion date passed before a decision; escalates."""
        self._guard(Action.MARK_OVERDUE, actor)
        deadline = self.promised_deadline()
        if self.overdue or deadline is None or at < deadline:
            raise InvalidTransition("the case is not overdue", current_status=self.status.value)
        self.overdue = True
        return self._move(Action.MARK_OVERDUE, self.status, actor, at, "promised completion date passed",
                          promised_by=self.promised_by.isoformat() if self.promised_by else None)

    def record_shipment_exception(self, actor: Actor, at: datetime, waybill: str, event: str,
                                  note: str = "") -> Change:
        self._guard(Action.SHIPMENT_EXCEPTION, actor)
        return self._move(Action.SHIPMENT_EXCEPTION, self.status, actor, at, note, waybill=waybill,
                          courier_event=event)

    def reship(self, actor: Actor, at: datetime, waybill: str, note: str = "") -> Change:
        self._guard(Action.RESHIP, actor)
        return self._move(Action.RESHIP, self.status, actor, at, note, waybill=waybill)

    def claimable_by(self, actor: Actor, query_code: str, id_number: str) -> bool:
        """Whether this citizen, showing the query code and the applicant's identity number, may claim the
        case: it must be a walk-in case nobody claimed yet, or already theirs (claiming again changes
        nothing). Compared in constant time; the caller answers every ``False`` alike (no oracle)."""
        if actor.role != Role.CITIZEN:
            return False
        code_ok = hmac.compare_digest(self.query_code.encode(), query_code.encode())
        id_ok = hmac.compare_digest(self.applicant.id_number.upper().encode(), id_number.strip().upper().encode())
        owner_ok = self.applicant.sub == actor.sub or self.applicant.sub.startswith(WALK_IN_PREFIX)
        return code_ok and id_ok and owner_ok

    def claim(self, actor: Actor, at: datetime) -> Change | None:
        """认领: the citizen becomes the applicant of a walk-in case, with every right the applicant has
        (withdraw, supplement, rate, follow up, see their data). None when it is already theirs."""
        if self.applicant.sub == actor.sub:
            return None
        if actor.role != Role.CITIZEN or not self.applicant.sub.startswith(WALK_IN_PREFIX):
            raise OutOfScope(f"case {self.case_no} cannot be claimed")
        self.applicant.sub = actor.sub
        self.updated_at = at
        return Change(Action.CLAIM, self.status, self.status, actor, at, "claimed by the applicant")


def new_case(
    *,
    case_no: str,
    actor: Actor,
    at: datetime,
    matter: Matter,
    receiving_office: Office,
    applicant: Applicant,
    materials: list[MaterialItem],
    delivery: Delivery,
) -> tuple[Case, Change]:
    """申请: a new case at the receiving office. Raises RuleViolation when the matter is not cross-city."""
    if receiving_office.city == matter.handling_city:
        raise RuleViolation(
            "not_cross_city",
            f"{matter.matter_id} is handled in {matter.handling_city}; apply at a local window, "
            "not through cross-city service",
        )
    if receiving_office.city not in matter.accepted_in:
        raise RuleViolation(
            "matter_not_accepted",
            f"{matter.matter_id} is not accepted cross-city at {receiving_office.office_id}",
        )
    if "receiving" not in receiving_office.kinds:
        raise RuleViolation("not_a_receiving_office", f"{receiving_office.office_id} does not receive cases")
    if delivery.method not in matter.deliveries:
        raise RuleViolation("delivery_not_allowed", f"delivery.method {delivery.method} not allowed")
    case = Case(
        case_no=case_no,
        query_code=new_query_code(),
        matter_id=matter.matter_id,
        receiving_office_id=receiving_office.office_id,
        receiving_city=receiving_office.city,
        handling_city=matter.handling_city,
        applicant=applicant,
        materials=materials,
        delivery=delivery,
        status=Status.SUBMITTED,
        created_at=at,
        updated_at=at,
        electronic=matter.electronic,
    )
    change = Change(Action.APPLY, Status.SUBMITTED, Status.SUBMITTED, actor, at, "",
                    {"matter_id": matter.matter_id, "receiving_office_id": receiving_office.office_id})
    return case, change


def timeline_entry(change: Change, seq: int) -> dict[str, Any]:
    """The immutable timeline event of a change, as stored and shown."""
    return {
        "seq": seq,
        "at": iso(change.at),
        "action": change.action.value,
        "from_status": change.from_status.value,
        "to_status": change.to_status.value,
        "label": LABELS[change.to_status],
        "actor_sub": change.actor.sub,
        "actor_role": change.actor.role,
        "office_id": change.actor.office_id,
        "note": change.note,
        "details": change.details,
    }


def case_event(case: Case, change: Change) -> CaseEvent:
    """The outgoing event of a committed change: its id is the case number and the version the change
    made, so consumers drop stale and repeated ones."""
    return CaseEvent(
        event_id=f"{case.case_no}#{case.version}", type=change.event_type, case_no=case.case_no,
        version=case.version, action=change.action.value, from_status=change.from_status.value,
        to_status=change.to_status.value, at=change.at, matter_id=case.matter_id,
        receiving_office_id=case.receiving_office_id, handling_office_id=case.handling_office_id,
        details=change.details,
    )


def material_items(matter: Matter, submitted: list[tuple[str, bool]]) -> list[MaterialItem]:
    """The case's material list: every material of the matter, provided or not as the applicant said
    (``submitted``: name and whether it was provided)."""
    provided: dict[str, bool] = {}
    for i, (name, given) in enumerate(submitted):
        if matter.material(name) is None:
            raise InvalidInput(f"materials[{i}].name", f"{name!r} is not a material of {matter.matter_id}")
        provided[name] = given
    return [MaterialItem(m.name, m.core, provided.get(m.name, False)) for m in matter.materials]


def check_delivery(method: str, address: dict[str, Any] | None) -> Delivery:
    if method not in DeliveryMethod.__members__:
        raise InvalidInput("delivery.method", f"must be one of {', '.join(DeliveryMethod)}")
    if method == DeliveryMethod.MAIL and not address:
        raise InvalidInput("delivery.address", "required when delivery.method is MAIL")
    return Delivery(method=DeliveryMethod(method), address=address if method == DeliveryMethod.MAIL else None)
