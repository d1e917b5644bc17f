"""Notifications: an SMS-style message to the applicant at the transitions they care about.

Each outgoing event notifies at most once (the event id is the dedupe key). The text never carries the
identity number; logs show the phone masked.
"""
from __future__ import annotations

import time
from typing import Any

from ..adapters import messaging
from ..bootstrap import unit_of_work
from ..domain.errors import Duplicate
from ..domain.events import CaseEvent, MalformedEvent, decode
from ..domain.identity import mask_phone
from ..domain.workdays import utcnow
from ..observability import logger
from .unit_of_work import UnitOfWork

RECORD_ATTEMPTS = 5


def text_for(event: CaseEvent) -> str:
    case_no = event.case_no
    d = event.details
    etype = event.type
    head = f"【跨城通办】您的办件{case_no}"
    if etype == "case.receive":
        if d.get("missing"):
            return (f"{head}已收件（容缺受理）。请于{d.get('supplement_due')}前补齐："
                    f"{'、'.join(d['missing'])}，逾期将终止办理。")
        return f"{head}已收件，将寄递至办理地。"
    texts = {
        "case.refuse": f"{head}不予收件。",
        "case.sign": f"{head}已受理，承诺办结日期{d.get('promised_by') or ''}。",
        "case.route": f"{head}已通过电子流转受理，承诺办结日期{d.get('promised_by') or ''}。",
        "case.return": f"{head}需补正材料，请于{d.get('supplement_due')}前补齐。",
        "case.decide": f"{head}已办理：{'准予' if d.get('approved') else '不予'}。",
        "case.ship_result": f"{head}办理结果已寄出。" if event.to_status == "RESULT_IN_TRANSIT"
        else f"{head}办理结果可在办理窗口领取。",
        "case.result_at_pickup_office": f"{head}办理结果已到达收件窗口，请凭身份证领取。",
        "case.deliver_result": f"{head}办理结果已送达，办件已办结。欢迎评价。",
        "case.pickup": f"{head}已领取，办件已办结。欢迎评价。",
        "case.terminate": f"{head}因逾期未补齐材料已终止办理。",
    }
    return texts.get(etype, f"{head}状态已更新。")


def notify(message: dict[str, Any]) -> bool:
    """Send the applicant the message for this event, once. Returns False for a duplicate."""
    event = decode(message)
    if not isinstance(event, CaseEvent):
        raise MalformedEvent(event.type, "not an event the notifications queue handles")
    case_no, notification_id = event.case_no, event.event_id
    with unit_of_work() as uow:
        if uow.notifications.was_sent(case_no, notification_id):
            return False
        case = uow.cases.get(case_no)
        text = text_for(event)
        messaging.send_sms(case.applicant.phone, text)
        if not _record_sent(uow, case_no, notification_id, event.type, text):
            return False
    logger.info("sms sent", extra={"case_no": case_no, "to": mask_phone(case.applicant.phone),
                                   "event_type": event.type, "text": text})
    return True


def _record_sent(uow: UnitOfWork, case_no: str, notification_id: str, event_type: str, text: str) -> bool:
    """Store that the SMS went out. The SMS is already sent, so a transient failure here is retried on the
    spot rather than by redelivery (which would text the applicant twice); only a record that could not be
    written after several tries is left to redelivery. False: another delivery recorded it first."""
    for attempt in range(RECORD_ATTEMPTS):
        uow.notifications.add(case_no, notification_id, event_type, text, utcnow())
        try:
            uow.commit()
            return True
        except Duplicate:
            return attempt > 0  # recorded already: by our own earlier try whose reply was lost, or a twin
        except Exception:
            if attempt == RECORD_ATTEMPTS - 1:
                raise
            time.sleep(min(0.05 * 2**attempt, 1.0))
    return False  # pragma: no cover - the loop returns or raises


def sent_for(case_no: str) -> list[dict[str, Any]]:
    with unit_of_work() as uow:
        return uow.notifications.of_case(case_no)
