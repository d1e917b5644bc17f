"""The licence library's HTTP client against the simulator on a free loopback port: signed requests, consent,
retries on outages and timeouts, idempotent issue after a lost reply, credentials from Secrets Manager.

An adapter test: the one test on moto (``aws``) reads the credentials from Secrets Manager."""
from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from chalicelib.adapters.licences import (
    DEV_APP_ID,
    DEV_LICENCE_KEY,
    HttpProvincialServices,
    LicenceRequestRefused,
    LicenceServiceUnavailable,
    UnavailableServices,
    credentials,
    forget_secret,
    provincial_services,
)
from chalicelib.domain.licences import Consent
from tools.licence_sim import DEMO_HOLDERS, Registry, Simulator

ALICE = DEMO_HOLDERS["alice"]["id_number"]


@pytest.fixture
def sim() -> Iterator[Simulator]:
    simulator = Simulator(Registry.seeded(), slow_seconds=1.0).start()
    yield simulator
    simulator.stop()


def client(sim: Simulator, key: str = DEV_LICENCE_KEY, **kw: float) -> HttpProvincialServices:
    options = {"timeout": 0.5, "backoff": 0.01, "deadline": 5.0, **kw}
    return HttpProvincialServices(sim.url, DEV_APP_ID, key, **options)  # type: ignore[arg-type]


def consent(licence_type: str = "身份证") -> Consent:
    return Consent("KC4403002026120100001", licence_type, "申请材料免提交")


def test_lookup_with_consent_finds_the_holders_licence(sim: Simulator) -> None:
    found = client(sim).lookup(ALICE, "户口簿", consent("户口簿"))
    assert found is not None
    assert (found.licence_type, found.issuer) == ("户口簿", "东莞市公安局莞城派出所")
    assert found.licence_no == "L-HK-441900-0001"
    assert ALICE not in repr(found)  # the holder's number never reaches a log line
    assert client(sim).lookup(ALICE, "营业执照", consent("营业执照")) is None


def test_a_lookup_whose_consent_names_another_type_is_refused_and_not_retried(sim: Simulator) -> None:
    with pytest.raises(LicenceRequestRefused) as err:
        client(sim).lookup(ALICE, "户口簿", consent("身份证"))
    assert err.value.status == 403
    assert len(sim.registry.calls) == 1


def test_requests_are_signed_a_wrong_key_is_refused(sim: Simulator) -> None:
    with pytest.raises(LicenceRequestRefused) as err:
        client(sim, key="not-the-key").verify("L-ID-441900-0001")
    assert err.value.status == 401
    assert sim.registry.calls == []  # refused before any work


def test_verify_tells_valid_numbers_from_unknown_ones(sim: Simulator) -> None:
    assert client(sim).verify("L-ID-441900-0001") is not None
    assert client(sim).verify("L-NOPE") is None


def test_an_outage_is_retried_and_then_answered(sim: Simulator) -> None:
    sim.registry.fail_next(2, "error")
    assert client(sim, attempts=3).verify("L-ID-441900-0001") is not None


def test_a_timeout_is_retried_and_a_lasting_outage_is_unavailable(sim: Simulator) -> None:
    sim.registry.fail_next(1, "timeout")
    assert client(sim, attempts=2).verify("L-ID-441900-0001") is not None
    sim.registry.fail_always("error")
    with pytest.raises(LicenceServiceUnavailable):
        client(sim, attempts=3).verify("L-ID-441900-0001")


def test_issue_repeated_after_a_lost_reply_yields_one_licence(sim: Simulator) -> None:
    sim.registry.fail_next(1, "lost_reply")
    first = client(sim, attempts=3).issue("KC4403002026120100009", "社会保险参保缴费证明", ALICE, "张三",
                                          "东莞市社会保险基金管理中心")
    again = client(sim).issue("KC4403002026120100009", "社会保险参保缴费证明", ALICE, "张三",
                              "东莞市社会保险基金管理中心")
    assert first.licence_no == again.licence_no
    assert len(sim.registry.issued_to("KC4403002026120100009")) == 1
    assert sum(1 for op, _ in sim.registry.calls if op == "issue") >= 3  # the lost reply was done, then retried


def test_contributions_need_consent_and_answer_months(sim: Simulator) -> None:
    months = client(sim).contributions(ALICE, Consent("KC1", "社保缴费记录", "秒批核验"))
    assert months and "2019-01" in months
    assert client(sim).contributions(DEMO_HOLDERS["carol"]["id_number"], Consent("KC1", "社保缴费记录", "x")) is None


def test_nobody_listening_is_unavailable() -> None:
    dead = HttpProvincialServices("http://127.0.0.1:9", DEV_APP_ID, DEV_LICENCE_KEY, timeout=0.2, backoff=0.01,
                                  attempts=2)
    with pytest.raises(LicenceServiceUnavailable):
        dead.verify("L-ID-441900-0001")


def test_without_configuration_every_call_fails_closed(environment: object, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LICENCE_SERVICE_URL", raising=False)
    monkeypatch.delenv("LICENCE_SERVICE_SECRET_ARN", raising=False)
    services = provincial_services()
    assert isinstance(services, UnavailableServices)
    with pytest.raises(LicenceServiceUnavailable):
        services.lookup(ALICE, "身份证", consent())


def test_a_cloud_stage_ignores_the_local_url(environment: object, monkeypatch: pytest.MonkeyPatch) -> None:
    environment(STAGE="prod")  # type: ignore[operator]
    monkeypatch.setenv("LICENCE_SERVICE_URL", "http://127.0.0.1:1")
    assert credentials() is None


def test_credentials_come_from_secrets_manager(aws: None, monkeypatch: pytest.MonkeyPatch) -> None:
    import boto3

    arn = boto3.client("secretsmanager").create_secret(
        Name="kc-test-licence-service",
        SecretString=json.dumps({"endpoint": "https://licences.example", "app_id": "kc", "key": "k" * 32}))["ARN"]
    monkeypatch.setenv("LICENCE_SERVICE_SECRET_ARN", arn)
    forget_secret()
    try:
        services = provincial_services()
        assert isinstance(services, HttpProvincialServices)
        assert (services.endpoint, services.app_id, services.key) == ("https://licences.example", "kc", "k" * 32)
    finally:
        forget_secret()
