"""Security properties of the synthesized templates (issue 12): how functions authenticate, what each role
may do, the WAF in front of the API (on the console's CloudFront distribution, made in the stage's edge stack
in us-east-1), the way around it closed (the origin secret), the JWT authorizer, and the user pool."""
from __future__ import annotations

import json
import re
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
    secrets = synthesized.resources(stage, "AWS::SecretsManager::Secret")
    (secret_id,) = [k for k, v in secrets.items() if str(v["Properties"].get("Name", "")).endswith("webhook-secret")]
    (licence_id,) = [k for k, v in secrets.items() if str(v["Properties"].get("Name", "")).endswith("licence-service")]
    # the application key (walk-ins, cursors)
    (origin_id,) = [k for k, v in secrets.items() if str(v["Properties"].get("Name", "")).endswith("origin-verify")]
    (app_secret_id,) = [k for k in secrets if k not in (secret_id, licence_id, origin_id)]
    for name, function in _functions(synthesized, stage).items():
        env = _env(function)
        assert "COURIER_WEBHOOK_SECRET" not in env, name
        assert "resolve:secretsmanager" not in str(env), name
        reads = [s for s in _role_statements(synthesized, stage, name)
                 if any(a.startswith("secretsmanager:") for a in _actions(s))]
        if name == "APIHandler":
            assert env["COURIER_WEBHOOK_SECRET_ARN"] == {"Ref": secret_id}
            assert env["APP_SECRET_ARN"] == {"Ref": app_secret_id}
            assert env["LICENCE_SERVICE_SECRET_ARN"] == {"Ref": licence_id}
            assert env["ORIGIN_SECRET_ARN"] == {"Ref": origin_id}
            assert sorted((_actions(s), str(s["Resource"])) for s in reads) == sorted(
                (["secretsmanager:GetSecretValue"], str({"Ref": r}))
                for r in (secret_id, app_secret_id, licence_id, origin_id))
        elif name == "RouteParcels":  # 秒批 after acceptance reads the provincial records: that key only
            assert env["LICENCE_SERVICE_SECRET_ARN"] == {"Ref": licence_id}
            assert [str(s["Resource"]) for s in reads] == [str({"Ref": licence_id})]
            assert "COURIER_WEBHOOK_SECRET_ARN" not in env and "ORIGIN_SECRET_ARN" not in env
        else:
            assert not reads and "COURIER_WEBHOOK_SECRET_ARN" not in env and "ORIGIN_SECRET_ARN" not in env, name


def _web_acl_rules(synthesized: Synthesized, stage: str) -> dict[str, dict[str, Any]]:
    """The rules of the stage's web ACL: CLOUDFRONT scope, in the edge stack (us-east-1); the stage stack has
    none of its own (an HTTP API cannot have one)."""
    assert not synthesized.resources(stage, "AWS::WAFv2::WebACL")
    (acl,) = synthesized.edge_resources(stage, "AWS::WAFv2::WebACL").values()
    assert acl["Properties"]["Scope"] == "CLOUDFRONT"
    return {r["Name"]: r for r in acl["Properties"]["Rules"]}


@pytest.mark.parametrize("stage", STAGES)
def test_waf_inspects_exactly_the_bodies_the_app_accepts(synthesized, stage):
    from chalicelib.config import MAX_BODY_BYTES
    from infra.config import WAF_BODY_INSPECTION_BYTES

    size = _web_acl_rules(synthesized, stage)["body-size"]["Statement"]["SizeConstraintStatement"]
    assert size["Size"] == MAX_BODY_BYTES == WAF_BODY_INSPECTION_BYTES == 16 * 1024
    assert size["FieldToMatch"]["Body"]["OversizeHandling"] == "MATCH"  # what WAF cannot see is blocked
    for function in _functions(synthesized, stage).values():
        assert _env(function)["MAX_BODY_BYTES"] == str(MAX_BODY_BYTES)


def test_an_app_limit_above_what_waf_inspects_is_refused_at_synth():
    from dataclasses import replace

    from infra.config import stage_config

    assert stage_config("prod").max_body_bytes == 16384
    with pytest.raises(ValueError, match="WAF inspects"):
        replace(stage_config("dev"), max_body_bytes=65536)


