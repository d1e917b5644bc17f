"""``make deploy`` without credentials stops before the CDK is called, saying what to do."""
from __future__ import annotations

import os
import subprocess
import sys

from tests.infra.conftest import ROOT


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
