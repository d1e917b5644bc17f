"""The cloud stack, synthesized once per test session (shared by the xdist workers through a lock).

Synthesis runs ``python -m infra.app`` in a subprocess: Chalice imports app.py with each stage's
environment, which must not leak into the test process.
"""
from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
STAGES = ("dev", "prod")


@dataclass
class Synthesized:
    outdir: Path
    templates: dict[str, dict[str, Any]]
    seconds: float  # how long synthesis took (0 when another worker did it)
    edges: dict[str, dict[str, Any]] = field(default_factory=dict)  # each stage's edge stack (us-east-1)

    def path(self, stage: str) -> Path:
        return self.outdir / f"kc-{stage}.template.json"

    def resources(self, stage: str, type_: str) -> dict[str, dict[str, Any]]:
        return {k: v for k, v in self.templates[stage]["Resources"].items() if v["Type"] == type_}

    def edge_path(self, stage: str) -> Path:
        return self.outdir / f"kc-{stage}-edge.template.json"

    def edge_resources(self, stage: str, type_: str) -> dict[str, dict[str, Any]]:
        return {k: v for k, v in self.edges[stage]["Resources"].items() if v["Type"] == type_}


def _synthesize(outdir: Path) -> float:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STAGE", "RESOURCE_PREFIX", "AUTH_MODE"))}
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "infra.app", "--outdir", str(outdir)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise AssertionError(f"synth failed:\n{done.stdout[-4000:]}\n{done.stderr[-8000:]}")
    return time.monotonic() - started


@pytest.fixture(scope="session")
def synthesized(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Synthesized:
    shared = tmp_path_factory.getbasetemp() if worker_id == "master" else tmp_path_factory.getbasetemp().parent
    outdir = shared / "cdk.out"
    seconds = 0.0
    with open(shared / "synth.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (outdir / "manifest.json").exists():
            seconds = _synthesize(outdir)
    templates = {stage: json.loads((outdir / f"kc-{stage}.template.json").read_text("utf-8")) for stage in STAGES}
    edges = {stage: json.loads((outdir / f"kc-{stage}-edge.template.json").read_text("utf-8")) for stage in STAGES}
    return Synthesized(outdir=outdir, templates=templates, seconds=seconds, edges=edges)


def sam_transform(template: dict[str, Any]) -> dict[str, Any]:
    """Plain CloudFormation, as CloudFormation's SAM transform would make it (functions, event source
    mappings, schedule rules, the API's deployment and stage)."""
    import copy

    from samtranslator.translator.transform import transform

    class NoManagedPolicies:
        def load(self) -> dict[str, str]:
            raise AssertionError("functions must not use SAM managed policies: each has its own role")

    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    result: dict[str, Any] = transform(copy.deepcopy(template), {}, NoManagedPolicies())
    return result


@pytest.fixture(scope="session")
def transformed(synthesized: Synthesized) -> dict[str, dict[str, Any]]:
    return {stage: sam_transform(t) for stage, t in synthesized.templates.items()}
