"""``make deploy`` without credentials stops before the CDK is called, saying what to do."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from infra import deploy
from tests.infra.conftest import ROOT

_real_cdk = deploy.cdk
_real_seed = deploy.seed_reference_data


def _run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith("AWS_") or k in ("AWS_CA_BUNDLE",)}
    clean.update(AWS_SHARED_CREDENTIALS_FILE=os.devnull, AWS_CONFIG_FILE=os.devnull,
                 AWS_EC2_METADATA_DISABLED="true", **env)
    return subprocess.run([sys.executable, "-m", "infra.deploy", *args], cwd=ROOT, env=clean,
                          capture_output=True, text=True, timeout=120)


def test_deploy_without_credentials_stops_with_a_clear_message():
    done = _run("dev", AWS_REGION="cn-north-1")
    assert done.returncode == 2
    assert "No AWS credentials found" in done.stderr and "Nothing was deployed" in done.stderr


def test_deploy_without_a_region_says_so():
    done = _run("prod")
    assert done.returncode == 2
    assert "No AWS region is configured" in done.stderr


def test_deploy_knows_only_the_cloud_stages():
    done = _run("local", AWS_REGION="cn-north-1")
    assert done.returncode != 0 and "invalid choice" in done.stderr


# ---------------------------------------------------------------- after the credentials check (issue 12)

WHO = {"account": "123456789012", "arn": "arn:aws:iam::123456789012:user/ops", "region": "cn-north-1",
       "partition": "aws-cn"}


@pytest.fixture
def steps(monkeypatch):
    """The CDK calls main() makes, recorded instead of run, with valid credentials and a ready account."""
    calls: list[tuple[str, ...]] = []
    monkeypatch.setattr(deploy, "caller_identity", lambda: WHO)
    monkeypatch.setattr(deploy, "cdk", lambda *args, stage, context: calls.append(args))
    monkeypatch.setattr(deploy, "api_gateway_logging_ready", lambda region: True)
    monkeypatch.setattr(deploy, "seed_reference_data", lambda stage, region: None)
    monkeypatch.setattr(deploy, "edge_web_acl_arn", lambda path, stack: EDGE_ACL)
    monkeypatch.setattr("infra.console_upload.publish_console", lambda stage, values, region: "https://console")
    return calls


EDGE_ACL = "arn:aws:wafv2:us-east-1:123456789012:global/webacl/kc-prod-edge/a1b2c3d4-5678-90ab-cdef-1234567890ab"


def test_the_edge_stack_goes_first_and_the_stage_gets_its_web_acl(steps):
    assert deploy.main(["prod", "-c", "alarmEmail=ops@example.org"]) == 0
    assert [s[:2] for s in steps] == [("deploy", "kc-prod-edge"), ("deploy", "kc-prod")]
    parameters = steps[1][steps[1].index("--parameters") + 1]
    assert parameters == f"kc-prod:EdgeWebAclArn={EDGE_ACL}"


def test_the_edge_stacks_missing_output_stops_the_deploy(tmp_path):
    with pytest.raises(deploy.StepFailed, match="WebAclArn"):
        deploy.edge_web_acl_arn(tmp_path / "none.json", "kc-dev-edge")
    (tmp_path / "out.json").write_text('{"kc-dev-edge": {"WebAclArn": "arn:x"}}')
    assert deploy.edge_web_acl_arn(tmp_path / "out.json", "kc-dev-edge") == "arn:x"


def test_a_prod_deploy_without_an_alarm_subscription_is_refused(steps, capsys):
    assert deploy.main(["prod"]) == 2
    assert "alarm subscription" in capsys.readouterr().err and steps == []
    assert deploy.main(["prod", "-c", "alarmEmail="]) == 2 and steps == []
    assert deploy.main(["prod", "-c", "alarmEmail=ops@example.org"]) == 0
    assert steps[0][:2] == ("deploy", "kc-prod-edge")
    assert deploy.main(["dev"]) == 0  # dev may go without


def test_a_stage_deploy_before_bootstrap_says_to_bootstrap(steps, monkeypatch, capsys):
    monkeypatch.setattr(deploy, "api_gateway_logging_ready", lambda region: False)
    assert deploy.main(["dev"]) == 2
    assert "make bootstrap STAGE=dev" in capsys.readouterr().err and steps == []


def test_bootstrap_deploys_the_account_stack_once_for_all_stages(steps):
    assert deploy.main(["dev", "--bootstrap"]) == 0
    # The stage's region (cn-north-1 here) and the edge stack's (us-east-1), then the account stack.
    assert steps[0] == ("bootstrap", "aws://123456789012/cn-north-1")
    assert steps[1] == ("bootstrap", "aws://123456789012/us-east-1")
    assert steps[2][:2] == ("deploy", "cross-city-account")


def test_a_failing_cdk_step_ends_in_a_clear_message_not_a_traceback(steps, monkeypatch, tmp_path, capsys):
    fake = tmp_path / "cdk"
    fake.write_text("#!/bin/sh\necho 'stack kc-dev failed: ROLLBACK_COMPLETE' >&2\nexit 3\n")
    fake.chmod(0o755)
    monkeypatch.setattr(deploy, "CDK", fake)
    monkeypatch.setattr(deploy, "cdk", _real_cdk)
    assert deploy.main(["dev"]) == 1
    err = capsys.readouterr().err
    assert "`cdk deploy` failed with exit code 3" in err and "Traceback" not in err


def test_a_failing_seed_prints_its_cause(steps, monkeypatch, capsys):
    monkeypatch.setattr(deploy, "seed_reference_data", _real_seed)
    # Nothing listens there: the seeding subprocess fails at once, and its error must reach the operator.
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    assert deploy.main(["dev"]) == 1
    err = capsys.readouterr().err
    assert "seeding the reference data into kc-dev-reference failed:" in err
    assert "Could not connect" in err or "EndpointConnectionError" in err or "Connection refused" in err