@pytest.mark.parametrize("stage", STAGES)
def test_waf_has_the_managed_rule_groups_a_track_rate_rule_and_logging(synthesized, stage):
    rules = _web_acl_rules(synthesized, stage)
    for group in ("AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"):
        statement = rules[group]["Statement"]["ManagedRuleGroupStatement"]
        assert statement["VendorName"] == "AWS" and statement["Name"] == group
        assert rules[group]["OverrideAction"] == {"None": {}}  # the group's own block actions apply
    overrides = rules["AWSManagedRulesCommonRuleSet"]["Statement"]["ManagedRuleGroupStatement"][
        "RuleActionOverrides"]
    assert overrides == [{"Name": "SizeRestrictions_BODY", "ActionToUse": {"Count": {}}}]
    track = rules["track-rate-per-ip"]
    rate = track["Statement"]["RateBasedStatement"]
    assert track["Action"] == {"Block": {}} and rate["AggregateKeyType"] == "IP"
    assert rate["Limit"] == 100 and rate["EvaluationWindowSec"] == 300
    match = rate["ScopeDownStatement"]["ByteMatchStatement"]
    assert match["SearchString"] == "/api/track/" and match["PositionalConstraint"] == "STARTS_WITH"
    assert "UriPath" in match["FieldToMatch"]
    assert rate["Limit"] < rules["rate-per-ip"]["Statement"]["RateBasedStatement"]["Limit"]
    (logging,) = synthesized.edge_resources(stage, "AWS::WAFv2::LoggingConfiguration").values()
    (destination,) = logging["Properties"]["LogDestinationConfigs"]
    assert f"log-group:aws-waf-logs-kc-{stage}-edge" in json.dumps(destination)
    (group,) = synthesized.edge_resources(stage, "AWS::Logs::LogGroup").values()
    assert group["Properties"]["LogGroupName"] == f"aws-waf-logs-kc-{stage}-edge"
    assert "KmsKeyId" in group["Properties"] and group["Properties"]["RetentionInDays"] >= 30
    redacted = logging["Properties"]["RedactedFields"]
    assert {"SingleHeader": {"Name": "authorization"}} in redacted and {"QueryString": {}} in redacted


# ---------------------------------------------------------------- operations


def test_the_api_gateway_account_setting_is_made_once_by_the_account_stack(synthesized):
    for stage in STAGES:
        assert not synthesized.resources(stage, "AWS::ApiGateway::Account"), stage
    account = json.loads((synthesized.outdir / "cross-city-account.template.json").read_text("utf-8"))
    (setting,) = [r for r in account["Resources"].values() if r["Type"] == "AWS::ApiGateway::Account"]
    assert "CloudWatchRoleArn" in setting["Properties"]


def test_a_prod_stack_without_an_alarm_subscription_carries_an_error_that_cdk_deploy_refuses(synthesized):
    def errors(stack: str) -> list[str]:
        metadata = json.loads((synthesized.outdir / f"{stack}.metadata.json").read_text("utf-8"))
        return [str(entry["data"]) for entries in metadata.values() for entry in entries
                if entry["type"] == "aws:cdk:error"]

    assert any("alarm subscription" in e for e in errors("kc-prod"))
    assert not errors("kc-dev")


@pytest.mark.parametrize("stage", STAGES)
def test_concurrency_is_reserved_for_the_api_and_capped_for_the_consumers(synthesized, stage):
    from infra.config import stage_config

    config = stage_config(stage)
    functions = _functions(synthesized, stage)
    assert functions["APIHandler"]["ReservedConcurrentExecutions"] == config.api_reserved_concurrency
    for name, function in functions.items():
        assert function.get("ReservedConcurrentExecutions"), name
        for event in (function.get("Events") or {}).values():
            if event["Type"] == "SQS":
                cap = event["Properties"]["ScalingConfig"]["MaximumConcurrency"]
                assert cap == config.consumer_max_concurrency == function["ReservedConcurrentExecutions"], name
    consumers = sum(f["ReservedConcurrentExecutions"] for n, f in functions.items() if n != "APIHandler")
    assert consumers < config.api_reserved_concurrency


@pytest.mark.parametrize("stage", STAGES)
def test_the_scheduled_sweep_has_a_failure_destination_with_an_alarm(synthesized, stage):
    sweep = _functions(synthesized, stage)["Sweep"]
    queue_id = sweep["DeadLetterQueue"]["TargetArn"]["Fn::GetAtt"][0]
    queue = synthesized.templates[stage]["Resources"][queue_id]
    assert queue["Properties"]["QueueName"] == f"kc-{stage}-sweep-failures"
    assert "KmsMasterKeyId" in queue["Properties"]
    sends = [s for s in _role_statements(synthesized, stage, "Sweep") if "sqs:SendMessage" in _actions(s)]
    assert [s["Resource"] for s in sends] == [{"Fn::GetAtt": [queue_id, "Arn"]}]
    alarms = [a["Properties"] for a in synthesized.resources(stage, "AWS::CloudWatch::Alarm").values()]
    assert any(a["AlarmName"] == f"kc-{stage}-sweep-failures" for a in alarms)


