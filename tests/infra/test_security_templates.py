"""Security properties of the synthesized templates (issue 12): how functions authenticate, what each role
may do, the WAF in front of the API, and the user pool."""
from __future__ import annotations

from typing import Any

import pytest

from tests.infra.conftest import STAGES, Synthesized


def _functions(synthesized: Synthesized, stage: str) -> dict[str, dict[str, Any]]:
    return {k: v["Properties"] for k, v in synthesized.resources(stage, "AWS::Serverless::Function").items()}


def _env(function: dict[str, Any]) -> dict[str, Any]:
    return dict(function.get("Environment", {}).get("Variables", {}))


@pytest.mark.parametrize("stage", STAGES)
def test_every_function_is_in_gateway_mode_without_a_dev_secret(synthesized, stage):
    functions = _functions(synthesized, stage)
    assert len(functions) >= 5
    for name, function in functions.items():
        env = _env(function)
        assert env.get("AUTH_MODE") == "gateway", name
        assert env.get("STAGE") == stage, name
        assert "AUTH_DEV_SECRET" not in env, name
    globals_env = synthesized.templates[stage].get("Globals", {}).get("Function", {}).get("Environment", {})
    assert "AUTH_DEV_SECRET" not in globals_env.get("Variables", {})
    assert globals_env.get("Variables", {}).get("AUTH_MODE", "gateway") == "gateway"


@pytest.mark.parametrize("stage", STAGES)
def test_the_api_accepts_the_stage_app_client(synthesized, stage):
    env = _env(_functions(synthesized, stage)["APIHandler"])
    clients = env["AUTH_CLIENT_IDS"]
    # A Ref to one client, or Fn::Join of several; the stack's own app client is among them.
    ids = clients["Fn::Join"][1] if "Fn::Join" in clients else [clients]
    assert "Fn::Join" not in clients or clients["Fn::Join"][0] == ","
    refs = {i["Ref"] for i in ids if isinstance(i, dict) and "Ref" in i}
    pool_clients = synthesized.resources(stage, "AWS::Cognito::UserPoolClient")
    assert pool_clients and set(pool_clients) <= refs


def _role_statements(synthesized: Synthesized, stage: str, function: str) -> list[dict[str, Any]]:
    role_id = _functions(synthesized, stage)[function]["Role"]["Fn::GetAtt"][0]
    role = synthesized.templates[stage]["Resources"][role_id]
    return [s for p in role["Properties"].get("Policies", []) for s in p["PolicyDocument"]["Statement"]]


def _actions(statement: dict[str, Any]) -> list[str]:
    actions = statement.get("Action", [])
    return [actions] if isinstance(actions, str) else list(actions)


@pytest.mark.parametrize("stage", STAGES)
def test_the_courier_key_is_read_at_run_time_by_the_api_only(synthesized, stage):
    (secret_id,) = synthesized.resources(stage, "AWS::SecretsManager::Secret")
    for name, function in _functions(synthesized, stage).items():
        env = _env(function)
        assert "COURIER_WEBHOOK_SECRET" not in env, name
        assert "resolve:secretsmanager" not in str(env), name
        reads = [s for s in _role_statements(synthesized, stage, name)
                 if any(a.startswith("secretsmanager:") for a in _actions(s))]
        if name == "APIHandler":
            assert env["COURIER_WEBHOOK_SECRET_ARN"] == {"Ref": secret_id}
            assert [(_actions(s), s["Resource"]) for s in reads] == [
                (["secretsmanager:GetSecretValue"], {"Ref": secret_id})]
        else:
            assert not reads and "COURIER_WEBHOOK_SECRET_ARN" not in env, name
