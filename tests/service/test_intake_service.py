"""Intake use cases on the in-memory unit of work: numbering, idempotency, atomic outbox, races, sweeping,
the walk-in subject's keyed digest.

Two tests stay on moto: parallel applications on the moto server (``aws_server``: real threads against
DynamoDB's conditional writes and the counter's blocks), and the cloud key's read from Secrets Manager (the
secrets adapter)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain.case import Actor
from chalicelib.domain.errors import ConcurrentUpdate, InvalidInput, OutOfScope, RuleViolation
from chalicelib.domain.lifecycle import Status
from chalicelib.services import intake, sweeper
from tests.storage import Cases
from tests.support import application, service_apply

ALICE = Actor("alice", "citizen")
SZ_STAFF = Actor("s-sz", "staff", office_id="SZ-GOV")
repo = Cases()


def test_case_numbers_follow_the_receiving_city_and_cst_date(fake):
    at = datetime(2026, 11, 23, 17, 30, tzinfo=UTC)  # already 24 Nov in China
    first, _ = service_apply(ALICE, application(), now=at)
    second, _ = service_apply(ALICE, application(), now=at)
    assert first.case_no == "KC4403002026112400001"
    assert second.case_no == "KC4403002026112400002"
    zh, _ = service_apply(ALICE, application(matter_id="DG-SI-CERT", office_id="ZH-GOV"), now=at)
    assert zh.case_no == "KC4404002026112400001"


def test_apply_commits_case_event_and_outbox_together(fake):
    case, created = service_apply(ALICE, application())
    assert created and case.version == 1
    assert [e["seq"] for e in repo.timeline(case.case_no)] == [1]
    assert fake.outbox[f"{case.case_no}#1"]["type"] == "case.apply"


def test_idempotency_key_returns_the_same_case_and_rejects_a_different_body(fake):
    first, created = service_apply(ALICE, application(), idempotency_key="abc")
    again, created_again = service_apply(ALICE, application(), idempotency_key="abc")
    assert created and not created_again and again.case_no == first.case_no
    with pytest.raises(RuleViolation) as err:
        service_apply(ALICE, application(method="PICKUP_RECEIVING"), idempotency_key="abc")
    assert err.value.code == "idempotency_key_reused"
    # The key is per applicant: another citizen's identical key is a different request.
    other, created_other = service_apply(Actor("bob", "citizen"), application(), idempotency_key="abc")
    assert created_other and other.case_no != first.case_no


# Parallel applications never share a case number: the race proof (tests/reliability/test_races.py,
# ``test_parallel_applications_never_share_or_overwrite_a_case``) applies through this service on an emulator
# server from many threads, and checks that no case was overwritten as well.


def test_a_stale_writer_loses_with_409_and_nothing_is_lost(fake):
    case, _ = service_apply(ALICE, application())
    first = repo.get(case.case_no)
    second = repo.get(case.case_no)
    now = datetime.now(UTC)
    repo.commit(first, first.receive(SZ_STAFF, now, _matter(), [], "", 5))
    with pytest.raises(ConcurrentUpdate) as err:
        repo.commit(second, second.refuse(SZ_STAFF, now, "too late"))
    assert err.value.current_status == "RECEIVED"
    stored = repo.get(case.case_no)
    assert stored.status is Status.RECEIVED and stored.version == 2
    assert [e["action"] for e in repo.timeline(case.case_no)] == ["apply", "receive"]


def test_semantic_validation_names_the_field(fake):
    body = application()
    body["applicant"]["id_number"] = "110105194912310021"
    with pytest.raises(InvalidInput) as err:
        service_apply(ALICE, body)
    assert err.value.field == "applicant.id_number"
    body = application()
    body["materials"] = [{"name": "护照", "provided": True}]
    with pytest.raises(InvalidInput) as err:
        service_apply(ALICE, body)
    assert err.value.field == "materials[0].name"
    with pytest.raises(RuleViolation) as rule:
        service_apply(ALICE, application(matter_id="SZ-PF-WITHDRAW", office_id="SZ-NS"))
    assert rule.value.code == "not_cross_city"


def test_staff_apply_only_at_their_own_window(fake):
    case, _ = service_apply(SZ_STAFF, application())
    assert case.applicant.sub.startswith("walk-in:")
    with pytest.raises(OutOfScope):
        service_apply(SZ_STAFF, application(office_id="ZH-GOV"))


def test_sweeper_terminates_a_case_whose_supplement_deadline_passed_once(fake):
    at = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
    case, _ = service_apply(ALICE, application(matter_id="DG-HUKOU-MOVE",
                                              provided=["身份证", "户口簿", "迁入地证明"]), now=at)
    intake.receive(SZ_STAFF, case.case_no, ["照片"], now=at)  # due 1 Dec 2026
    assert sweeper.sweep(now=datetime(2026, 12, 1, 15, 59, tzinfo=UTC))["terminated"] == 0
    after = datetime(2026, 12, 1, 16, 0, tzinfo=UTC)  # midnight CST
    assert sweeper.sweep(now=after)["terminated"] == 1
    assert repo.get(case.case_no).status is Status.TERMINATED
    assert sweeper.sweep(now=after + timedelta(hours=1))["terminated"] == 0  # idempotent re-run


def test_supplementing_in_time_stops_the_termination(fake):
    at = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
    case, _ = service_apply(ALICE, application(matter_id="DG-HUKOU-MOVE",
                                              provided=["身份证", "户口簿", "迁入地证明"]), now=at)
    intake.receive(SZ_STAFF, case.case_no, ["照片"], now=at)
    intake.supplement(ALICE, case.case_no, "照片", now=at + timedelta(days=1))
    assert sweeper.sweep(now=datetime(2026, 12, 5, tzinfo=UTC))["terminated"] == 0
    assert repo.get(case.case_no).status is Status.RECEIVED


def _matter():
    from chalicelib.adapters.reference_store import catalogue

    return catalogue().matter("DG-SI-CERT")


def test_a_walk_in_subject_is_a_keyed_hmac_not_a_hash_anyone_can_recompute(fake, monkeypatch):
    import hashlib

    from chalicelib.adapters import secrets
    from chalicelib.config import settings
    from chalicelib.domain.case import WALK_IN_PREFIX
    from tests.review_support import staff_actor

    body = application(id_seed=3)
    id_number = body["applicant"]["id_number"]
    case, _ = service_apply(staff_actor("SZ-GOV"), body)
    digest = case.applicant.sub.removeprefix(WALK_IN_PREFIX)
    assert case.applicant.sub.startswith(WALK_IN_PREFIX)
    # Enumerating identity numbers and hashing them no longer finds the subject.
    assert hashlib.sha256(f"RESIDENT_ID:{id_number}".encode()).hexdigest()[:len(digest)] != digest
    assert digest == secrets.keyed_digest("walk-in-subject", f"RESIDENT_ID:{id_number}".encode())[:32]
    # Another key, another subject (the cloud's key is its own secret).
    monkeypatch.setattr("chalicelib.adapters.secrets.app_secret", lambda: "another stage's key")
    other, _ = service_apply(staff_actor("SZ-GOV"), application(id_seed=3))
    assert other.applicant.sub != case.applicant.sub
    assert settings().stage == "local"


def test_a_cloud_process_without_its_key_refuses_rather_than_using_the_dev_key(monkeypatch):
    from chalicelib.adapters import secrets
    from chalicelib.config import settings

    monkeypatch.setenv("STAGE", "prod")
    monkeypatch.delenv("APP_SECRET_ARN", raising=False)
    settings.cache_clear()
    try:
        with pytest.raises(secrets.MissingSecret):
            secrets.purpose_key("walk-in-subject")
    finally:
        monkeypatch.undo()
        settings.cache_clear()


def test_the_cloud_key_is_read_from_secrets_manager_once(aws, monkeypatch):
    import boto3

    from chalicelib.adapters import secrets
    from chalicelib.config import settings

    arn = boto3.client("secretsmanager").create_secret(Name="kc-prod-app", SecretString="s3cret")["ARN"]
    monkeypatch.setenv("STAGE", "prod")
    monkeypatch.setenv("APP_SECRET_ARN", arn)
    settings.cache_clear()
    secrets.forget()
    try:
        assert secrets.app_secret() == "s3cret"
        boto3.client("secretsmanager").put_secret_value(SecretId=arn, SecretString="rotated")
        assert secrets.app_secret() == "s3cret"  # cached for the container's hour
        secrets.forget()
        assert secrets.app_secret() == "rotated"
    finally:
        monkeypatch.undo()
        settings.cache_clear()
        secrets.forget()