# ---------------------------------------------------------------- least privilege


def _names_by_logical_id(synthesized: Synthesized, stage: str, type_: str, prop: str) -> dict[str, str]:
    prefix = f"kc-{stage}-"
    return {k: v["Properties"][prop].removeprefix(prefix) for k, v in synthesized.resources(stage, type_).items()}


def _resource_ids(resource: Any) -> list[str]:
    """The logical ids a statement's Resource refers to (Ref, GetAtt, or inside Fn::Join)."""
    text = json.dumps(resource)
    return sorted(set(re.findall(r'"(?:Ref|Fn::GetAtt)": \[?"([A-Za-z0-9]+)"', text)))


@pytest.mark.parametrize("stage", STAGES)
def test_each_role_names_exactly_the_tables_and_actions_its_handlers_use(synthesized, stage):
    from chalicelib.adapters.messaging import topic_variable
    from chalicelib.grants import GRANTS

    tables = _names_by_logical_id(synthesized, stage, "AWS::DynamoDB::Table", "TableName")
    queues = _names_by_logical_id(synthesized, stage, "AWS::SQS::Queue", "QueueName")
    topics = _names_by_logical_id(synthesized, stage, "AWS::SNS::Topic", "TopicName")
    functions = _functions(synthesized, stage)
    assert set(functions) == set(GRANTS)
    for name in functions:
        grant = GRANTS[name]
        table_actions: dict[str, set[str]] = {}
        sends: set[str] = set()
        publishes: set[str] = set()
        for statement in _role_statements(synthesized, stage, name):
            actions = _actions(statement)
            assert not any(a.startswith("kms:ReEncrypt") for a in actions), name
            ids = _resource_ids(statement.get("Resource"))
            dynamo = [a for a in actions if a.startswith("dynamodb:") and a not in (
                "dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams")]
            for table in (tables[i] for i in ids if i in tables):
                if dynamo:
                    table_actions.setdefault(table, set()).update(dynamo)
            if "sqs:SendMessage" in actions:
                sends |= {queues[i] for i in ids if i in queues}
            if "sns:Publish" in actions and "Resource" in statement:
                publishes |= {topics[i] for i in ids if i in topics}
        expected = {t: set(grant.table_actions(t)) for t in grant.tables}
        assert table_actions == expected, name
        own_failure_queues = {"outbox-stream-failures", "sweep-failures"}
        assert sends - own_failure_queues == set(grant.send), name
        assert publishes == set(grant.publish), name
        # The runtime creates no topic: each publisher finds its topics' ARNs in its environment.
        assert not any("sns:CreateTopic" in _actions(st) for st in _role_statements(synthesized, stage, name)), name
        env = _env(functions[name])
        topic_ids = {v: k for k, v in topics.items()}
        for topic in grant.publish:
            assert env[topic_variable(topic)] == {"Ref": topic_ids[topic]}, name
        assert not any(k.startswith("TOPIC_ARN_") and k not in {topic_variable(t) for t in grant.publish}
                       for k in env), name


def test_the_relay_sends_only_to_the_queues_it_feeds_and_the_api_to_courier_events():
    from chalicelib.grants import GRANTS, RELAY_QUEUES
    from chalicelib.services.outbox_relay import RELAY

    assert set(RELAY_QUEUES) == {"routing", "tickets", "notifications"}
    assert {q for to in RELAY.values() for q in to.queues} | {"notifications"} == set(RELAY_QUEUES)
    assert "courier-events" not in GRANTS["RelayOutbox"].send
    assert GRANTS["APIHandler"].send == ("courier-events",)
    assert not GRANTS["RelayOutbox"].tables
    # Only the API takes applications and queries (idempotency, counters); it reads parcels and never touches
    # sent SMS; only the SMS consumer does. The access log: the API and the router (秒批 logs its record reads),
    # which only adds entries.
    assert [f for f, g in GRANTS.items() if {"idempotency", "counters"} & set(g.tables)] == ["APIHandler"]
    assert [f for f, g in GRANTS.items() if "access-log" in g.tables] == ["APIHandler", "RouteParcels"]
    assert GRANTS["RouteParcels"].tables["access-log"] == "w"
    assert GRANTS["APIHandler"].tables["shipments"] == "r"
    assert [f for f, g in GRANTS.items() if "notifications" in g.tables] == ["SendNotifications"]


