"""Notifications: an SMS-style message to the applicant at the transitions they care about, with the reasons
and what to do (what to bring after a refusal, what to correct after a return, why a case ended), reminders
before a deadline ends and while a result waits for pickup, and for a walk-in applicant the case number,
query code and tracking link at application.

What holds, exactly. The event id is the dedupe key. A delivery claims the message (a conditional write)
before it texts, and records the SMS after: two deliveries at the same time text once (the second finds a
live claim and is retried later, when it finds the record); a delivery after the record texts nothing.
The one window left is a crash between the SMS and its record: the claim's lease runs out and a redelivery
texts again (at least once: a lost SMS is worse than a repeated one). The record is written whoever holds
the claim by then, since the SMS went out. The text never carries the identity number; logs show the phone
masked, and the walk-in message (it carries the query code) is neither logged nor stored in clear.
"""
from __future__ import annotations

import secrets
import time
from typing import Any

from ..bootstrap import bus, unit_of_work
from ..config import settings
from ..domain.case import Case
from ..domain.events import CaseEvent, MalformedEvent, decode
from ..domain.identity import mask_phone, scrub
from ..domain.workdays import utcnow
from ..observability import logger
from .unit_of_work import UnitOfWork

RECORD_ATTEMPTS = 5
WELCOME = "case.apply"  # sent only for a walk-in application (the relay routes no other case.apply here)


class NotificationInFlight(RuntimeError):
    """Another delivery of this message holds a live claim: this one is retried later (never dropped, in case
    the holder dies before texting)."""


def _list(items: Any) -> str:
    return "、".join(str(i) for i in items or [])


def text_for(event: CaseEvent) -> str:
    case_no = event.case_no
    d = event.details
    etype = event.type
    head = f"【跨城通办】您的办件{case_no}"
    if etype == "case.receive":
        if d.get("missing"):
            return (f"{head}已收件（容缺受理）。请于{d.get('supplement_due')}前补齐："
                    f"{_list(d['missing'])}，逾期将终止办理。")
        return f"{head}已收件，将寄递至办理地。"
    if etype == "case.refuse":
        bring = (f"重新申请时请携带：{_list(d['to_bring'])}。" if d.get("to_bring")
                 else "请按上述原因备齐材料后重新申请。")
        return f"{head}不予收件。原因：{d.get('reason') or '未说明'}。{bring}"
    if etype == "case.return":
        rongque = (f"另请于{d['supplement_due']}前补齐：{_list(d['missing'])}。" if d.get("missing") else "")
        return (f"{head}需补正。请补正：{d.get('reason') or '见办理窗口说明'}。请于{d.get('correction_due')}前"
                f"补正，逾期将终止办理。{rongque}")
    if etype == "case.decide":
        if d.get("approved"):
            return f"{head}已办理：准予。"
        return f"{head}已办理：不予。原因：{d.get('reason') or '未说明'}。"
    if etype == "case.terminate":
        if d.get("deadline") == "correction":
            return (f"{head}因未在补正期限（{d.get('correction_due')}）内补正已终止办理。需补正："
                    f"{d.get('return_reason') or '见办理窗口说明'}。")
        return (f"{head}因未在补正期限（{d.get('supplement_due')}）内补齐材料已终止办理。未补齐："
                f"{_list(d.get('missing'))}。")
    if etype == "case.remind_supplement":
        what = (f"补齐：{_list(d.get('missing'))}" if d.get("deadline") == "supplement"
                else f"补正：{d.get('return_reason') or '见办理窗口说明'}")
        return f"{head}补正期限为今天（{d.get('due')}）。请{what}，逾期将终止办理。"
    if etype == "case.remind_pickup":
        return f"{head}办理结果待领取，请尽快凭身份证到窗口领取。"
    licence_no = (d.get("licence") or {}).get("licence_no")
    texts = {
        "case.sign": f"{head}已受理，承诺办结日期{d.get('promised_by') or ''}。",
        "case.route": f"{head}已通过电子流转受理，承诺办结日期{d.get('promised_by') or ''}。",
        "case.ship_result": f"{head}办理结果已寄出。" if event.to_status == "RESULT_IN_TRANSIT"
        else f"{head}办理结果可在办理窗口领取。",
        "case.result_at_pickup_office": f"{head}办理结果已到达收件窗口，请凭身份证领取。",
        "case.deliver_result": f"{head}办理结果已送达，办件已办结。欢迎评价。",
        "case.pickup": f"{head}已领取，办件已办结。欢迎评价。",
        "case.issue_result": f"{head}办理结果已作为电子证照发放（证照编号{licence_no}），办件已办结。欢迎评价。"
        if licence_no else f"{head}办理结果已电子送达，办件已办结。欢迎评价。",
        "case.materials_missing": f"{head}的申请材料在寄递合包中未见，已安排收件窗口重新寄递，无需您补交。",
    }
    return texts.get(etype, f"{head}状态已更新。")


