"""The CDK app: one stack per stage and its edge stack (the CloudFront web ACL, in us-east-1), checked by
cdk-nag (AwsSolutions).

    python -m infra.app                 # synthesize every stage into cdk.out/
    python -m infra.app --stage dev     # one stage
The CDK CLI runs the same entry point (``cdk --app "python -m infra.app"``); the stage then comes from
``-c stage=...``.
"""
from __future__ import annotations

import argparse
import os
import shutil
import time
from pathlib import Path
from typing import Any

# node 20 is what these machines have; jsii's end-of-life banner (its value: node majors) would drown the
# synth output.
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks

from .account import AccountStack
from .config import ROOT, STAGES, stage_config
from .edge import EDGE_REGION, EdgeStack
from .service import PACKAGE_DIRS
from .stack import CrossCityStack


def build(stages: tuple[str, ...] = STAGES, outdir: str | None = None,
          context: dict[str, Any] | None = None) -> cdk.App:
    app = cdk.App(outdir=outdir, context=context or {})
    selected = app.node.try_get_context("stage")
    for stage in ((selected,) if selected else stages):
        config = stage_config(stage, _context(app))
        CrossCityStack(app, config.stack_name, config=config)
        # The distribution's web ACL, in the region CloudFront's ACLs live in (infra/edge.py).
        EdgeStack(app, f"{config.stack_name}-edge", config=config,
                  region=app.node.try_get_context("edgeRegion") or EDGE_REGION)
    AccountStack(app)  # once per account and region, deployed by `make bootstrap` only
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app, verbose=True))
    return app


def _context(app: cdk.App) -> dict[str, Any]:
    keys = ("userPoolArn", "appClientIds", "threatProtection", "alarmEmail", "logRetentionDays",
            "apiThrottleRate", "apiThrottleBurst", "apiReservedConcurrency", "consumerMaxConcurrency")
    return {k: app.node.try_get_context(k) for k in keys}


def _remove_packages() -> None:
    """The packages were copied into the cloud assembly; chalice.out/ only keeps growing otherwise."""
    for directory in PACKAGE_DIRS:
        shutil.rmtree(directory, ignore_errors=True)
        directory.with_name(f"{directory.name}.sam_with_assets.json").unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stage", choices=STAGES, action="append")
    parser.add_argument("--outdir", default=None)
    args = parser.parse_args(argv)
    os.chdir(ROOT)  # chalice.out/ and cdk.out/ live at the project root
    started = time.monotonic()
    outdir = args.outdir or os.environ.get("CDK_OUTDIR") or str(Path(ROOT, "cdk.out"))
    context = {"stage": args.stage[0]} if args.stage and len(args.stage) == 1 else {}
    try:
        assembly = build(tuple(args.stage or STAGES), outdir, context).synth()
    finally:
        _remove_packages()
    for stack in assembly.stacks:
        print(f"synthesized {stack.stack_name}: {stack.template_full_path}")
    print(f"synth took {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
