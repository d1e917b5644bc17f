"""A case (办件) and the behaviour of every transition of its lifecycle.

Each method checks the lifecycle rule (who, from which state), changes the case in memory and returns
the ``Change`` that the repository commits atomically: the new case version, its timeline event and
its outgoing event (outbox).
"""
from __future__ import annotations

import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from .actor import Actor, Role
from .errors import InvalidInput, InvalidTransition, OutOfScope, RuleViolation
from .events import CaseEvent
from .licences import ConsentRequired
from .lifecycle import LABELS, RULES, Action, Party, Status
from .reference import CaseDeadlines, Matter, Office
from .shipping import LegKind
from .workdays import add_working_days, cst_date, end_of_cst_day, iso, start_of_cst_day, working_days_between

# The applicant subject of a case that window staff entered for someone at the counter (services/intake.py):
# no account owns it until the applicant claims it (Case.claim).
WALK_IN_PREFIX = "walk-in:"

# Used where a caller has no reference data at hand (tests of one rule); services pass the catalogue's.
DEFAULT_DEADLINES = CaseDeadlines()

class DeliveryMethod(StrEnum):
    """How the result reaches the applicant (邮寄送达 or pickup at a window)."""

    MAIL = "MAIL"
    PICKUP_RECEIVING = "PICKUP_RECEIVING"  # at the receiving window, where the applicant applied
    PICKUP_HANDLING = "PICKUP_HANDLING"  # at the handling office
    ELECTRONIC = "ELECTRONIC"  # issued as an electronic licence (电子证照) to the applicant: no parcel



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
    # "licence": read from the licence library with the applicant's consent (免提交), kept by reference
    # (``licence``: number, type, issuer, validity) and never carried; None: paper (or not provided).
    source: str | None = None
    licence: dict[str, Any] | None = None


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
    # 补正: the applicant's deadline to correct a returned case, and when it was returned (the office's clock
    # stops while the applicant corrects: the promised date moves by the working days spent waiting).
    correction_due: date | None = None
    returned_at: datetime | None = None
    # The current state's own deadline (SUBMITTED, RECEIVED, APPROVED/DENIED, READY_FOR_PICKUP) and whether it
    # was found overdue; both reset when the case changes state.
    stage_due: datetime | None = None
    stage_overdue: bool = False
    # Pickup reminders still to send (instants), and the deadlines the applicant was reminded of ("kind:date").
    pickup_reminders: list[datetime] = field(default_factory=list)
    reminded: list[str] = field(default_factory=list)
    # Waybills staff re-shipped: each parcel that went wrong is replaced once (a second reship is a 409).
    reshipped: list[str] = field(default_factory=list)
    # 授权: what the applicant authorized reading for this case (licence types, and a rule's records).
    licence_authorization: list[str] = field(default_factory=list)
    # Materials whose licence could not be read (service down): they stay paper; the applicant is told.
    licence_unavailable: list[str] = field(default_factory=list)
    requested_period: list[str] | None = None  # [from, to] months YYYY-MM, for rules over a period
    rule_check: dict[str, Any] | None = None  # 秒批: the approval rule's last check (id, version, inputs, outcome)
    result_licence: dict[str, Any] | None = None  # the result issued as a licence (by reference)
    # The consolidated parcels (合包) the case travelled in, materials' first: one per leg, never two at once.
    parcels: list[str] = field(default_factory=list)

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

    def applicant_deadlines(self) -> list[tuple[str, date]]:
        """The applicant's pending deadlines: a 容缺 material to bring ("supplement") and a returned case to
        correct ("correction"). Each is kept as set: a return never moves a pending 容缺 deadline."""
        if self.status not in RULES[Action.TERMINATE].sources:
            return []
        pending: list[tuple[str, date]] = []
        if self.missing and self.supplement_due:
            pending.append(("supplement", self.supplement_due))
        if self.status is Status.RETURNED and self.correction_due:
            pending.append(("correction", self.correction_due))
        return pending

    def _timers(self) -> list[tuple[datetime, Action]]:
        """Every instant at which the sweeper is to act on this case, with the action."""
        timers: list[tuple[datetime, Action]] = []
        for kind, day in self.applicant_deadlines():
            timers.append((end_of_cst_day(day), Action.TERMINATE))
            if f"{kind}:{day.isoformat()}" not in self.reminded:  # a text on the last day (补正提醒)
                timers.append((start_of_cst_day(day), Action.REMIND_SUPPLEMENT))
        if self.status is Status.ACCEPTED and not self.overdue and self.promised_by:
            timers.append((end_of_cst_day(self.promised_by), Action.MARK_OVERDUE))
        if self.stage_due and not self.stage_overdue and self.status in RULES[Action.MARK_OVERDUE].sources:
            timers.append((self.stage_due, Action.MARK_OVERDUE))
        if self.status is Status.READY_FOR_PICKUP and self.pickup_reminders:
            timers.append((self.pickup_reminders[0], Action.REMIND_PICKUP))
        return timers

    def next_due_at(self) -> datetime | None:
        """The earliest instant at which the sweeper has something to do for this case."""
        return min((at for at, _ in self._timers()), default=None)

    def awaited_leg(self) -> LegKind | None:
        """The parcel a case in transit waits for: its materials, or its result (None: no parcel)."""
        return {Status.IN_TRANSIT: LegKind.MATERIALS, Status.RESULT_IN_TRANSIT: LegKind.RESULT}.get(self.status)

    def require(self, action: Action, actor: Actor) -> None:
        """Raise unless the lifecycle lets this actor take this action now (OutOfScope: not theirs to take;
        InvalidTransition: not in this state)."""
        self._guard(action, actor)

    def due_action(self, now: datetime) -> Action | None:
        """What the sweeper is to do with the case at ``now``: terminate it (an applicant's deadline passed
        unmet), mark it overdue (the promised date or the state's own deadline passed), remind the applicant
        (a deadline ends today; a result waits for pickup), or nothing. The most consequential step first."""
        due = {action for at, action in self._timers() if now >= at}
        order = (Action.TERMINATE, Action.MARK_OVERDUE, Action.REMIND_SUPPLEMENT, Action.REMIND_PICKUP)
        return next((a for a in order if a in due), None)

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
        self, action: Action, to: Status, actor: Actor, at: datetime, note: str = "",
        deadlines: CaseDeadlines | None = None, **details: Any
    ) -> Change:
        if (self.status, to) not in RULES[action].edges:  # a defect in this module, not bad input
            raise AssertionError(f"{action} cannot lead from {self.status} to {to}")
        change = Change(action, self.status, to, actor, at, note, details)
        if to is not self.status:
            self._start_clock(to, at, deadlines or DEFAULT_DEADLINES)
        self.status = to
        self.updated_at = at
        return change

    def _start_clock(self, to: Status, at: datetime, deadlines: CaseDeadlines) -> None:
        """No state waits forever: entering a state starts that state's own deadline, if it has one."""
        self.stage_due, self.stage_overdue, self.pickup_reminders = None, False, []
        days = deadlines.stage_working_days.get(to.value)
        if days is not None:
            self.stage_due = end_of_cst_day(add_working_days(cst_date(at), days))
        if to is Status.READY_FOR_PICKUP:
            self.stage_due = at + timedelta(days=deadlines.pickup_alert_days)
            self.pickup_reminders = [at + timedelta(days=d) for d in deadlines.pickup_reminder_days
                                     if d < deadlines.pickup_alert_days]

    # ---------------------------------------------------------------- transitions

    def receive(
        self, actor: Actor, at: datetime, matter: Matter, missing: list[str] | None, note: str,
        supplement_days: int, deadlines: CaseDeadlines = DEFAULT_DEADLINES,
    ) -> Change:
        """收件. 容缺受理: non-core materials may be missing on the applicant's commitment (承诺书).

        The window checks the originals: its ``missing`` list is the finding and replaces what the form said
        (a material the form left out may be on the counter); None keeps the form's. The timeline keeps both.
        """
        self._guard(Action.RECEIVE, actor)
        form_missing = [m.name for m in self.materials if not m.provided]
        for name in missing or []:
            if matter.material(name) is None:
                raise InvalidInput("missing", f"{name!r} is not a material of {matter.matter_id}")
        outstanding = set(form_missing) if missing is None else set(missing)
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
        if form_missing != self.missing:
            details["form_missing"] = form_missing
        self.receiving_reviewable_at = at
        return self._move(Action.RECEIVE, Status.RECEIVED, actor, at, note, deadlines, **details)

    def refuse(self, actor: Actor, at: datetime, reason: str) -> Change:
        """不予收件, with the reason and what to bring next time (the materials the form did not provide), so
        the applicant's SMS says both."""
        self._guard(Action.REFUSE, actor)
        self.refusal_reason = reason
        self.receiving_reviewable_at = at
        to_bring = [m.name for m in self.materials if not m.provided]
        return self._move(Action.REFUSE, Status.REFUSED, actor, at, reason, reason=reason, to_bring=to_bring)

    def withdraw(self, actor: Actor, at: datetime, note: str = "") -> Change:
        self._guard(Action.WITHDRAW, actor)
        return self._move(Action.WITHDRAW, Status.WITHDRAWN, actor, at, note)

    def forward(self, actor: Actor, at: datetime, note: str = "", urgent: bool = False) -> Change:
        """The receiving office sends the case on; the router (on a queue) picks office and parcel. An urgent
        case (加急) travels alone instead of in the day's consolidated parcel; the flag is on the timeline."""
        self._guard(Action.FORWARD, actor)
        extra: dict[str, Any] = {"urgent": True} if urgent else {}
        return self._move(Action.FORWARD, Status.IN_TRANSIT, actor, at, note, None, electronic=self.electronic,
                          **extra)

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
        if leg.get("parcel_id"):
            self.parcels = [*self.parcels, str(leg["parcel_id"])]
        return self._move(Action.ROUTE, Status.IN_TRANSIT, actor, at, "",
                          handling_office_id=handling_office.office_id, **leg)

    def pack(self, actor: Actor, at: datetime, parcel_id: str, collection_day: str) -> Change:
        """合包: the result travels in the pair's parcel of that collection day (pickup at the receiving office)."""
        self._guard(Action.PACK, actor)
        if parcel_id in self.parcels:
            raise InvalidTransition(f"the case is in parcel {parcel_id} already", current_status=self.status.value)
        self.parcels = [*self.parcels, parcel_id]
        return self._move(Action.PACK, self.status, actor, at, "", parcel_id=parcel_id, collection_day=collection_day)

    def materials_missing(self, actor: Actor, at: datetime, parcel_id: str, note: str = "") -> Change:
        """缺件: the case was on the parcel's handover list but its materials were not inside. The case waits
        for them again (they are sent once more, alone); the applicant is told and operators alerted."""
        self._guard(Action.MATERIALS_MISSING, actor)
        if parcel_id not in self.parcels:
            raise InvalidTransition(f"the case did not travel in parcel {parcel_id}", current_status=self.status.value)
        self.accepted_at, self.promised_by = None, None  # acceptance counts again from the materials' arrival
        return self._move(Action.MATERIALS_MISSING, Status.IN_TRANSIT, actor, at, note, parcel_id=parcel_id)

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

    def return_for_correction(self, actor: Actor, at: datetime, reason: str, correction_days: int) -> Change:
        """退回补正: the handling office says what to correct; the applicant corrects within its own deadline
        (a pending 容缺 deadline stays as it was). The office's clock stops until the correction."""
        self._guard(Action.RETURN, actor)
        self.return_reason = reason
        self.returned_at = at
        self.correction_due = add_working_days(cst_date(at), correction_days)
        details: dict[str, Any] = {"correction_due": self.correction_due.isoformat(), "reason": reason}
        if self.missing and self.supplement_due:
            details |= {"missing": list(self.missing), "supplement_due": self.supplement_due.isoformat()}
        return self._move(Action.RETURN, Status.RETURNED, actor, at, reason, **details)

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
        details: dict[str, Any] = {}
        if self.status is Status.RETURNED:
            to = Status.ACCEPTED
            self.return_reason = None
            # The clock stopped while the applicant corrected: the promised date moves by the working days
            # the case waited, so the office is not counted late for the applicant's time.
            waited = working_days_between(cst_date(self.returned_at or at), cst_date(at))
            if self.promised_by and waited:
                self.promised_by = add_working_days(self.promised_by, waited)
            details = {"waited_working_days": waited,
                       "promised_by": self.promised_by.isoformat() if self.promised_by else None}
            self.correction_due = self.returned_at = None
        if not self.missing:
            self.supplement_due = None
        return self._move(Action.SUPPLEMENT, to, actor, at, note, material=material,
                          still_missing=list(self.missing), **details)

    def decide(self, actor: Actor, at: datetime, approved: bool, note: str = "",
               deadlines: CaseDeadlines = DEFAULT_DEADLINES) -> Change:
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
        reason = {} if approved else {"reason": note}  # 不予: the applicant is told why
        return self._move(Action.DECIDE, to, actor, at, note, deadlines, approved=approved, **reason)

    def ship_result(self, actor: Actor, at: datetime, note: str = "",
                    deadlines: CaseDeadlines = DEFAULT_DEADLINES) -> Change:
        """Send the result back as the applicant chose: by mail, to the receiving window, or hold here."""
        self._guard(Action.SHIP_RESULT, actor)
        if self.delivery.method == DeliveryMethod.ELECTRONIC:
            raise RuleViolation("electronic_delivery", "the result of this case is issued as an electronic licence")
        if self.delivery.method == DeliveryMethod.PICKUP_HANDLING:
            return self._move(Action.SHIP_RESULT, Status.READY_FOR_PICKUP, actor, at, note, deadlines,
                              delivery=self.delivery.method, pickup_office_id=self.pickup_office_id)
        return self._move(Action.SHIP_RESULT, Status.RESULT_IN_TRANSIT, actor, at, note,
                          delivery=self.delivery.method)

    def issue_result(self, actor: Actor, at: datetime, licence: dict[str, Any] | None, note: str = "") -> Change:
        """电子证照送达: the result is issued to the applicant as an electronic licence (``licence``: its
        reference; None for a 不予 decision, sent electronically): the case is completed, no parcel."""
        self._guard(Action.ISSUE_RESULT, actor)
        if self.delivery.method != DeliveryMethod.ELECTRONIC:
            raise RuleViolation("not_electronic", f"delivery.method is {self.delivery.method}, not ELECTRONIC")
        if self.decision == "APPROVED" and licence is None:
            raise RuleViolation("licence_required", "an approved result is issued as a licence")
        self.result_licence = licence
        self._complete(at)
        return self._move(Action.ISSUE_RESULT, Status.COMPLETED, actor, at, note, delivery=self.delivery.method,
                          licence=licence)

    def record_licences(self, actor: Actor, at: datetime, matter: Matter, found: dict[str, dict[str, Any]],
                        unavailable: list[str], not_found: list[str]) -> Change:
        """免提交: materials read from licences (by reference) count as provided and travel in no parcel; only
        with the applicant's consent for each type. When nothing is left to carry and the matter allows it, the
        case transfers electronically. Materials whose lookup failed stay paper and are listed for the applicant."""
        self._guard(Action.READ_LICENCES, actor)
        kinds = matter.licence_materials()
        for name, ref in found.items():
            if kinds.get(name) not in self.licence_authorization or ref.get("licence_type") != kinds.get(name):
                raise ConsentRequired(f"no authorization to read {name} for {self.case_no}",
                                      licence_type=kinds.get(name))
        for item in self.materials:
            if item.name in found:
                item.provided, item.source, item.licence = True, "licence", dict(found[item.name])
        self.licence_unavailable = [m for m in unavailable if m not in found]
        was = self.electronic
        self.electronic = was or (matter.paperless_transfer and self.paperless(matter))
        return self._move(Action.READ_LICENCES, self.status, actor, at, "",
                          materials={k: {"licence_no": v.get("licence_no"), "issuer": v.get("issuer"),
                                         "valid_until": v.get("valid_until")} for k, v in found.items()},
                          unavailable=list(self.licence_unavailable), not_found=list(not_found),
                          electronic=self.electronic, paperless=self.electronic and not was)

    def paperless(self, matter: Matter) -> bool:
        """Nothing to carry: every material is read from a licence or filled in online."""
        online = {m.name for m in matter.materials if m.online}
        return all(m.source == "licence" or m.name in online for m in self.materials)

    def decide_by_rule(self, actor: Actor, at: datetime, record: dict[str, Any],
                       deadlines: CaseDeadlines = DEFAULT_DEADLINES) -> Change:
        """秒批: the matter's approval rule approved the case; the system decides, with the rule's id, version,
        inputs and conditions on the timeline."""
        if actor.role != Role.SYSTEM or record.get("outcome") != "approved":
            raise OutOfScope("only the system decides by rule, and only a rule that approved")
        change = self.decide(actor, at, True, f"秒批：规则 {record['rule_id']} v{record['rule_version']} 核验通过",
                             deadlines)
        self.rule_check = dict(record)
        return Change(change.action, change.from_status, change.to_status, change.actor, change.at, change.note,
                      {**change.details, "rule": record})

    def record_rule_check(self, actor: Actor, at: datetime, record: dict[str, Any]) -> Change:
        """秒批 did not approve (no match, inputs unavailable, not authorized): a person decides; staff see why."""
        self._guard(Action.CHECK_RULE, actor)
        self.rule_check = dict(record)
        note = f"秒批未通过，转人工审批（{record.get('outcome')}）"
        return self._move(Action.CHECK_RULE, self.status, actor, at, note, rule=record)

    def result_arrived(self, actor: Actor, at: datetime, waybill: str,
                       deadlines: CaseDeadlines = DEFAULT_DEADLINES) -> Change:
        """The result parcel was delivered: to the applicant (completed) or to the pickup window."""
        if self.delivery.method == DeliveryMethod.PICKUP_RECEIVING:
            self._guard(Action.RESULT_AT_PICKUP_OFFICE, actor)
            return self._move(Action.RESULT_AT_PICKUP_OFFICE, Status.READY_FOR_PICKUP, actor, at, "", deadlines,
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
        """终止: an applicant's deadline passed unmet: a 容缺 material not brought, or a returned case not
        corrected. The details say which, and what was outstanding (they reach the applicant's SMS)."""
        self._guard(Action.TERMINATE, actor)
        passed = [(kind, day) for kind, day in self.applicant_deadlines() if at >= end_of_cst_day(day)]
        if not passed:
            raise InvalidTransition("the supplement deadline has not passed", current_status=self.status.value)
        kind, day = passed[0]
        details: dict[str, Any] = {"deadline": kind, "missing": list(self.missing),
                                   "supplement_due": self.supplement_due.isoformat() if self.supplement_due else None}
        if kind == "correction":
            details |= {"correction_due": day.isoformat(), "return_reason": self.return_reason}
        note = "supplement deadline passed" if kind == "supplement" else "correction deadline passed"
        return self._move(Action.TERMINATE, Status.TERMINATED, actor, at, note, **details)

    def mark_overdue(self, actor: Actor, at: datetime) -> Change:
        """超期: the promised completion date passed before a decision, or the case sat in a state past that
        state's own deadline (not received, not forwarded, result not shipped, not picked up); escalates."""
        self._guard(Action.MARK_OVERDUE, actor)
        promised = self.promised_deadline()
        if self.status is Status.ACCEPTED and not self.overdue and promised and at >= promised:
            self.overdue = True
            return self._move(Action.MARK_OVERDUE, self.status, actor, at, "promised completion date passed",
                              promised_by=self.promised_by.isoformat() if self.promised_by else None)
        if self.stage_due and not self.stage_overdue and at >= self.stage_due:
            self.stage_overdue = True
            return self._move(Action.MARK_OVERDUE, self.status, actor, at,
                              f"deadline of {self.status.value} passed", stage=self.status.value,
                              stage_due=iso(self.stage_due), pickup_office_id=self.pickup_office_id)
        raise InvalidTransition("the case is not overdue", current_status=self.status.value)

    def remind_supplement(self, actor: Actor, at: datetime) -> Change:
        """补正提醒: an applicant's deadline ends today; the applicant is texted what is still outstanding."""
        self._guard(Action.REMIND_SUPPLEMENT, actor)
        due = [(kind, day) for kind, day in self.applicant_deadlines()
               if f"{kind}:{day.isoformat()}" not in self.reminded and at >= start_of_cst_day(day)]
        if not due:
            raise InvalidTransition("no deadline to remind of", current_status=self.status.value)
        kind, day = due[0]
        self.reminded = [*self.reminded, f"{kind}:{day.isoformat()}"]
        what = {"missing": list(self.missing)} if kind == "supplement" else {"return_reason": self.return_reason}
        return self._move(Action.REMIND_SUPPLEMENT, self.status, actor, at, "", deadline=kind,
                          due=day.isoformat(), **what)

    def remind_pickup(self, actor: Actor, at: datetime) -> Change:
        """领取提醒: the result has waited for pickup; reminders already passed are sent once, as one."""
        self._guard(Action.REMIND_PICKUP, actor)
        passed = [r for r in self.pickup_reminders if at >= r]
        if not passed:
            raise InvalidTransition("no pickup reminder due", current_status=self.status.value)
        self.pickup_reminders = [r for r in self.pickup_reminders if at < r]
        return self._move(Action.REMIND_PICKUP, self.status, actor, at, "",
                          pickup_office_id=self.pickup_office_id,
                          alert_at=iso(self.stage_due) if self.stage_due else None)

    def record_shipment_exception(self, actor: Actor, at: datetime, waybill: str, event: str,
                                  note: str = "", reported_at: datetime | None = None) -> Change:
        """The courier reported trouble (``event``) with the shipment; ``reported_at`` is the time the courier
        gave, kept so that the same report is recognised again (``exception_recorded``)."""
        self._guard(Action.SHIPMENT_EXCEPTION, actor)
        reported: dict[str, Any] = {"reported_at": iso(reported_at)} if reported_at else {}
        return self._move(Action.SHIPMENT_EXCEPTION, self.status, actor, at, note, waybill=waybill,
                          courier_event=event, **reported)

    def reship(self, actor: Actor, at: datetime, waybill: str, note: str = "") -> Change:
        """重新寄递: replace a parcel that went wrong, once: the timeline has one reship per replaced parcel."""
        self._guard(Action.RESHIP, actor)
        if waybill and waybill in self.reshipped:
            raise InvalidTransition(f"shipment {waybill} was re-shipped already; its replacement is on its way",
                                    current_status=self.status.value)
        self.reshipped = [*self.reshipped, waybill]
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
    deadlines: CaseDeadlines = DEFAULT_DEADLINES,
    licence_authorization: list[str] | None = None,
    requested_period: list[str] | None = None,
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
        licence_authorization=list(licence_authorization or []),
        requested_period=list(requested_period) if requested_period else None,
    )
    case._start_clock(Status.SUBMITTED, at, deadlines)
    details: dict[str, Any] = {"matter_id": matter.matter_id, "receiving_office_id": receiving_office.office_id,
                               "walk_in": applicant.sub.startswith(WALK_IN_PREFIX)}
    if licence_authorization:  # 授权 on record, with the case, before any lookup
        details["licence_authorization"] = list(licence_authorization)
    change = Change(Action.APPLY, Status.SUBMITTED, Status.SUBMITTED, actor, at, "", details)
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


def exception_recorded(timeline: Iterable[dict[str, Any]], waybill: str, event: str, reported_at: datetime) -> bool:
    """Whether a case's timeline holds this courier report of trouble already: the same waybill, event and
    time the courier gave. A parcel's trouble reaches each case inside once, however often it is delivered."""
    stamp = iso(reported_at)
    for entry in timeline:
        details = entry.get("details") or {}
        if (entry.get("action") == Action.SHIPMENT_EXCEPTION.value and details.get("waybill") == waybill
                and details.get("courier_event") == event and details.get("reported_at") == stamp):
            return True
    return False


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
