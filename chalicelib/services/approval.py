"""秒批: a case accepted by the handling office is decided by its matter's approval rule when the rule approves.

Runs on the routing queue after ``case.sign`` / ``case.route`` to ACCEPTED, and again after a
``case.supplement`` that leaves the case ACCEPTED with nothing missing (a 容缺 material arrived, or the
correction after a return: 补正) when the last check did not approve: what it lacked may be there now. The rule
is data (reference ``approval_rule``) evaluated by the domain; its inputs come from a port (the
social-insurance records), read only with the applicant's authorization and logged with its purpose. A match is
decided by actor ``system``, with the rule id, version, inputs and conditions on the timeline; a result to be
delivered as an electronic licence is then issued at once. No match or inputs that could not be read: a person
decides, and the timeline says why. Without the applicant's authorization nothing is read and nothing
recorded: a person decides as ever. Idempotent: a redelivered or stale event finds the case checked or moved
on.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from ..adapters.licences import LicenceRequestRefused, LicenceServiceUnavailable
from ..adapters.reference_store import catalogue
from ..bootstrap import provincial_services, unit_of_work
from ..domain.actor import Actor
from ..domain.case import Case, DeliveryMethod
from ..domain.errors import ConcurrentUpdate, DomainError
from ..domain.events import CaseEvent
from ..domain.licences import (
    ApprovalRule,
    Consent,
    contribution_inputs,
    default_period,
    inputs_unavailable,
)
from ..domain.lifecycle import Status
from ..domain.workdays import cst_date, utcnow
from ..observability import logger
from .licences import RULE_PURPOSE, issue_result, log_use
from .unit_of_work import UnitOfWork

RULES_ENGINE = Actor.system("approval-rules")


def on_accepted(event: CaseEvent, now: datetime | None = None) -> None:
    """After acceptance: check the matter's approval rule (routing queue: case.sign, case.route); after a
    supplement, check it again if the last check did not approve and nothing is missing any more."""
    if event.to_status != Status.ACCEPTED.value or not event.matter_id:
        return
    rule = catalogue().matter(event.matter_id).approval_rule
    if rule is None:
        return
    at = now or utcnow()
    with unit_of_work() as uow:
        case = uow.cases.get(event.case_no)
        if case.status is not Status.ACCEPTED or case.version != event.version or not _to_check(event, case):
            logger.info("approval rule: case moved on or checked already", extra={"case_no": case.case_no})
            return
        if rule.consent not in case.licence_authorization:  # no 授权: nothing is read, a person decides as ever
            return
        record = _check(uow, case, rule, at)
        if record["outcome"] == "approved" and case.missing:  # a 容缺 material is still to come: a person
            record = {**record, "outcome": "no_match", "reason": "materials outstanding"}
        approved = record["outcome"] == "approved"
        deadlines = catalogue().deadlines
        change = (case.decide_by_rule(RULES_ENGINE, at, record, deadlines) if approved
                  else case.record_rule_check(RULES_ENGINE, at, record))
        uow.cases.update(case, change)
        try:
            uow.commit()
        except ConcurrentUpdate:
            logger.info("approval rule: a person acted first", extra={"case_no": case.case_no})
            return
    if approved and case.delivery.method == DeliveryMethod.ELECTRONIC:
        try:
            issue_result(RULES_ENGINE, case.case_no, "秒批：电子证照自动出证", at)
        except DomainError as err:  # the library is down, or staff issued it: staff can issue it later
            logger.warning("approved by rule, licence not issued yet",
                           extra={"case_no": case.case_no, "reason": type(err).__name__})


def _to_check(event: CaseEvent, case: Case) -> bool:
    if event.type == "case.supplement":
        last = case.rule_check
        return last is not None and last.get("outcome") != "approved" and not case.missing
    return not case.rule_check


def _check(uow: UnitOfWork, case: Case, rule: ApprovalRule, at: datetime) -> dict[str, Any]:
    if rule.source != "social_insurance":
        return inputs_unavailable(rule, f"no port for {rule.source}")
    period_given = case.requested_period
    period = (period_given[0], period_given[1]) if period_given else default_period(cst_date(case.created_at))
    consent = Consent(case.case_no, rule.consent, RULE_PURPOSE)
    log_use(uow, RULES_ENGINE, case.case_no, f"records:{rule.consent}", RULE_PURPOSE, at)
    try:
        months = provincial_services().contributions(case.applicant.id_number, consent)
    except (LicenceServiceUnavailable, LicenceRequestRefused) as err:
        return inputs_unavailable(rule, f"the records could not be read ({type(err).__name__})")
    return rule.evaluate(contribution_inputs(months, period)).record()