# ---------------------------------------------------------------- the user pool


@pytest.mark.parametrize("stage", STAGES)
def test_the_user_pool_requires_totp_and_enforces_threat_protection_where_offered(synthesized, stage):
    (pool,) = synthesized.resources(stage, "AWS::Cognito::UserPool").values()
    props = pool["Properties"]
    assert props["MfaConfiguration"] == "ON" and props["EnabledMfas"] == ["SOFTWARE_TOKEN_MFA"]
    assert props["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True  # every account: staff, by admins
    condition, china, elsewhere = props["UserPoolAddOns"]["Fn::If"]
    assert elsewhere == {"AdvancedSecurityMode": "ENFORCED"} and china == {"Ref": "AWS::NoValue"}
    assert props["UserPoolTier"]["Fn::If"] == [condition, {"Ref": "AWS::NoValue"}, "PLUS"]
    assert synthesized.templates[stage]["Conditions"][condition] == {
        "Fn::Equals": [{"Ref": "AWS::Partition"}, "aws-cn"]}


@pytest.mark.parametrize("stage", STAGES)
def test_the_api_reads_its_application_key_from_secrets_manager(synthesized, stage):
    """Walk-in subjects and list cursors are keyed with a secret of the stage: the API gets its ARN (never the
    value) and may read that one secret; no other function gets it."""
    functions = {k: v["Properties"] for k, v in synthesized.resources(stage, "AWS::Serverless::Function").items()}
    secrets = synthesized.resources(stage, "AWS::SecretsManager::Secret")
    [app_secret] = [k for k, v in secrets.items() if str(v["Properties"].get("Name", "")).endswith("app-secret")]
    env = dict(functions["APIHandler"].get("Environment", {}).get("Variables", {}))
    assert env["APP_SECRET_ARN"] == {"Ref": app_secret}
    for name, function in functions.items():
        if name != "APIHandler":
            assert "APP_SECRET_ARN" not in function.get("Environment", {}).get("Variables", {}), name


# ---------------------------------------------------------------- the edge: CloudFront, its web ACL, the origin


def _distribution(synthesized: Synthesized, stage: str) -> dict[str, Any]:
    (distribution,) = synthesized.resources(stage, "AWS::CloudFront::Distribution").values()
    return dict(distribution["Properties"]["DistributionConfig"])


def test_the_web_acl_is_made_in_us_east_1_and_only_a_cloudfront_acl_fits_the_distribution(synthesized):
    from infra.console import WEB_ACL_PATTERN

    manifest = json.loads((synthesized.outdir / "manifest.json").read_text("utf-8"))
    for stage in STAGES:
        assert manifest["artifacts"][f"kc-{stage}-edge"]["environment"].endswith("/us-east-1")
        outputs = synthesized.edges[stage]["Outputs"]
        (acl_id,) = synthesized.edge_resources(stage, "AWS::WAFv2::WebACL")
        assert outputs["WebAclArn"]["Value"] == {"Fn::GetAtt": [acl_id, "Arn"]}
        parameter = synthesized.templates[stage]["Parameters"]["EdgeWebAclArn"]
        assert parameter["AllowedPattern"] == WEB_ACL_PATTERN and "Default" not in parameter  # never without one
        assert _distribution(synthesized, stage)["WebACLId"] == {"Ref": "EdgeWebAclArn"}
    pattern = re.compile(WEB_ACL_PATTERN)
    global_acl = "arn:aws:wafv2:us-east-1:123456789012:global/webacl/kc-prod-edge/a1b2c3d4-5678-90ab-cdef-1234567890ab"
    assert pattern.match(global_acl)
    assert pattern.match(global_acl.replace("arn:aws:", "arn:aws-cn:").replace("us-east-1", "cn-north-1"))
    assert not pattern.match(global_acl.replace("global/", "regional/"))  # an ACL CloudFront cannot use
    assert not pattern.match("")


@pytest.mark.parametrize("stage", STAGES)
def test_the_api_is_served_under_api_by_the_consoles_distribution_never_cached(synthesized, stage):
    resources = synthesized.templates[stage]["Resources"]
    config = _distribution(synthesized, stage)
    (behavior,) = [b for b in config["CacheBehaviors"] if b["PathPattern"] == "/api/*"]
    assert set(behavior["AllowedMethods"]) == {"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"}
    assert behavior["ViewerProtocolPolicy"] == "https-only"  # a redirect would turn a POST into a GET
    cache = resources[behavior["CachePolicyId"]["Ref"]]["Properties"]["CachePolicyConfig"]
    assert (cache["MinTTL"], cache["DefaultTTL"], cache["MaxTTL"]) == (0, 0, 0)
    forwarded = resources[behavior["OriginRequestPolicyId"]["Ref"]]["Properties"]["OriginRequestPolicyConfig"]
    # Every viewer header but Host (API Gateway refuses a Host not its own), Authorization included; the
    # query string (the tracking code, paging); no cookies.
    assert forwarded["HeadersConfig"] == {"HeaderBehavior": "allExcept", "Headers": ["Host"]}
    assert forwarded["QueryStringsConfig"] == {"QueryStringBehavior": "all"}
    assert forwarded["CookiesConfig"] == {"CookieBehavior": "none"}
    (origin,) = [o for o in config["Origins"] if o["Id"] == behavior["TargetOriginId"]]
    (api_id,) = synthesized.resources(stage, "AWS::ApiGatewayV2::Api")
    assert origin["DomainName"]["Fn::Join"][1][:2] == [{"Ref": api_id}, ".execute-api."]
    assert origin["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
    assert origin["CustomOriginConfig"]["OriginSSLProtocols"] == ["TLSv1.2"]
    # The SPA fallback is a function on the default behaviour: distribution-wide error pages would turn the
    # API's own 403 and 404 into index.html.
    assert "CustomErrorResponses" not in config
    assert "FunctionAssociations" not in behavior


@pytest.mark.parametrize("stage", STAGES)
def test_cloudfront_adds_the_origin_secret_that_the_api_function_checks(synthesized, stage):
    from chalicelib.api.origin import HEADER

    secrets = synthesized.resources(stage, "AWS::SecretsManager::Secret")
    (secret_id,) = [k for k, v in secrets.items() if v["Properties"]["Name"] == f"kc-{stage}-origin-verify"]
    generated = secrets[secret_id]["Properties"]["GenerateSecretString"]
    assert generated["PasswordLength"] >= 32 and "KmsKeyId" in secrets[secret_id]["Properties"]
    config = _distribution(synthesized, stage)
    (behavior,) = [b for b in config["CacheBehaviors"] if b["PathPattern"] == "/api/*"]
    (origin,) = [o for o in config["Origins"] if o["Id"] == behavior["TargetOriginId"]]
    (header,) = origin["OriginCustomHeaders"]
    assert header["HeaderName"].lower() == HEADER
    # A dynamic reference, resolved by CloudFormation at deploy time: the value is in no template.
    assert header["HeaderValue"] == {"Fn::Join": ["", ["{{resolve:secretsmanager:", {"Ref": secret_id},
                                                       ":SecretString:::}}"]]}
    # The S3 origin gets no such header; the API function gets the secret's ARN, never its value.
    assert all("OriginCustomHeaders" not in o for o in config["Origins"] if o is not origin)
    env = _env(_functions(synthesized, stage)["APIHandler"])
    assert env["ORIGIN_SECRET_ARN"] == {"Ref": secret_id}
    assert "ORIGIN_CHECK_EXEMPTS_REST" not in env  # only while a REST API is kept for a migration
    assert "resolve:secretsmanager" not in json.dumps(_functions(synthesized, stage))


@pytest.mark.parametrize("stage", STAGES)
def test_the_jwt_authorizer_checks_the_pools_issuer_and_the_accepted_clients_as_audience(synthesized, stage):
    (authorizer,) = synthesized.resources(stage, "AWS::ApiGatewayV2::Authorizer").values()
    props = authorizer["Properties"]
    assert props["AuthorizerType"] == "JWT"
    assert props["IdentitySource"] == ["$request.header.Authorization"]
    (pool_id,) = synthesized.resources(stage, "AWS::Cognito::UserPool")
    assert props["JwtConfiguration"]["Issuer"] == {"Fn::Join": ["", [
        "https://cognito-idp.", {"Ref": "AWS::Region"}, ".", {"Ref": "AWS::URLSuffix"}, "/", {"Ref": pool_id}]]}
    # The audience is exactly the stage's accepted app clients: the same list the app checks again
    # (AUTH_CLIENT_IDS, chalicelib/api/auth.py), every client of the pool this stack makes, no other.
    audience = props["JwtConfiguration"]["Audience"]
    clients = _env(_functions(synthesized, stage)["APIHandler"])["AUTH_CLIENT_IDS"]
    accepted = clients["Fn::Join"][1] if "Fn::Join" in clients else [clients]
    assert audience == accepted
    assert {a["Ref"] for a in audience} == set(synthesized.resources(stage, "AWS::Cognito::UserPoolClient"))