def tracking_link(case: Case) -> str:
    """The console's tracking page for this case (DESIGN §9), which the applicant opens without logging in."""
    return f"{settings().console_url}/track?case_no={case.case_no}&code={case.query_code}"


def welcome_text(case: Case) -> str:
    """A walk-in applicant's message at application: staff cannot show the query code again later."""
    return (f"【跨城通办】您在窗口申请的办件{case.case_no}已登记，查询码{case.query_code}，请妥善保管。"
            f"查询进度：{tracking_link(case)}")


def notify(message: dict[str, Any]) -> bool:
    """Send the applicant the message for this event, once (see the module docstring for exactly what holds).
    Returns False when it was sent already; raises NotificationInFlight while a twin delivery holds it."""
    event = decode(message)
    if not isinstance(event, CaseEvent):
        raise MalformedEvent(event.type, "not an event the notifications queue handles")
    case_no, notification_id = event.case_no, event.event_id
    token = secrets.token_hex(8)
    with unit_of_work() as uow:
        if uow.notifications.was_sent(case_no, notification_id):
            return False
        case = uow.cases.get(case_no)
        welcome = event.type == WELCOME
        text = welcome_text(case) if welcome else text_for(event)
        claim = uow.notifications.claim(case_no, notification_id, event.type, token, utcnow(),
                                        settings().notification_claim_seconds)
        if claim == "sent":
            return False
        if claim == "busy":
            raise NotificationInFlight(f"notification {notification_id} is being sent by another delivery")
        bus().send_sms(case.applicant.phone, text)  # the applicant's own phone, never anyone else's
        # The stored copy of the welcome hides the query code (it is the key to the case's tracking).
        stored = text.replace(case.query_code, "******") if welcome else text
        _record_sent(uow, case_no, notification_id, event.type, stored)
    extra = {"case_no": case_no, "to": mask_phone(case.applicant.phone), "event_type": event.type}
    if not welcome:  # the walk-in message carries the query code: never logged
        extra["text"] = scrub(text)
    logger.info("sms sent", extra=extra)
    return True


def _record_sent(uow: UnitOfWork, case_no: str, notification_id: str, event_type: str, text: str) -> None:
    """Store that the SMS went out. It is sent, so a transient failure here is retried on the spot rather than
    by redelivery (which would text the applicant twice), and the record is written whoever holds the claim
    now (a twin that took a lapsed claim over records the same). Raises only after several failed tries."""
    for attempt in range(RECORD_ATTEMPTS):
        try:
            uow.notifications.record_sent(case_no, notification_id, event_type, text, utcnow())
            return
        except Exception:
            if attempt == RECORD_ATTEMPTS - 1:
                raise
            time.sleep(min(0.05 * 2**attempt, 1.0))


def sent_for(case_no: str) -> list[dict[str, Any]]:
    with unit_of_work() as uow:
        return uow.notifications.of_case(case_no)
