"""The synthesized templates of every stage, checked against the application's own definitions."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from typing import Any

import pytest

from tests.infra.conftest import ROOT, STAGES, Synthesized


def _tables_by_logical(synthesized: Synthesized, stage: str) -> dict[str, dict[str, Any]]:
    prefix = f"kc-{stage}-"
    return {r["Properties"]["TableName"].removeprefix(prefix): r
            for r in synthesized.resources(stage, "AWS::DynamoDB::Table").values()}


def _ref_id(value: Any) -> str:
    """The logical id a Ref / GetAtt points at."""
    if "Ref" in value:
        return str(value["Ref"])
    return str(value["Fn::GetAtt"][0])


# ---------------------------------------------------------------- synthesis, lint, nag


@pytest.mark.parametrize("stage", STAGES)
def test_every_stage_synthesizes_with_its_prefix(synthesized, stage):
    template = synthesized.templates[stage]
    assert template["Resources"]
    tables = _tables_by_logical(synthesized, stage)
    assert all(r["Properties"]["TableName"].startswith(f"kc-{stage}-") for r in tables.values())


def test_cfn_lint_finds_no_errors_in_the_sam_templates_nor_their_transformed_form(synthesized, transformed,
                                                                               tmp_path):
    paths = [str(synthesized.path(stage)) for stage in STAGES]
    for stage, template in transformed.items():
        path = tmp_path / f"kc-{stage}.transformed.json"
        path.write_text(json.dumps(template))
        paths.append(str(path))
    done = subprocess.run([sys.executable, "-m", "cfnlint", *paths], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode & 2 == 0, done.stdout + done.stderr  # bit 2: errors (4: warnings, 8: info)
    assert " E" not in done.stdout, done.stdout


def test_cdk_nag_passes_and_every_acknowledged_finding_has_a_reason(synthesized):
    report = json.loads((synthesized.outdir / "validation-report.json").read_text("utf-8"))
    (nag,) = [p for p in report["pluginReports"] if p["pluginName"] == "AwsSolutions"]
    assert nag["conclusion"] == "success"
    assert nag["violations"] == []
    for finding in nag["suppressedViolations"]:
        assert len(finding["reason"].split()) >= 8, finding["ruleName"]


# ---------------------------------------------------------------- tables


def _key_schema(partition: str, sort: str | None) -> list[dict[str, str]]:
    keys = [{"AttributeName": partition, "KeyType": "HASH"}]
    if sort:
        keys.append({"AttributeName": sort, "KeyType": "RANGE"})
    return keys


@pytest.mark.parametrize("stage", STAGES)
def test_tables_equal_the_pynamodb_models(synthesized, stage):
    from infra.schema import table_specs

    specs = {spec.logical: spec for spec in table_specs()}
    tables = _tables_by_logical(synthesized, stage)
    assert set(tables) == set(specs), "one table per model, no more"
    for logical, spec in specs.items():
        props = tables[logical]["Properties"]
        assert props["KeySchema"] == _key_schema(spec.partition_key.name, spec.sort_key and spec.sort_key.name)
        defined = {a["AttributeName"]: a["AttributeType"] for a in props["AttributeDefinitions"]}
        assert defined == spec.attribute_types, logical
        gsis = {g["IndexName"]: g for g in props.get("GlobalSecondaryIndexes", [])}
        assert set(gsis) == {i.name for i in spec.global_indexes}, logical
        for index in spec.global_indexes:
            gsi = gsis[index.name]
            assert gsi["KeySchema"] == _key_schema(index.partition_key.name,
                                                   index.sort_key and index.sort_key.name)
            assert gsi["Projection"]["ProjectionType"] == index.projection
            assert sorted(gsi["Projection"].get("NonKeyAttributes", [])) == sorted(index.non_key_attributes)
        assert len(props.get("LocalSecondaryIndexes", [])) == len(spec.local_indexes)
        stream = props.get("StreamSpecification", {}).get("StreamViewType")
        assert stream == spec.stream_view_type, logical
        ttl = props.get("TimeToLiveSpecification")
        assert (ttl and ttl["Enabled"] and ttl["AttributeName"]) == (spec.ttl_attribute or None), logical
        assert props["BillingMode"] == "PAY_PER_REQUEST"
        assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True


def test_the_models_define_the_keys_the_code_relies_on():
    """A guard that the derivation reads the models at all (not an empty list)."""
    from infra.schema import table_specs

    specs = {spec.logical: spec for spec in table_specs()}
    assert specs["cases"].partition_key.name == "case_no"
    assert {i.name for i in specs["cases"].global_indexes} >= {"by_receiving_queue", "by_handling_queue", "due"}
    assert specs["outbox"].stream_view_type == "NEW_IMAGE" and specs["outbox"].ttl_attribute == "expires_at"


@pytest.mark.parametrize("stage", STAGES)
def test_the_legs_of_a_case_index_is_keys_only_in_the_template(synthesized, stage):
    """Issue 15's lighter writes: a leg's changes rewrite no entry of ``by_case_keys``; the old ALL-projected
    ``by_case`` is gone (it stays only while a stage migrates: legIndexMigration)."""
    gsis = {g["IndexName"]: g for g in _tables_by_logical(synthesized, stage)["shipments"]["Properties"]
            ["GlobalSecondaryIndexes"]}
    assert "by_case" not in gsis
    assert gsis["by_case_keys"]["Projection"] == {"ProjectionType": "KEYS_ONLY"}
    assert gsis["by_case_keys"]["KeySchema"] == _key_schema("case_no", "case_version")


def test_prod_tables_are_retained_protected_and_encrypted_with_the_stage_key(synthesized):
    keys = synthesized.resources("prod", "AWS::KMS::Key")
    assert len(keys) == 1
    (key_id,) = keys
    assert keys[key_id]["Properties"]["EnableKeyRotation"] is True
    for name, table in synthesized.resources("prod", "AWS::DynamoDB::Table").items():
        assert table["DeletionPolicy"] == "Retain" and table["UpdateReplacePolicy"] == "Retain", name
        props = table["Properties"]
        assert props["DeletionProtectionEnabled"] is True, name
        assert props["SSESpecification"]["SSEType"] == "KMS", name
        assert _ref_id(props["SSESpecification"]["KMSMasterKeyId"]) == key_id, name
    assert synthesized.templates["prod"]["Resources"]  # and the stack itself refuses deletion:
    manifest = json.loads((synthesized.outdir / "manifest.json").read_text("utf-8"))
    assert manifest["artifacts"]["kc-prod"]["properties"].get("terminationProtection") is True


def test_dev_tables_can_be_torn_down(synthesized):
    for name, table in synthesized.resources("dev", "AWS::DynamoDB::Table").items():
        assert table["DeletionPolicy"] == "Delete", name
        assert not table["Properties"].get("DeletionProtectionEnabled"), name


# ---------------------------------------------------------------- queues, topics, event sources


@pytest.mark.parametrize("stage", STAGES)
def test_every_queue_has_its_dlq_redrive_visibility_and_alarms(synthesized, stage):
    from chalicelib.adapters.messaging import QUEUES

    queues = synthesized.resources(stage, "AWS::SQS::Queue")
    by_name = {q["Properties"]["QueueName"]: (logical_id, q) for logical_id, q in queues.items()}
    alarms = synthesized.resources(stage, "AWS::CloudWatch::Alarm").values()
    alarmed_queues = {_ref_id(d["Value"]) for a in alarms for d in a["Properties"].get("Dimensions", [])
                      if d["Name"] == "QueueName"}
    functions = synthesized.resources(stage, "AWS::Serverless::Function")
    for spec in QUEUES.values():
        queue_id, queue = by_name[f"kc-{stage}-{spec.logical}"]
        dlq_id, _ = by_name[f"kc-{stage}-{spec.dlq_logical}"]
        redrive = queue["Properties"]["RedrivePolicy"]
        assert _ref_id(redrive["deadLetterTargetArn"]) == dlq_id
        assert redrive["maxReceiveCount"] == spec.max_receive_count
        visibility = queue["Properties"]["VisibilityTimeout"]
        assert visibility == spec.visibility_timeout_seconds
        consumers = [f for f in functions.values() for e in (f["Properties"].get("Events") or {}).values()
                     if e["Type"] == "SQS" and _ref_id(e["Properties"]["Queue"]) == queue_id]
        assert consumers, f"nothing consumes {spec.logical}"
        for consumer in consumers:
            assert consumer["Properties"]["Timeout"] < visibility
        assert dlq_id in alarmed_queues, f"no alarm on the DLQ of {spec.logical}"
        assert queue_id in alarmed_queues, f"no alarm on {spec.logical}"


@pytest.mark.parametrize("stage", STAGES)
def test_topics_are_the_code_topics(synthesized, stage):
    from chalicelib.adapters.messaging import TOPICS

    names = {t["Properties"]["TopicName"] for t in synthesized.resources(stage, "AWS::SNS::Topic").values()}
    assert names == {f"kc-{stage}-{logical}" for logical in TOPICS}


@pytest.mark.parametrize("stage", STAGES)
def test_every_mapping_reports_batch_item_failures_and_the_relays_read_the_event_streams(transformed, stage):
    """Two streams carry events: the outbox table's (relay_outbox) and the case timeline's, whose items are
    the cases' steps' outbox records (relay_case_events); both keep what they give up on."""
    template = transformed[stage]
    resources = template["Resources"]
    mappings = {k: v["Properties"] for k, v in resources.items() if v["Type"] == "AWS::Lambda::EventSourceMapping"}
    assert len(mappings) >= 6

    def table(logical: str) -> str:
        return next(k for k, v in resources.items() if v["Type"] == "AWS::DynamoDB::Table"
                    and v["Properties"]["TableName"] == f"kc-{stage}-{logical}")

    streams = {}
    for name, props in mappings.items():
        assert props["FunctionResponseTypes"] == ["ReportBatchItemFailures"], name
        source = props["EventSourceArn"]
        assert "Fn::GetAtt" in source, f"{name} must point at a resource of the stack, not {source}"
        if "StartingPosition" in props:  # a stream mapping
            assert props["BisectBatchOnFunctionError"] is True
            assert "OnFailure" in props["DestinationConfig"]
            streams[source["Fn::GetAtt"][0]] = props["FunctionName"]
    assert streams == {table("outbox"): {"Ref": "RelayOutbox"}, table("case-events"): {"Ref": "RelayCaseEvents"}}
    for logical in ("outbox", "case-events"):
        assert resources[table(logical)]["Properties"]["StreamSpecification"] == {"StreamViewType": "NEW_IMAGE"}


def _references(value: Any) -> set[str]:
    """The logical ids a template value names (Ref, Fn::GetAtt, DependsOn)."""
    if isinstance(value, dict):
        found = set()
        for key, inner in value.items():
            if key == "Ref" and isinstance(inner, str):
                found.add(inner)
            elif key == "Fn::GetAtt":
                found.add(inner[0] if isinstance(inner, list) else str(inner).split(".")[0])
            else:
                found |= _references(inner)
        return found
    if isinstance(value, list):
        return set().union(*map(_references, value)) if value else set()
    return set()


@pytest.mark.parametrize("stage", STAGES)
def test_the_functions_that_write_case_steps_change_after_the_timeline_table_gets_its_stream(transformed, stage):
    """A case's step is relayed from the timeline table's stream, so the first deploy of this design must enable
    the stream before any code writing the new timeline events runs: CloudFormation updates a resource only
    after the resources it refers to, and each such function refers to the table (through its role's policy)."""
    resources = transformed[stage]["Resources"]
    timeline = next(k for k, v in resources.items() if v["Type"] == "AWS::DynamoDB::Table"
                    and v["Properties"]["TableName"] == f"kc-{stage}-case-events")

    def depends_on(logical: str, target: str, seen: set[str]) -> bool:
        if logical in seen or logical not in resources:
            return False
        seen.add(logical)
        resource = resources[logical]
        named = _references(resource.get("Properties", {})) | set(
            [resource["DependsOn"]] if isinstance(resource.get("DependsOn"), str) else resource.get("DependsOn", []))
        return target in named or any(depends_on(n, target, seen) for n in named)

    from chalicelib.grants import GRANTS

    writers = [f for f, g in GRANTS.items() if "case-events" in g.tables]
    assert {"APIHandler", "RouteParcels", "ApplyCourierEvents", "Sweep"} <= set(writers)
    for function in writers:
        assert depends_on(function, timeline, set()), function


@pytest.mark.parametrize("stage", STAGES)
def test_the_sweeper_and_the_statistics_snapshot_run_on_their_schedules(transformed, stage):
    rules = [v["Properties"] for v in transformed[stage]["Resources"].values() if v["Type"] == "AWS::Events::Rule"]
    for name, function in (("sweep", "Sweep"), ("refresh-stats", "RefreshStats")):
        (rule,) = [r for r in rules if r.get("Name") == f"kc-{stage}-{name}"]
        assert rule["ScheduleExpression"] == "rate(5 minutes)"
        assert rule["Targets"][0]["Arn"] == {"Fn::GetAtt": [function, "Arn"]}


# ---------------------------------------------------------------- IAM


def _statements(template: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    found = []
    for name, resource in template["Resources"].items():
        props = resource.get("Properties", {})
        if resource["Type"] == "AWS::IAM::Role":
            for policy in props.get("Policies", []):
                found += [(name, s) for s in policy["PolicyDocument"]["Statement"]]
        elif resource["Type"] in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
            found += [(name, s) for s in props["PolicyDocument"]["Statement"]]
        elif resource["Type"] == "AWS::KMS::Key":
            found += [(name, s) for s in props["KeyPolicy"]["Statement"]]
    return found


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


@pytest.mark.parametrize("stage", STAGES)
def test_no_iam_statement_has_a_wildcard_action_or_resource(transformed, stage):
    statements = _statements(transformed[stage])
    assert statements
    for name, statement in statements:
        for action in _as_list(statement.get("Action", [])):
            assert action != "*" and not action.endswith(":*"), (name, action)
        is_key_policy = transformed[stage]["Resources"][name]["Type"] == "AWS::KMS::Key"
        if not is_key_policy:  # in a key policy, Resource "*" means the key itself
            for resource in _as_list(statement.get("Resource", [])):
                assert resource != "*", (name, statement)


@pytest.mark.parametrize("stage", STAGES)
def test_each_function_has_its_own_role_and_no_generated_policy(transformed, stage):
    functions = {k: v["Properties"] for k, v in transformed[stage]["Resources"].items()
                 if v["Type"] == "AWS::Lambda::Function"}
    roles = [_ref_id(f["Role"]) for f in functions.values()]
    assert len(set(roles)) == len(functions) == len(roles)
    assert "DefaultRole" not in transformed[stage]["Resources"]
    text = json.dumps(transformed[stage])
    assert "replaced-by-cdk" not in text


def test_only_the_relay_sends_to_the_case_queues_and_only_notifications_send_sms(synthesized):
    template = synthesized.templates["dev"]
    roles = synthesized.resources("dev", "AWS::IAM::Role")
    role_of = {name: _ref_id(f["Properties"]["Role"])
               for name, f in synthesized.resources("dev", "AWS::Serverless::Function").items()}

    def actions(function: str) -> set[str]:
        role = roles[role_of[function]]
        return {a for p in role["Properties"]["Policies"] for s in p["PolicyDocument"]["Statement"]
                for a in _as_list(s["Action"])}

    assert "sqs:SendMessage" in actions("RelayOutbox")
    sweep_sends = [s for p in roles[role_of["Sweep"]]["Properties"]["Policies"]
                   for s in p["PolicyDocument"]["Statement"] if "sqs:SendMessage" in _as_list(s["Action"])]
    assert sweep_sends and all("SweepFailures" in s["Resource"]["Fn::GetAtt"][0]
                               for s in sweep_sends)  # its own failure queue only
    assert "sns:Publish" in actions("SendNotifications")
    sms = [s for p in roles[role_of["SendNotifications"]]["Properties"]["Policies"]
           for s in p["PolicyDocument"]["Statement"] if "NotResource" in s]
    assert sms and sms[0]["Action"] == "sns:Publish"
    assert all("NotResource" not in s for name in ("APIHandler", "Sweep")
               for p in roles[role_of[name]]["Properties"]["Policies"] for s in p["PolicyDocument"]["Statement"])
    assert template["Resources"]


# ---------------------------------------------------------------- API


def _http_api(synthesized: Synthesized, stage: str) -> dict[str, Any]:
    (api,) = synthesized.resources(stage, "AWS::ApiGatewayV2::Api").values()
    return dict(api["Properties"])


@pytest.mark.parametrize("stage", STAGES)
def test_the_api_is_an_http_api_with_every_route_of_the_app_and_no_rest_api(synthesized, stage):
    """Chalice's REST API is removed from the package; the HTTP API has one route per route of app.py (and
    each path's preflight), all to the API function in payload format 1.0, the event shape Chalice reads."""
    from tools.openapi import registered_routes

    assert _http_api(synthesized, stage)["ProtocolType"] == "HTTP"
    assert not synthesized.resources(stage, "AWS::Serverless::Api")
    assert not synthesized.resources(stage, "AWS::ApiGateway::RestApi")
    routes = {r["Properties"]["RouteKey"] for r in synthesized.resources(stage, "AWS::ApiGatewayV2::Route").values()}
    expected = {f"{method} {path}" for method, path in registered_routes()}
    assert expected and expected <= routes
    assert {key for key in routes if not key.startswith("OPTIONS ")} == expected
    assert {key.split(" ", 1)[1] for key in routes if key.startswith("OPTIONS ")} == {p for _, p in registered_routes()}
    (integration,) = synthesized.resources(stage, "AWS::ApiGatewayV2::Integration").values()
    props = integration["Properties"]
    assert props["IntegrationType"] == "AWS_PROXY" and props["PayloadFormatVersion"] == "1.0"
    assert props["IntegrationUri"] == {"Fn::GetAtt": ["APIHandler", "Arn"]}
    (permission,) = synthesized.resources(stage, "AWS::Lambda::Permission").values()
    assert permission["Properties"]["Principal"] == "apigateway.amazonaws.com"
    source = json.dumps(permission["Properties"]["SourceArn"])
    assert "HttpApi" in source and source.endswith('"/api/*"]]}')  # this API's stage only


@pytest.mark.parametrize("stage", STAGES)
def test_public_routes_stay_public_and_every_other_route_needs_the_identity_provider(synthesized, stage):
    from infra.config import PUBLIC_ROUTES

    (authorizer_id,) = synthesized.resources(stage, "AWS::ApiGatewayV2::Authorizer")
    routes = [r["Properties"] for r in synthesized.resources(stage, "AWS::ApiGatewayV2::Route").values()]
    assert any(r["RouteKey"] == "POST /cases" for r in routes) and any(r["RouteKey"] == "GET /health" for r in routes)
    for route in routes:
        method, path = route["RouteKey"].split(" ", 1)
        # A browser's CORS preflight never carries the token: OPTIONS (answered by the app) stays public.
        if path in PUBLIC_ROUTES or method == "OPTIONS":
            assert route["AuthorizationType"] == "NONE" and "AuthorizerId" not in route, route["RouteKey"]
        else:
            assert route["AuthorizationType"] == "JWT", route["RouteKey"]
            assert route["AuthorizerId"] == {"Ref": authorizer_id}, route["RouteKey"]


@pytest.mark.parametrize("stage", STAGES)
def test_the_api_stage_is_throttled_and_writes_json_access_logs(synthesized, stage):
    from infra.config import stage_config

    config = stage_config(stage)
    (api_stage,) = synthesized.resources(stage, "AWS::ApiGatewayV2::Stage").values()
    props = api_stage["Properties"]
    assert props["StageName"] == "api" and props["AutoDeploy"] is True
    settings = props["DefaultRouteSettings"]
    assert settings["ThrottlingRateLimit"] == config.api_throttle_rate > 0
    assert settings["ThrottlingBurstLimit"] == config.api_throttle_burst > 0
    logs = props["AccessLogSettings"]
    group_id = logs["DestinationArn"]["Fn::GetAtt"][0]
    group = synthesized.templates[stage]["Resources"][group_id]["Properties"]
    assert group["LogGroupName"] == f"/aws/apigateway/kc-{stage}-api" and "KmsKeyId" in group
    fields = json.loads(logs["Format"])
    assert {"requestId", "ip", "status", "route", "authError"} <= set(fields)
    assert "$context.authorizer.claims" not in logs["Format"]  # no identity in the access log


@pytest.mark.parametrize("stage", STAGES)
def test_the_api_refuses_large_bodies_at_the_edge(synthesized, stage):
    (acl,) = synthesized.edge_resources(stage, "AWS::WAFv2::WebACL").values()
    sizes = [r["Statement"]["SizeConstraintStatement"] for r in acl["Properties"]["Rules"]
             if "SizeConstraintStatement" in r["Statement"]]
    assert sizes and sizes[0]["Size"] == 16384 and sizes[0]["ComparisonOperator"] == "GT"
    (distribution,) = synthesized.resources(stage, "AWS::CloudFront::Distribution").values()
    assert distribution["Properties"]["DistributionConfig"]["WebACLId"] == {"Ref": "EdgeWebAclArn"}


# ---------------------------------------------------------------- monitoring, logs, portability


@pytest.mark.parametrize("stage", STAGES)
def test_alarms_cover_functions_api_and_overdue_work(synthesized, stage):
    alarms = {a["Properties"]["AlarmName"]: a["Properties"]
              for a in synthesized.resources(stage, "AWS::CloudWatch::Alarm").values()}
    functions = synthesized.resources(stage, "AWS::Serverless::Function")
    for function in functions.values():
        short = function["Properties"]["FunctionName"].removeprefix(f"kc-{stage}-")
        assert f"kc-{stage}-{short}-errors" in alarms and f"kc-{stage}-{short}-throttles" in alarms
    assert {f"kc-{stage}-api-5xx-rate", f"kc-{stage}-api-p99-latency", f"kc-{stage}-overdue-work"} <= set(alarms)
    overdue = alarms[f"kc-{stage}-overdue-work"]
    assert overdue["MetricName"] == "OverdueFound" and overdue["Namespace"] == "CrossCityService"
    # exactly the dimensions the sweeper's metric carries in Lambda (tests/service/test_sweeper_metric.py)
    assert {d["Name"]: d["Value"] for d in overdue["Dimensions"]} == {"stage": stage, "service": "cross-city"}
    assert all(a["AlarmActions"] for a in alarms.values())
    assert len(synthesized.resources(stage, "AWS::CloudWatch::Dashboard")) == 1


@pytest.mark.parametrize("stage", STAGES)
def test_every_function_logs_to_a_group_with_retention(synthesized, stage):
    groups = {g["Properties"]["LogGroupName"]: g["Properties"]
              for g in synthesized.resources(stage, "AWS::Logs::LogGroup").values()}
    for function in synthesized.resources(stage, "AWS::Serverless::Function").values():
        group = groups[f"/aws/lambda/{function['Properties']['FunctionName']}"]
        assert group["RetentionInDays"] >= 30


@pytest.mark.parametrize("stage", STAGES)
def test_no_partition_account_or_region_is_written_into_the_template(synthesized, stage):
    text = synthesized.path(stage).read_text("utf-8")
    assert not re.search(r"arn:aws(-cn|-us-gov)?:", text), "use the AWS::Partition token"
    assert not re.search(r"(?<![0-9a-f])\d{12}(?![0-9a-f])", text), "no account id"
    assert not re.search(r"\b(us|eu|ap|cn|sa|ca|me|af)-(north|south|east|west|central|northeast|southeast|"
                         r"northwest)-\d\b", text), "no region"


def test_the_lambda_package_is_small_and_leaves_boto_to_the_runtime(synthesized):
    import zipfile

    assets = sorted(synthesized.outdir.glob("asset.*.zip"))
    assert assets
    manifest = json.loads((synthesized.outdir / "kc-dev.assets.json").read_text("utf-8"))
    used = [synthesized.outdir / f["source"]["path"] for f in manifest["files"].values()
            if f["source"]["path"].endswith(".zip")]
    total = sum(p.stat().st_size for p in used)
    assert total <= 5 * 1024 * 1024, f"{total} bytes"

    def top_level(member: str) -> str:  # layer members live under python/lib/python3.X/site-packages/
        parts = member.split("/")
        return parts[4] if parts[0] == "python" and len(parts) > 4 else parts[0]

    names = {top_level(n) for p in used for n in zipfile.ZipFile(p).namelist()}
    assert not {"boto3", "botocore", "s3transfer", "urllib3"} & names
    assert {"pynamodb", "aws_lambda_powertools", "app.py", "chalicelib"} <= names
