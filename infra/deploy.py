"""Deploy (or tear down) one stage with the caller's AWS credentials.

    python -m infra.deploy dev                  # deploy the edge stack (the CloudFront web ACL, us-east-1) and the
                                                # stage, seed the reference data, upload the console (web/dist),
                                                # print the console and API URLs
    python -m infra.deploy prod -c alarmEmail=ops@example.org
    python -m infra.deploy dev --destroy        # tear down (production data is retained)
    python -m infra.deploy dev --bootstrap      # once per account and region: the CDK's asset bucket and roles
                                                # (in the stage's region and in us-east-1, the edge stack's)

Checks the credentials first (STS GetCallerIdentity) and stops with a clear message when there are none.
Refuses a production deploy without an alarm subscription (``-c alarmEmail=...``) and a stage deploy before
``make bootstrap`` has set API Gateway's account logging role (infra/account.py). Any later step that fails
ends in one message naming the step, with its cause (the command's own output is not swallowed).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from .config import ACCOUNT_STACK, NO_SUBSCRIPTION, ROOT, STAGES, stage_config
from .edge import EDGE_REGION, OUTPUT_WEB_ACL_ARN

CDK = ROOT / "infra" / "node_modules" / ".bin" / "cdk"


class NoCredentials(SystemExit):
    pass


class StepFailed(Exception):
    """A deployment step after the credentials check failed: ``str(err)`` says which and why."""


def caller_identity() -> dict[str, str]:
    """Who deploys, where; raises NoCredentials with the reason when AWS cannot be reached as someone."""
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, NoRegionError

    region = os.environ.get("AWS_REGION") or boto3.session.Session().region_name
    session = boto3.session.Session(region_name=region)
    if not region:
        raise NoCredentials("No AWS region is configured: set AWS_REGION (e.g. cn-north-1 or ap-east-1) or a "
                            "profile with a region, then run make deploy again.")
    try:
        identity = session.client("sts", region_name=region).get_caller_identity()
    except NoCredentialsError:
        raise NoCredentials("No AWS credentials found: sign in first (aws configure / aws sso login / "
                            "AWS_PROFILE=...), then run make deploy again. Nothing was deployed.") from None
    except (ClientError, BotoCoreError, NoRegionError) as err:
        raise NoCredentials(f"The AWS credentials were refused ({err}). Nothing was deployed.") from None
    arn = str(identity["Arn"])
    return {"account": str(identity["Account"]), "arn": arn, "region": region, "partition": arn.split(":")[1]}


def cdk(*args: str, stage: str, context: list[str]) -> None:
    if not CDK.exists():
        raise SystemExit("The CDK command line is not installed: run make infra-deps.")
    env = {**os.environ, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20", "CDK_DISABLE_VERSION_CHECK": "1",
           "CDK_DISABLE_CLI_TELEMETRY": "true"}
    command = [str(CDK), "--app", f"{sys.executable} -m infra.app", "--output", "cdk.out", "--no-notices",
               "-c", f"stage={stage}"]
    for item in context:
        command += ["-c", item]
    done = subprocess.run([*command, *args], cwd=ROOT, env=env, check=False)  # noqa: S603
    if done.returncode != 0:  # the CDK printed its own errors above
        raise StepFailed(f"`cdk {args[0]}` failed with exit code {done.returncode} (its messages are above)")


def seed_reference_data(stage: str, region: str) -> None:
    """Offices, routes, matters, review policies into the stage's reference table (idempotent)."""
    config = stage_config(stage)
    env = {**os.environ, "STAGE": stage, "RESOURCE_PREFIX": config.resource_prefix, "AWS_REGION": region,
           "AWS_DEFAULT_REGION": region}
    code = "from chalicelib.adapters import reference_store; print(reference_store.seed())"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=False,  # noqa: S603
                          capture_output=True, text=True)
    if done.returncode != 0:
        cause = (done.stderr.strip().splitlines() or ["(no output)"])[-1]
        sys.stderr.write(done.stderr)
        raise StepFailed(f"seeding the reference data into {config.name('reference')} failed: {cause}")
    print(f"reference data: {done.stdout.strip()} rows written to {config.name('reference')}")


def api_gateway_logging_ready(region: str) -> bool:
    """Whether the account's API Gateway setting names a logging role (made by ``make bootstrap``)."""
    import boto3

    return bool(boto3.client("apigateway", region_name=region).get_account().get("cloudwatchRoleArn"))


def has_alarm_subscription(context: list[str]) -> bool:
    return any(item.partition("=")[0] == "alarmEmail" and item.partition("=")[2].strip() for item in context)


