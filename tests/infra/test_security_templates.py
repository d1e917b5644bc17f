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


@pytest.mark.parametrize("stage", STAGES)
def test_the_api_reads_its_application_key_from_secrets_manager(synthesized, stage):
    """Walk-in subjects and list cursors are keyed with a secret of the stage: the API gets its ARN (never the
    value) and may read that one secret; without it a cloud process refuses to key anything."""
    functions = _functions(synthesized, stage)
    secrets = synthesized.resources(stage, "AWS::SecretsManager::Secret")
    [app_secret] = [k for k, v in secrets.items() if str(v["Properties"].get("Name", "")).endswith("app-secret")]
    env = _env(functions["APIHandler"])
    assert env["APP_SECRET_ARN"] == {"Ref": app_secret}
    assert all("APP_SECRET" not in k or k == "APP_SECRET_ARN" for k in env)
    roles = synthesized.resources(stage, "AWS::IAM::Role")
    readers = [name for name, role in roles.items()
               for policy in role["Properties"].get("Policies", [])
               for statement in policy["PolicyDocument"]["Statement"]
               if statement.get("Resource") == {"Ref": app_secret}
               and "secretsmanager:GetSecretValue" in str(statement.get("Action"))]
    assert len(readers) == 1, readers
    for name, function in functions.items():
        if name != "APIHandler":
            assert "APP_SECRET_ARN" not in _env(function), name
