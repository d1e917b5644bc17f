"""Issue 13 through the services on the in-memory unit of work and bus (tests/fakes.py), with fixed clocks:
the sweeper reminds, escalates and terminates on the new deadlines (each a text or an alert, delivered by
``fake_pump``), isolates a bad item, and the notifications consumer texts once when two deliveries of one
message run at the same time."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from chalicelib.domain.case import Actor
from chalicelib.services import handling, intake, notifications, sweeper
from tests.storage import Cases
from tests.support import application, service_apply

CST = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=CST)  # Monday, a working day
CITIZEN = Actor(sub="alice", role="citizen")
SZ = Actor(sub="staff-SZ-GOV", role="staff", office_id="SZ-GOV")
DG = Actor(sub="staff-DG-GOV", role="staff", office_id="DG-GOV")
cases = Cases()


def texts(db: Any, case_no: str) -> list[str]:
    return db.bus.texts(case_no)


def at(day: int, hour: int = 9, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=CST)


def applied(seed: int, method: str = "PICKUP_HANDLING") -> str:
    case, _ = service_apply(CITIZEN, application(method=method, id_seed=seed), now=T0)
    return case.case_no


def accepted(pump: Any, seed: int, method: str = "PICKUP_HANDLING") -> str:
    from tests.service.test_routing_service import forwarded

    case_no = applied(seed, method)
    intake.receive(SZ, case_no, None, now=T0)
    forwarded(pump, case_no)
    handling.sign(DG, case_no, now=T0)
    return case_no


def test_a_case_nobody_receives_is_escalated_like_an_overdue_case(fake, fake_pump):
    case_no = applied(1)
    assert sweeper.sweep(now=at(4, 23))["overdue"] == 0  # SUBMITTED for 2 working days: due end of 03-04
    assert sweeper.sweep(now=at(5, 0))["overdue"] == 1
    assert sweeper.sweep(now=at(6))["overdue"] == 0  # once
    fake_pump.run_until_idle()
    alerts = [a for a in fake.bus.published("alerts") if a["type"] == "case.mark_overdue"]
    assert [a["details"]["stage"] for a in alerts] == ["SUBMITTED"] and alerts[0]["case_no"] == case_no


def test_an_uncorrected_return_is_reminded_then_terminated_with_the_reason(fake, fake_pump):
    case_no = accepted(fake_pump, 2)
    handling.return_for_correction(DG, case_no, "申请表签名缺失", now=at(2, 10))  # correction due 03-09
    assert cases.get(case_no).correction_due.isoformat() == "2026-03-09"
    assert sweeper.sweep(now=at(9, 8))["reminded"] == 1
    assert sweeper.sweep(now=at(9, 20))["reminded"] == 0
    assert sweeper.sweep(now=at(10, 0))["terminated"] == 1
    fake_pump.run_until_idle()
    reminder = [t for t in texts(fake, case_no) if "补正期限为今天" in t]
    end = [t for t in texts(fake, case_no) if "已终止" in t]
    assert len(reminder) == 1 and "申请表签名缺失" in reminder[0] and "2026-03-09" in reminder[0]
    assert len(end) == 1 and "申请表签名缺失" in end[0]


def test_the_office_is_not_late_for_the_applicants_correction_time(fake, fake_pump):
    case_no = accepted(fake_pump, 3)  # DG-SI-CERT: 3 working days, promised by 03-05
    assert cases.get(case_no).promised_by.isoformat() == "2026-03-05"
    handling.return_for_correction(DG, case_no, "照片不清晰", now=at(3))
    intake.supplement(CITIZEN, case_no, "身份证", now=at(5))  # waited Wed, Thu
    assert cases.get(case_no).promised_by.isoformat() == "2026-03-09"
    assert sweeper.sweep(now=at(7))["overdue"] == 0
    assert sweeper.sweep(now=at(10, 0))["overdue"] == 1


def test_a_result_waiting_for_pickup_reminds_twice_then_alerts_the_office(fake, fake_pump):
    case_no = accepted(fake_pump, 4)
    handling.decide(DG, case_no, True, now=at(3))
    handling.ship_result(DG, case_no, now=at(3))
    ready = at(3)
    assert sweeper.sweep(now=ready + timedelta(days=6))["reminded"] == 0
    assert sweeper.sweep(now=ready + timedelta(days=7))["reminded"] == 1
    assert sweeper.sweep(now=ready + timedelta(days=25))["reminded"] == 1
    counts = sweeper.sweep(now=ready + timedelta(days=30))
    assert (counts["reminded"], counts["overdue"]) == (0, 1)
    fake_pump.run_until_idle()
    assert len([t for t in texts(fake, case_no) if "待领取" in t]) == 2
    (alert,) = [a for a in fake.bus.published("alerts") if a["type"] == "case.mark_overdue"]
    assert alert["details"]["stage"] == "READY_FOR_PICKUP" and alert["details"]["pickup_office_id"] == "DG-GOV"


def test_one_bad_case_is_logged_and_skipped_never_aborting_the_run(fake, monkeypatch, caplog):
    bad, good = applied(5), applied(6)
    from tests.fakes import FakeCases

    real_get = FakeCases.get

    def get(self: Any, case_no: str, consistent: bool = True) -> Any:
        if case_no == bad:
            raise ValueError("a record the code cannot read")
        return real_get(self, case_no, consistent)

    monkeypatch.setattr(FakeCases, "get", get)
    counts = sweeper.sweep(now=at(6))
    assert counts["overdue"] == 1 and counts["failed"] == 1
    assert cases.get(good).stage_overdue
    assert "sweep failed for a case" in caplog.text


def test_a_case_listing_that_fails_does_not_stop_the_other_sweeps(fake, monkeypatch):
    from tests.fakes import FakeCases

    def due(self: Any, now: datetime) -> Any:
        raise RuntimeError("the due index could not be read")

    monkeypatch.setattr(FakeCases, "due", due)
    monkeypatch.setattr(sweeper, "EXTRA_SWEEPS", [lambda now: {"legs_overdue": 1, "failed": 1}])
    counts = sweeper.sweep(now=at(6))
    assert counts["legs_overdue"] == 1 and counts["failed"] == 2  # the listing's failure and the leg sweep's


def test_a_failing_sweep_does_not_stop_the_others(fake, monkeypatch):
    def broken(now: datetime) -> dict[str, int]:
        raise RuntimeError("store unavailable")

    monkeypatch.setattr(sweeper, "EXTRA_SWEEPS", [broken, lambda now: {"legs_overdue": 1}])
    counts = sweeper.sweep(now=at(6))
    assert counts["legs_overdue"] == 1 and counts["failed"] == 1


def _event(case_no: str, version: int) -> dict[str, Any]:
    return {"event_id": f"{case_no}#{version}", "type": "case.receive", "case_no": case_no, "version": version,
            "action": "receive", "from_status": "SUBMITTED", "to_status": "RECEIVED", "at": T0.isoformat(),
            "matter_id": "DG-SI-CERT", "receiving_office_id": "SZ-GOV", "handling_office_id": None, "details": {}}


def test_two_concurrent_deliveries_of_one_message_text_once(fake, fake_pump, monkeypatch):
    """The second delivery arrives while the first is texting (its claim is live): it is refused for a later
    retry, and then finds the record. One SMS."""
    case_no = applied(7)
    intake.receive(SZ, case_no, None, now=T0)
    event = _event(case_no, 1)
    monkeypatch.setenv("NOTIFICATION_CLAIM_SECONDS", "60")
    from chalicelib.config import settings

    settings.cache_clear()
    real_send = fake.bus.send_sms
    twin: list[BaseException] = []

    def send(phone: str, text: str) -> None:
        try:
            notifications.notify(event)  # the twin delivery, mid-send
        except notifications.NotificationInFlight as err:
            twin.append(err)
        real_send(phone, text)

    monkeypatch.setattr(fake.bus, "send_sms", send)
    try:
        assert notifications.notify(event) is True
        monkeypatch.setattr(fake.bus, "send_sms", real_send)
        assert notifications.notify(event) is False  # the twin's retry finds the record
    finally:
        settings.cache_clear()
    assert len(twin) == 1
    assert len([t for t in texts(fake, case_no) if "已收件" in t]) == 1


def test_the_record_is_written_when_a_twin_took_a_lapsed_claim_over(fake, monkeypatch):
    """The claim lapsed and a twin took it over while this delivery was texting: the record of the SMS that
    went out is written all the same."""
    case_no = applied(8)
    event = _event(case_no, 9)
    real_send = fake.bus.send_sms

    def send(phone: str, text: str) -> None:
        real_send(phone, text)
        fake.notifications[(case_no, event["event_id"])]["claim_token"] = "a-twin"  # the twin's takeover

    monkeypatch.setattr(fake.bus, "send_sms", send)
    assert notifications.notify(event) is True
    assert [n["event_type"] for n in notifications.sent_for(case_no)] == ["case.receive"]


@pytest.mark.parametrize("seed", [9])
def test_a_pending_rongque_deadline_survives_a_return(fake, fake_pump, seed):
    case, _ = service_apply(CITIZEN, application("DG-HUKOU-MOVE", provided=["身份证", "户口簿", "迁入地证明"],
                                                 method="PICKUP_HANDLING", id_seed=seed), now=T0)
    intake.receive(SZ, case.case_no, None, now=T0)  # 照片 due 03-09
    from tests.service.test_routing_service import forwarded

    forwarded(fake_pump, case.case_no)
    handling.sign(DG, case.case_no, now=T0)
    handling.return_for_correction(DG, case.case_no, "户口簿页面缺失", now=at(6))
    stored = cases.get(case.case_no)
    assert stored.supplement_due.isoformat() == "2026-03-09" and stored.correction_due.isoformat() == "2026-03-13"