def edge_region(context: list[str]) -> str:
    """Where the stage's CloudFront web ACL is made (``-c edgeRegion=...``; us-east-1 by default)."""
    given = [item.partition("=")[2].strip() for item in context if item.partition("=")[0] == "edgeRegion"]
    return (given[-1] if given else "") or EDGE_REGION


def edge_web_acl_arn(path: Path, stack: str) -> str:
    """The web ACL's ARN from the edge stack's outputs, for the stage stack's parameter EdgeWebAclArn."""
    arn = outputs(path, stack).get(OUTPUT_WEB_ACL_ARN)
    if not arn:
        raise StepFailed(f"the edge stack {stack} gave no {OUTPUT_WEB_ACL_ARN} output ({path})")
    return str(arn)


def outputs(path: Path, stack: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text("utf-8")) if path.exists() else {}
    return dict(data.get(stack, {}))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("stage", choices=STAGES)
    parser.add_argument("-c", "--context", action="append", default=[], help="CDK context key=value")
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--destroy", action="store_true")
    action.add_argument("--bootstrap", action="store_true")
    args = parser.parse_args(argv)
    try:
        who = caller_identity()
    except NoCredentials as stop:
        print(f"make deploy: {stop.code}", file=sys.stderr)
        return 2
    try:
        return _act(args, who)
    except StepFailed as failed:
        print(f"make deploy: {failed}", file=sys.stderr)
        return 1
    except Exception as err:  # anything else is reported with its cause, not as a traceback
        print(f"make deploy: stopped by {type(err).__name__}: {err}", file=sys.stderr)
        return 1


def _act(args: argparse.Namespace, who: dict[str, str]) -> int:
    config = stage_config(args.stage)
    if args.bootstrap:
        print(f"bootstrapping aws://{who['account']}/{who['region']} as {who['arn']} ({who['partition']})")
        cdk("bootstrap", f"aws://{who['account']}/{who['region']}", stage=args.stage, context=args.context)
        if edge_region(args.context) != who["region"]:  # the edge stack's region (infra/edge.py)
            cdk("bootstrap", f"aws://{who['account']}/{edge_region(args.context)}", stage=args.stage,
                context=args.context)
        cdk("deploy", ACCOUNT_STACK, "--require-approval", "never", stage=args.stage, context=args.context)
        return 0
    if config.production and not args.destroy and not has_alarm_subscription(args.context):
        print(f"make deploy: {NO_SUBSCRIPTION}. Nothing was deployed.", file=sys.stderr)
        return 2
    if not args.destroy and not api_gateway_logging_ready(who["region"]):
        print("make deploy: API Gateway has no logging role in this account and region yet: run "
              f"make bootstrap STAGE={args.stage} first. Nothing was deployed.", file=sys.stderr)
        return 2
    print(f"{'destroying' if args.destroy else 'deploying'} {config.stack_name} as {who['arn']} "
          f"in {who['region']} ({who['partition']})")
    edge = f"{config.stack_name}-edge"
    if args.destroy:
        cdk("destroy", config.stack_name, "--force", stage=args.stage, context=args.context)
        cdk("destroy", edge, "--force", stage=args.stage, context=args.context)  # after the distribution
        if config.production:
            print("production tables, key, user pool and logs are retained: delete them by hand if meant")
        return 0
    outputs_file = ROOT / "cdk.out" / f"outputs-{args.stage}.json"
    approval = "broadening" if sys.stdin.isatty() else "never"
    # First the web ACL (CLOUDFRONT scope: us-east-1), then the stage, whose distribution takes its ARN.
    edge_outputs = ROOT / "cdk.out" / f"outputs-{args.stage}-edge.json"
    cdk("deploy", edge, "--require-approval", approval, "--outputs-file", str(edge_outputs),
        stage=args.stage, context=args.context)
    web_acl = edge_web_acl_arn(edge_outputs, edge)
    cdk("deploy", config.stack_name, "--require-approval", approval, "--outputs-file", str(outputs_file),
        "--parameters", f"{config.stack_name}:EdgeWebAclArn={web_acl}", stage=args.stage, context=args.context)
    seed_reference_data(args.stage, who["region"])
    values = outputs(outputs_file, config.stack_name)
    url = next((v for k, v in values.items() if k.startswith("ServiceApiUrl")), None)
    for key, value in sorted(values.items()):
        if key.startswith(("ServiceUserPool",)):
            print(f"{key}: {value}")
    from .console_upload import publish_console

    print(f"Console URL: {publish_console(args.stage, values, who['region'])}")
    print(f"API URL: {url}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
