"""Electronic licences (电子证照) in a case: read the materials the applicant authorized (免提交), and issue a
result as a licence (delivery ELECTRONIC).

Every lookup needs the applicant's recorded authorization (授权) for that case and licence type, and is
written to the personal-data access log with its purpose before it is made. The licence service being down
never fails an application: the materials stay paper and the applicant is told (``licence_unavailable``).
"""
from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from ..adapters.licences import LicenceRequestRefused, LicenceServiceUnavailable
from ..adapters.reference_store import catalogue
from ..bootstrap import provincial_services, unit_of_work
from ..domain.actor import Actor
from ..domain.case import Case
from ..domain.errors import ConcurrentUpdate, InvalidInput, ServiceUnavailable
from ..domain.licences import Consent, authorized_types, require_consent
from ..domain.lifecycle import Action
from ..domain.workdays import cst_date, utcnow
from ..observability import logger
from .unit_of_work import UnitOfWork

LOOKUP_PURPOSE = "免提交：经申请人授权读取电子证照作为申请材料"
RULE_PURPOSE = "秒批：经申请人授权读取核验数据"


def log_use(uow: UnitOfWork, actor: Actor, case_no: str, what: str, purpose: str, at: datetime) -> None:
    """One use of the applicant's data, logged before it is made (a use that cannot be logged is not made)."""
    uow.access_log.record({"reader_sub": actor.sub, "reader_name": actor.name or None,
                           "reader_role": actor.role.value, "reader_city": actor.city, "what": what,
                           "ticket_id": None, "case_no": case_no, "reason": purpose}, at, uuid.uuid4().hex)


def read_licences(actor: Actor, case_no: str, materials: list[str] | None = None,
                  now: datetime | None = None) -> Case:
    """Read the licences behind ``materials`` (None: every authorized one not read yet) and record what they
    provide. A material whose type the applicant did not authorize is refused (ConsentRequired, 403) before
    anything is read."""
    at = now or utcnow()
    cat = catalogue()
    with unit_of_work() as uow:
        case = uow.cases.get(case_no)
        case.require(Action.READ_LICENCES, actor)
        matter = cat.matter(case.matter_id)
        kinds = matter.licence_materials()
        if materials is None:
            wanted = [m.name for m in case.materials
                      if m.source != "licence" and kinds.get(m.name) in case.licence_authorization]
        else:
            authorized_types(kinds, materials, "materials")  # each must be a licence material of the matter
            wanted = list(dict.fromkeys(materials))
        consents = [(name, require_consent(case_no, case.licence_authorization, kinds[name], LOOKUP_PURPOSE))
                    for name in wanted]
        if not consents:
            return case
        found, unavailable, not_found = _lookups(uow, actor, case, consents, at)
        uow.cases.update(case, case.record_licences(actor, at, matter, found, unavailable, not_found))
        uow.commit()
        return case


def _lookups(uow: UnitOfWork, actor: Actor, case: Case, consents: list[tuple[str, Consent]],
             at: datetime) -> tuple[dict[str, dict[str, Any]], list[str], list[str]]:
    services = provincial_services()
    found: dict[str, dict[str, Any]] = {}
    unavailable: list[str] = []
    not_found: list[str] = []
    for name, consent in consents:
        if unavailable:  # the service is down: do not make the applicant wait for each material in turn
            unavailable.append(name)
            continue
        log_use(uow, actor, case.case_no, f"licence:{consent.licence_type}", consent.purpose, at)
        try:
            licence = services.lookup(case.applicant.id_number, consent.licence_type, consent)
        except (LicenceServiceUnavailable, LicenceRequestRefused) as err:
            logger.warning("licence lookup failed: the material stays paper",
                           extra={"case_no": case.case_no, "reason": type(err).__name__})
            unavailable.append(name)
            continue
        if licence is None or not licence.valid_on(cst_date(at)) or licence.licence_type != consent.licence_type:
            not_found.append(name)
        else:
            found[name] = licence.reference()
    return found, unavailable, not_found


def read_after_application(actor: Actor, case: Case, now: datetime | None = None) -> Case:
    """At application: read the authorized licences; whatever goes wrong, the application stands as filed."""
    if not any(k in case.licence_authorization for k in catalogue().matter(case.matter_id).licence_materials()
               .values()):
        return case
    try:
        return read_licences(actor, case.case_no, None, now)
    except ConcurrentUpdate:
        logger.info("case changed before its licences were recorded", extra={"case_no": case.case_no})
    except Exception:  # the application was committed: it must be answered as filed
        logger.exception("licences not read at application", extra={"case_no": case.case_no})
    with unit_of_work() as uow:
        return uow.cases.get(case.case_no)


def check_authorization(matter_licences: dict[str, str], materials: tuple[str, ...]) -> list[str]:
    """The licence types an application's authorization covers (400 naming a material not from a licence)."""
    if len(materials) != len(set(materials)):
        raise InvalidInput("licence_authorization.materials", "names a material twice")
    return authorized_types(matter_licences, materials)


def issue_result(actor: Actor, case_no: str, note: str = "", now: datetime | None = None) -> Case:
    """电子证照送达: issue the approved result to the applicant as a licence (idempotent per case at the
    library, so a retry after a lost reply or a failed commit gets the same licence) and complete the case."""
    at = now or utcnow()
    cat = catalogue()
    with unit_of_work() as uow:
        case = uow.cases.get(case_no)
        case.require(Action.ISSUE_RESULT, actor)
        matter = cat.matter(case.matter_id)
        reference = None
        if case.decision == "APPROVED" and matter.result_licence:
            try:
                licence = provincial_services().issue(
                    case.case_no, matter.result_licence.licence_type, case.applicant.id_number,
                    case.applicant.name, matter.result_licence.issuer)
            except (LicenceServiceUnavailable, LicenceRequestRefused) as err:
                raise ServiceUnavailable("the licence library did not answer: issue the result again later",
                                         reason=type(err).__name__) from None
            reference = licence.reference()
        uow.cases.update(case, case.issue_result(actor, at, reference, note))
        uow.commit()
        return case
