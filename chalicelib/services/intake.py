"""Intake (异地收件): apply, receive (with 容缺), refuse, withdraw, supplement."""
from __future__ import annotations

import hashlib
import json
from datetime import datetime

from ..adapters.reference_store import catalogue
from ..adapters.secrets import keyed_digest
from ..bootstrap import unit_of_work
from ..domain.actor import Role
from ..domain.case import (
    WALK_IN_PREFIX,
    Actor,
    Applicant,
    Case,
    case_number,
    check_delivery,
    material_items,
    new_case,
)
from ..domain.errors import Conflict, InvalidInput, OutOfScope, RuleViolation
from ..domain.formats import ID_NUMBER, matches
from ..domain.identity import is_mobile, resident_id_problem
from ..domain.workdays import cst_date, utcnow
from . import licences
from .case_steps import change_case
from .commands import ApplicantDetails, Apply
from .unit_of_work import UnitOfWork

CASE_NUMBER_ATTEMPTS = 5
# Case numbers come in blocks: a container reserves 20 with one counter write and hands them out, so at
# 1,000 applications a second in one city the day's counter takes 50 writes a second instead of 1,000 (its
# item's whole limit). What a container holds when it retires is a gap in the day's numbers; the 5-digit
# sequence still leaves 99,999 numbers per city and day (docs/PERFORMANCE.md §8).
CASE_NUMBER_BLOCK = 20


def _applicant(actor: Actor, data: ApplicantDetails) -> Applicant:
    id_type = data.id_type
    id_number = data.id_number.upper()
    if not matches(ID_NUMBER, id_number):  # fullwidth or other scripts' digits are never stored as sent
        raise InvalidInput("applicant.id_number", "must be 5 to 32 ASCII letters and digits")
    if id_type == "RESIDENT_ID":
        problem = resident_id_problem(id_number)
        if problem:
            raise InvalidInput("applicant.id_number", problem)
    if not is_mobile(data.phone):
        raise InvalidInput("applicant.phone", "must be an 11-digit mainland mobile number")
    if actor.role == Role.CITIZEN:
        sub = actor.sub  # a citizen applies only for themselves
    else:
        # A walk-in applicant entered by window staff: tracked with the query code, not a login. The subject
        # is a keyed HMAC of the document: a plain SHA-256 of an 18-digit ID is reversed by enumerating the
        # few billion plausible numbers. (Subjects stored before stay as they are: nothing recomputes one,
        # claiming compares the query code and the identity number.)
        sub = WALK_IN_PREFIX + keyed_digest("walk-in-subject", f"{id_type}:{id_number}".encode())[:32]
    return Applicant(name=data.name, id_type=id_type, id_number=id_number, phone=data.phone, sub=sub,
                     district=data.district)


def idempotency_record_key(sub: str, idempotency_key: str) -> str:
    """Where a caller's Idempotency-Key is claimed: a digest of the (subject, key) pair, encoded so that no
    two pairs meet (``alice`` + ``K#t`` and ``alice#K`` + ``t`` joined with ``#`` were one record, and the
    second caller was answered with the first caller's case and query code)."""
    pair = json.dumps([sub, idempotency_key], ensure_ascii=False, separators=(",", ":"))
    return "idem#" + hashlib.sha256(pair.encode()).hexdigest()


def apply(actor: Actor, command: Apply, now: datetime | None = None) -> tuple[Case, bool]:
    """申请. Returns the case and whether it was created now (False: an idempotent retry)."""
    if actor.role not in (Role.CITIZEN, Role.STAFF):
        raise OutOfScope("only citizens and window staff can apply")
    if actor.role == Role.STAFF and actor.office_id != command.receiving_office_id:
        raise OutOfScope("staff can only enter applications at their own office")
    key = idempotency_record_key(actor.sub, command.idempotency_key) if command.idempotency_key else None
    digest = command.digest() if key else ""
    with unit_of_work() as uow:
        if key:
            existing, existing_digest = uow.cases.claimed(key)
            if existing:
                return _replay(uow, existing, existing_digest, digest), False
        case, created = _apply(uow, actor, command, key, digest, now)
    if created and case.licence_authorization:  # 免提交: after the case (and its 授权) is on record
        case = licences.read_after_application(actor, case, now)
    return case, created


def _apply(uow: UnitOfWork, actor: Actor, command: Apply, key: str | None, digest: str,
           now: datetime | None) -> tuple[Case, bool]:
    at = now or utcnow()
    cat = catalogue()
    matter = cat.matter(command.matter_id)
    office = cat.offices.get(command.receiving_office_id)
    if office is None:
        raise InvalidInput("receiving_office_id", f"unknown office {command.receiving_office_id!r}")
    applicant = _applicant(actor, command.applicant)
    delivery = check_delivery(command.delivery_method, command.delivery_address)
    if delivery.address is not None and delivery.address.get("phone") and not is_mobile(delivery.address["phone"]):
        raise InvalidInput("delivery.address.phone", "must be an 11-digit mainland mobile number")
    if delivery.address is not None and delivery.address.get("city") not in cat.cities:
        raise InvalidInput("delivery.address.city", "must be the division code of a city in service")
    materials = material_items(matter, [(m.name, m.provided) for m in command.materials])
    authorized = licences.check_authorization(matter.licence_materials(), command.licence_materials)
    if command.records_authorized:
        if matter.approval_rule is None:
            raise InvalidInput("licence_authorization.records", f"{matter.matter_id} has no approval rule to read for")
        authorized.append(matter.approval_rule.consent)
    period = command.requested_period
    if period and period[0] > period[1]:
        raise InvalidInput("requested_period.to", "must not be before requested_period.from")
    for attempt in range(CASE_NUMBER_ATTEMPTS):
        seq = uow.counters.take(f"case-seq#{office.city}#{cst_date(at):%Y%m%d}", CASE_NUMBER_BLOCK)
        case, change = new_case(
            case_no=case_number(office.city, cst_date(at), seq), actor=actor, at=at, matter=matter,
            receiving_office=office, applicant=applicant, materials=materials, delivery=delivery,
            deadlines=cat.deadlines, licence_authorization=authorized,
            requested_period=list(period) if period else None,
        )
        uow.cases.add(case, change, claim=(key, digest) if key else None)
        try:
            uow.commit()
            return case, True
        except Conflict:
            if key:  # lost a race with a retry of the same request: answer with the winner's case
                existing, existing_digest = uow.cases.claimed(key)
                if existing:
                    return _replay(uow, existing, existing_digest, digest), False
            if attempt == CASE_NUMBER_ATTEMPTS - 1:
                raise
            # The number is taken (a counter that handed it out twice): the conditional insert refused to
            # overwrite that case; draw the next number.
    raise AssertionError("unreachable")  # pragma: no cover


def _replay(uow: UnitOfWork, case_no: str, stored_digest: str | None, digest: str | None) -> Case:
    if stored_digest and digest and stored_digest != digest:
        raise RuleViolation("idempotency_key_reused", "Idempotency-Key was already used for a different request")
    return uow.cases.get(case_no)


def receive(actor: Actor, case_no: str, missing: list[str] | None, note: str = "",
            now: datetime | None = None) -> Case:
    """收件. ``missing`` is what the window found missing against the originals (it replaces what the form
    said); None keeps the form's list."""
    cat = catalogue()
    return change_case(case_no, lambda case: case.receive(actor, now or utcnow(), cat.matter(case.matter_id),
                                                          missing, note, cat.supplement_working_days,
                                                          cat.deadlines))


def refuse(actor: Actor, case_no: str, reason: str, now: datetime | None = None) -> Case:
    return change_case(case_no, lambda case: case.refuse(actor, now or utcnow(), reason))


def withdraw(actor: Actor, case_no: str, note: str = "", now: datetime | None = None) -> Case:
    return change_case(case_no, lambda case: case.withdraw(actor, now or utcnow(), note))


def supplement(actor: Actor, case_no: str, material: str, note: str = "", now: datetime | None = None) -> Case:
    return change_case(case_no, lambda case: case.supplement(actor, now or utcnow(),
                                                             catalogue().matter(case.matter_id), material, note))
