"""API and functions: the Chalice app packaged by ``chalice package`` and included in the stack, with one
least-privilege role per function (made from chalicelib/grants.py) and one log group per function, its event
sources pointed at the real queues and the outbox stream, an authorizer for the identity provider,
concurrency limits, throttling, a request-size limit and the web ACL."""
from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from typing import Any

from aws_cdk import Acknowledgment, Aws, CfnCondition, CfnOutput, Duration, Fn, RemovalPolicy, Validations
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_wafv2 as wafv2
from chalice import api as chalice_api
from chalice.cdk import Chalice
from constructs import Construct

from .config import PUBLIC_ROUTES, ROOT, StageConfig
from .data import DataConstruct
from .package import package_size, slim_zip
from .queues import QueuesConstruct

STAGE_CONTEXT = "crossCity:chaliceStage"
AUTHORIZER = "IdentityProvider"
# chalice needs a role ARN when it does not manage roles; every function's Role is replaced below.
PLACEHOLDER_ROLE = "arn:aws:iam::000000000000:role/replaced-by-cdk"

STREAM_ACTIONS = ("dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator",
                  "dynamodb:ListStreams")
CONSUME_ACTIONS = ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility",
                   "sqs:GetQueueAttributes")
SEND_ACTIONS = ("sqs:SendMessage", "sqs:GetQueueUrl")
# A publisher finds its topic's ARN in its environment (TOPIC_ARN_<NAME>, set below): it creates nothing.
PUBLISH_ACTIONS = ("sns:Publish",)
# What DynamoDB, SQS, SNS, Secrets Manager and Lambda (the environment) need of the stage key to encrypt and
# decrypt for a function, spelled out; no ReEncrypt: a function never moves data between keys.
KEY_ACTIONS = ("kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext",
               "kms:DescribeKey")


# checkov findings accepted on the functions, with the reason (tests/infra/test_checkov.py reads them).
CHECKOV_NO_VPC = {"id": "CKV_AWS_117", "comment": (
    "The functions reach only AWS APIs (DynamoDB, SQS, SNS, KMS, Secrets Manager) over TLS with IAM; a VPC "
    "would add NAT gateways or endpoints and cold-start time and protect nothing the roles do not.")}
CHECKOV_SYNCHRONOUS = {"id": "CKV_AWS_116", "comment": (
    "Invoked synchronously (API Gateway, SQS and stream event source mappings), never asynchronously, so an "
    "async dead-letter queue would never receive anything; failed messages go to each queue's DLQ and failed "
    "stream records to the outbox-stream-failures queue. The scheduled sweep, invoked asynchronously, has one.")}


# Where this process had `chalice package` write (chalice.out/<uuid>); removed after synth (infra/app.py).
PACKAGE_DIRS: list[Path] = []


class ChaliceApp(Chalice):
    """Chalice's construct, packaging the stage named in the context (not the scope's path), importing a
    fresh ``app`` for each stage, and removing what the Lambda runtime provides from the package."""

    package_dir: Path
    sam: dict[str, Any]

    def _package_app(self) -> None:
        stage = self.node.try_get_context(STAGE_CONTEXT)
        self.stage_name = stage
        # app.py reads its settings at import (queue names in decorators): each stage needs a fresh import.
        for module in [m for m in sys.modules if m == "app" or m.startswith("chalicelib")]:
            del sys.modules[module]
        os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")  # chalice needs one; none reaches the template
        chalice_api.package_app(project_dir=self.source_dir, output_dir=self._sam_package_dir, stage=stage,
                                chalice_config=self.stage_config)
        self.package_dir = Path(self._sam_package_dir)
        PACKAGE_DIRS.append(self.package_dir)
        for zipped in self.package_dir.glob("*.zip"):
            slim_zip(zipped)
        self.sam = json.loads((self.package_dir / "sam.json").read_text("utf-8"))

    def functions(self) -> dict[str, dict[str, Any]]:
        return {k: v for k, v in self.sam["Resources"].items() if v["Type"] == "AWS::Serverless::Function"}

    def sizes(self) -> dict[str, int]:
        return package_size(self.package_dir)


class ServiceConstruct(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, config: StageConfig, data: DataConstruct,
                 queues: QueuesConstruct) -> None:
        super().__init__(scope, construct_id)
        self.config, self.data, self.queues = config, data, queues
        self.node.set_context(STAGE_CONTEXT, config.stage)
        self.app = ChaliceApp(self, "App", source_dir=str(ROOT), stage_config={
            "api_gateway_endpoint_type": "REGIONAL",  # edge-optimized endpoints do not exist in aws-cn
            "manage_iam_role": False,
            "iam_role_arn": PLACEHOLDER_ROLE,
        })
        self.courier_secret = secretsmanager.Secret(
            self, "CourierWebhookSecret", secret_name=config.name("courier-webhook-secret"),
            description="HMAC-SHA256 key of the courier webhook (X-Signature); shared with the courier",
            generate_secret_string=secretsmanager.SecretStringGenerator(password_length=48,
                                                                        exclude_punctuation=True),
            encryption_key=data.key,
            removal_policy=RemovalPolicy.RETAIN if config.production else RemovalPolicy.DESTROY,
        )
        Validations.of(self.courier_secret).acknowledge(Acknowledgment(
            id="AwsSolutions::AwsSolutions-SMG4",
            reason="The webhook key is shared with the courier company and rotated together with them "
                   "(infra/README.md); an automatic rotation would break the webhook."))
        # The application key (walk-in applicant subjects, list cursors: chalicelib/adapters/secrets.py), read
        # by the API at run time and cached; never in the environment.
        self.app_secret = secretsmanager.Secret(
            self, "AppSecret", secret_name=config.name("app-secret"),
            description="Application HMAC key: walk-in applicant subjects and list cursors (API only)",
            generate_secret_string=secretsmanager.SecretStringGenerator(password_length=64,
                                                                        exclude_punctuation=True),
            encryption_key=data.key,
            removal_policy=RemovalPolicy.RETAIN if config.production else RemovalPolicy.DESTROY,
        )
        Validations.of(self.app_secret).acknowledge(Acknowledgment(
            id="AwsSolutions::AwsSolutions-SMG4",
            reason="Rotating the application key only changes the subjects of walk-in applicants entered "
                   "afterwards and ends open list cursors; it is rotated by hand (infra/README.md)."))
        # The provincial licence library's endpoint and credentials (JSON {"endpoint", "app_id", "key"}), issued
        # by the provincial service and put here by the operator (chalicelib/adapters/licences.py). Until then the
        # generated value lacks them and every lookup fails closed: the paper way.
        self.licence_secret = secretsmanager.Secret(
            self, "LicenceServiceSecret", secret_name=config.name("licence-service"),
            description="Endpoint and signing key of the provincial licence library (电子证照)",
            generate_secret_string=secretsmanager.SecretStringGenerator(
                secret_string_template='{"endpoint": "", "app_id": ""}', generate_string_key="key",
                password_length=48, exclude_punctuation=True),
            encryption_key=data.key,
            removal_policy=RemovalPolicy.RETAIN if config.production else RemovalPolicy.DESTROY,
        )
        Validations.of(self.licence_secret).acknowledge(Acknowledgment(
            id="AwsSolutions::AwsSolutions-SMG4",
            reason="The key is issued by the provincial licence service and rotated with it (infra/README.md)."))
        # The scheduled sweep is invoked asynchronously: what fails for good lands here (alarmed, monitoring).
        self.sweep_failures = sqs.Queue(
            self, "SweepFailures", queue_name=config.name("sweep-failures"), retention_period=Duration.days(14),
            encryption=sqs.QueueEncryption.KMS, encryption_master_key=data.key, enforce_ssl=True,
            removal_policy=RemovalPolicy.DESTROY,
        )
        Validations.of(self.sweep_failures).acknowledge(Acknowledgment(
            id="AwsSolutions::AwsSolutions-SQS3",
            reason="This queue is a failure destination itself (the sweep's failed invocations); the next "
                   "sweep, five minutes later, redoes the work anyway."))
        self.function_names: dict[str, str] = {}
        self.log_groups: dict[str, logs.LogGroup] = {}
        self.roles: dict[str, iam.Role] = {}
        self.sqs_sources: dict[str, str] = {}  # function → queue logical
        # The app clients whose tokens the API accepts (AUTH_CLIENT_IDS; chalicelib.api.auth checks aud or
        # client_id): the stack's own app client, any named in the context (appClientIds), and those other
        # constructs add with accept_client (the console's).
        self.accepted_clients: list[str] = list(config.app_client_ids)
        for logical, resource in self.app.functions().items():
            self._function(logical, resource)
        self._publish_clients()
        self._api()

    # ---------------------------------------------------------------- functions

    def _function(self, logical: str, resource: dict[str, Any]) -> None:
        config = self.config
        name = config.name("api" if logical == "APIHandler" else _kebab(logical))
        self.function_names[logical] = name
        statements: list[iam.PolicyStatement] = []
        cfn = self.app.get_resource(logical)
        overrides: dict[str, Any] = {"FunctionName": name, "KmsKeyArn": self.data.key.key_arn}
        if logical == "APIHandler":
            overrides["ReservedConcurrentExecutions"] = config.api_reserved_concurrency
        for event_name, event in (resource["Properties"].get("Events") or {}).items():
            path = f"Properties.Events.{event_name}.Properties"
            if event["Type"] == "SQS":
                queue_logical = self._queue_of(event["Properties"]["Queue"])
                spec, queue = self.queues.specs[queue_logical], self.queues.queues[queue_logical]
                self.sqs_sources[logical] = queue_logical
                overrides[f"{path}.Queue"] = queue.queue_arn
                overrides[f"{path}.FunctionResponseTypes"] = ["ReportBatchItemFailures"]
                # Shorter than the queue's visibility timeout, so no message is redelivered mid-batch.
                overrides["Timeout"] = spec.handler_timeout_seconds
                # The event source never polls beyond what the function may run: no throttled batch is put
                # back on the queue (and counted towards its DLQ) for want of concurrency.
                overrides[f"{path}.ScalingConfig"] = {"MaximumConcurrency": config.consumer_max_concurrency}
                overrides["ReservedConcurrentExecutions"] = config.consumer_max_concurrency
                statements.append(_allow(CONSUME_ACTIONS, [queue.queue_arn]))
            elif event["Type"] == "DynamoDB":
                table = self.data.tables[self._table_of_stream(event["Properties"]["Stream"])]
                stream_arn = table.table_stream_arn
                assert stream_arn is not None, f"{table} has no stream"
                overrides[f"{path}.Stream"] = stream_arn
                overrides[f"{path}.FunctionResponseTypes"] = ["ReportBatchItemFailures"]
                overrides[f"{path}.BisectBatchOnFunctionError"] = True
                overrides[f"{path}.MaximumRetryAttempts"] = 10
                overrides[f"{path}.DestinationConfig"] = {
                    "OnFailure": {"Type": "SQS", "Destination": self.queues.stream_failures.queue_arn}}
                statements.append(_allow(STREAM_ACTIONS, [stream_arn]))
                statements.append(_allow(["sqs:SendMessage"], [self.queues.stream_failures.queue_arn]))
                overrides["ReservedConcurrentExecutions"] = config.relay_reserved_concurrency
            elif event["Type"] == "Schedule":
                overrides[f"{path}.Name"] = config.name(_kebab(logical))
                overrides[f"{path}.Description"] = f"{name} on its schedule (app.py)"
                # One sweep at a time; an invocation that fails after Lambda's own two retries is kept.
                overrides["ReservedConcurrentExecutions"] = 1
                overrides["DeadLetterQueue"] = {"Type": "SQS", "TargetArn": self.sweep_failures.queue_arn}
                statements.append(_allow(["sqs:SendMessage"], [self.sweep_failures.queue_arn]))

        from chalicelib.grants import GRANTS

        grant = GRANTS[logical]  # a function without a grant fails synth here: chalicelib/grants.py names it
        by_actions: dict[tuple[str, ...], list[str]] = {}
        for table in sorted(grant.tables):
            by_actions.setdefault(grant.table_actions(table), []).extend(self.data.table_and_index_arns(table))
        statements += [_allow(actions, arns) for actions, arns in by_actions.items()]
        statements.append(_allow(KEY_ACTIONS, [self.data.key.key_arn]))
        if grant.send:
            statements.append(_allow(SEND_ACTIONS, [self.queues.queues[q].queue_arn for q in grant.send]))
        if grant.publish:
            statements.append(_allow(PUBLISH_ACTIONS, [self.queues.topics[t].topic_arn for t in grant.publish]))
            from chalicelib.adapters.messaging import topic_variable

            for topic in grant.publish:
                overrides[f"Environment.Variables.{topic_variable(topic)}"] = self.queues.topics[topic].topic_arn
        if grant.sms:
            # An SMS to a phone number has no resource ARN; NotResource allows exactly that and no topic.
            statements.append(iam.PolicyStatement(
                actions=["sns:Publish"], not_resources=[f"arn:{Aws.PARTITION}:sns:*:*:*"]))
        # Keys are read at run time (chalicelib.adapters.courier.webhook_secret, chalicelib.adapters.secrets,
        # cached): an environment variable would show them to anyone who may read the function's configuration.
        known = {"courier-webhook-secret": ("COURIER_WEBHOOK_SECRET_ARN", self.courier_secret),
                 "app-secret": ("APP_SECRET_ARN", self.app_secret),
                 "licence-service": ("LICENCE_SERVICE_SECRET_ARN", self.licence_secret)}
        assert set(grant.secrets) <= set(known), f"the stack makes only {sorted(known)}"
        for secret_name in grant.secrets:
            variable, secret = known[secret_name]
            overrides[f"Environment.Variables.{variable}"] = secret.secret_arn
            statements.append(_allow(["secretsmanager:GetSecretValue"], [secret.secret_arn]))

        log_group = self._log_group(f"{logical}Logs", f"/aws/lambda/{name}")
        self.log_groups[logical] = log_group
        statements.append(_allow(["logs:CreateLogStream", "logs:PutLogEvents"],
                                 [log_group.log_group_arn]))
        role = iam.Role(
            self, f"{logical}Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"{name}: only what this function touches",
            inline_policies={"access": iam.PolicyDocument(statements=statements)},
        )
        self.roles[logical] = role
        overrides["Role"] = role.role_arn
        skips = [CHECKOV_NO_VPC] if "DeadLetterQueue" in overrides else [CHECKOV_NO_VPC, CHECKOV_SYNCHRONOUS]
        cfn.add_override("Metadata.checkov.skip", skips)
        for key, value in overrides.items():
            cfn.add_override(key if key.startswith("Properties.") else f"Properties.{key}", value)
        cfn.add_resource_dependency(log_group.node.default_child)  # type: ignore[arg-type]

    def _log_group(self, construct_id: str, name: str) -> logs.LogGroup:
        """A log group with the stage's retention, encrypted with the stage key."""
        return logs.LogGroup(
            self, construct_id, log_group_name=name, retention=_retention(self.config.log_retention_days),
            encryption_key=self.data.key,
            removal_policy=RemovalPolicy.RETAIN if self.config.production else RemovalPolicy.DESTROY,
        )

    def _queue_of(self, arn: Any) -> str:
        text = arn["Fn::Sub"] if isinstance(arn, dict) else str(arn)
        name = text.rsplit(":", 1)[-1]
        logical = name.removeprefix(self.config.resource_prefix + "-")
        if logical not in self.queues.queues:
            raise ValueError(f"handler listens to {name}, which is not in chalicelib.adapters.messaging.QUEUES")
        return logical

    def _table_of_stream(self, arn: str) -> str:
        match = re.search(r":table/([^/]+)/stream", arn)
        logical = match.group(1).removeprefix(self.config.resource_prefix + "-") if match else ""
        if logical not in self.data.tables:
            raise ValueError(f"stream {arn} is not the stream of an application table")
        return logical

    # ---------------------------------------------------------------- API

    def _api(self) -> None:
        config = self.config
        api = self.app.get_resource("RestAPI")
        body = self.app.sam["Resources"]["RestAPI"]["Properties"]["DefinitionBody"]
        self.user_pool, provider_arn = self._identity_provider()
        api.add_override(f"Properties.DefinitionBody.securityDefinitions.{AUTHORIZER}", {
            "type": "apiKey", "name": "Authorization", "in": "header",
            "x-amazon-apigateway-authtype": "cognito_user_pools",
            "x-amazon-apigateway-authorizer": {"type": "cognito_user_pools", "providerARNs": [provider_arn]},
        })
        self.protected_operations: list[tuple[str, str]] = []
        for path, operations in body["paths"].items():
            if path in PUBLIC_ROUTES:
                continue
            for method in operations:
                if method.startswith("x-") or method == "options":
                    continue
                api.add_override(f"Properties.DefinitionBody.paths.{path}.{method}.security",
                                 [{AUTHORIZER: []}])
                self.protected_operations.append((method.upper(), path))
        api.add_override("Properties.DefinitionBody.x-amazon-apigateway-gateway-responses", _gateway_responses())
        self.access_logs = self._log_group("ApiAccessLogs", f"/aws/apigateway/{config.resource_prefix}-api")
        api.add_override("Properties.MethodSettings", [{
            "ResourcePath": "/*", "HttpMethod": "*", "MetricsEnabled": True, "LoggingLevel": "ERROR",
            "DataTraceEnabled": False,
            "ThrottlingRateLimit": config.api_throttle_rate, "ThrottlingBurstLimit": config.api_throttle_burst,
        }])
        api.add_override("Properties.AccessLogSetting", {
            "DestinationArn": self.access_logs.log_group_arn,
            "Format": json.dumps({
                "requestId": "$context.requestId", "ip": "$context.identity.sourceIp",
                "method": "$context.httpMethod", "path": "$context.resourcePath", "status": "$context.status",
                "latencyMs": "$context.responseLatency", "bytes": "$context.responseLength",
                "waf": "$context.wafResponseCode", "authError": "$context.authorizer.error",
            }),
        })
        api.add_override("Properties.Name", config.name("api"))
        api.add_override("Metadata.checkov.skip", [{"id": "CKV_AWS_120", "comment": (
            "No response cache: answers are per caller (role, office, own cases) and carry personal data, so a "
            "cache keyed on the path would hand one caller's answer to another.")}])
        api.add_override("Properties.TracingEnabled", True)  # X-Ray: where a slow or failed request spent its time
        self._web_acl()
        self.api_url = (f"https://{api.ref}.execute-api.{Aws.REGION}.{Aws.URL_SUFFIX}/"
                        f"{config.api_stage_name}/")
        CfnOutput(self, "ApiUrl", value=self.api_url, description="base URL of the API")

    def accept_client(self, client_id: str) -> None:
        """Let tokens of this app client of the user pool through the API (its id may be a token)."""
        self.accepted_clients.append(client_id)
        self._publish_clients()

    def _publish_clients(self) -> None:
        # None listed (an existing pool and no appClientIds): the API answers every request 401.
        self.app.get_resource("APIHandler").add_override(
            "Properties.Environment.Variables.AUTH_CLIENT_IDS",
            Fn.join(",", self.accepted_clients) if self.accepted_clients else "")

    def _identity_provider(self) -> tuple[cognito.IUserPool, str]:
        config = self.config
        if config.user_pool_arn:
            pool = cognito.UserPool.from_user_pool_arn(self, "UserPool", config.user_pool_arn)
            return pool, config.user_pool_arn
        pool = cognito.UserPool(
            self, "UserPool", user_pool_name=config.name("users"),
            self_sign_up_enabled=False, sign_in_aliases=cognito.SignInAliases(username=True, email=True),
            password_policy=cognito.PasswordPolicy(min_length=12, require_digits=True, require_lowercase=True,
                                                   require_uppercase=True, require_symbols=True),
            # Every account of this pool is made by an administrator (no self sign-up): staff, supervisors
            # and administrators. Each signs in with a password and a TOTP code; citizens come through a
            # federated identity provider, which authenticates them itself (infra/README.md, Identity).
            mfa=cognito.Mfa.REQUIRED, mfa_second_factor=cognito.MfaSecondFactor(otp=True, sms=False),
            custom_attributes={  # the claims the app reads (chalicelib/api/auth.py), as custom:<name>
                "role": cognito.StringAttribute(mutable=True),
                "office_id": cognito.StringAttribute(mutable=True),
                "city": cognito.StringAttribute(mutable=True),
            },
            removal_policy=RemovalPolicy.RETAIN if config.production else RemovalPolicy.DESTROY,
            deletion_protection=config.production,
        )
        if config.threat_protection:
            self._threat_protection(pool)
        readable = cognito.ClientAttributes().with_standard_attributes(email=True, fullname=True) \
            .with_custom_attributes("role", "office_id", "city")
        # Users must not write their own role, office or city: only administrators set them.
        writable = cognito.ClientAttributes().with_standard_attributes(email=True, fullname=True)
        client = pool.add_client("AppClient", user_pool_client_name=config.name("app"), generate_secret=False,
                                 auth_flows=cognito.AuthFlow(user_srp=True),
                                 read_attributes=readable, write_attributes=writable,
                                 id_token_validity=Duration.hours(1), access_token_validity=Duration.hours(1))
        self.accept_client(client.user_pool_client_id)
        CfnOutput(self, "UserPoolId", value=pool.user_pool_id)
        CfnOutput(self, "UserPoolClientId", value=client.user_pool_client_id)
        return pool, pool.user_pool_arn

    def _threat_protection(self, pool: cognito.UserPool) -> None:
        """Cognito threat protection (compromised credentials, adaptive authentication), enforced, on the Plus
        feature plan, where the partition offers it: not in aws-cn, where the pool keeps the default plan. The
        template stays partition-free: a condition decides at deploy time."""
        china = CfnCondition(self, "IsChinaPartition", expression=Fn.condition_equals(Aws.PARTITION, "aws-cn"))
        cfn_pool = pool.node.default_child
        cfn_pool.add_property_override(  # type: ignore[union-attr]
            "UserPoolTier", Fn.condition_if(china.logical_id, Aws.NO_VALUE, "PLUS"))
        cfn_pool.add_property_override(  # type: ignore[union-attr]
            "UserPoolAddOns", Fn.condition_if(china.logical_id, Aws.NO_VALUE, {"AdvancedSecurityMode": "ENFORCED"}))

    def _web_acl(self) -> None:
        """The edge of the API stage: a body-size limit equal to the app's, AWS's managed rule groups (common
        rule set, known bad inputs), a per-address rate limit, a tighter one on the public /track/* route, and
        logging (without tokens or query codes)."""
        config = self.config
        waf = wafv2.CfnWebACL
        # API Gateway forwards only the first 16 KB of a body to WAF: the app's limit is at most that size
        # (StageConfig checks it), so WAF inspects the whole of every body the app accepts, and larger bodies
        # are blocked ("MATCH").
        rules = [
            waf.RuleProperty(
                name="body-size", priority=0, action=waf.RuleActionProperty(block={}),
                statement=waf.StatementProperty(size_constraint_statement=waf.SizeConstraintStatementProperty(
                    comparison_operator="GT", size=config.max_body_bytes,
                    field_to_match=waf.FieldToMatchProperty(body=waf.BodyProperty(oversize_handling="MATCH")),
                    text_transformations=[waf.TextTransformationProperty(priority=0, type="NONE")],
                )),
                visibility_config=_visibility("body-size"),
            ),
            waf.RuleProperty(
                name="rate-per-ip", priority=1, action=waf.RuleActionProperty(block={}),
                statement=waf.StatementProperty(rate_based_statement=waf.RateBasedStatementProperty(
                    limit=config.waf_requests_per_5min_per_ip, aggregate_key_type="IP")),
                visibility_config=_visibility("rate-per-ip"),
            ),
            # Query-code guessing (docs/RELIABILITY.md, the bound): the public tracking route gets its own,
            # tighter budget per address. The stage name is part of the path WAF sees.
            waf.RuleProperty(
                name="track-rate-per-ip", priority=2, action=waf.RuleActionProperty(block={}),
                statement=waf.StatementProperty(rate_based_statement=waf.RateBasedStatementProperty(
                    limit=config.waf_track_requests_per_5min_per_ip, aggregate_key_type="IP",
                    evaluation_window_sec=300,
                    scope_down_statement=waf.StatementProperty(byte_match_statement=waf.ByteMatchStatementProperty(
                        field_to_match=waf.FieldToMatchProperty(uri_path={}), positional_constraint="STARTS_WITH",
                        search_string=f"/{config.api_stage_name}/track/",
                        text_transformations=[waf.TextTransformationProperty(priority=0, type="LOWERCASE")],
                    )),
                )),
                visibility_config=_visibility("track-rate-per-ip"),
            ),
            _managed_rules("AWSManagedRulesCommonRuleSet", priority=3, count_only=(
                # Bodies: our own rule above refuses over 16 KB; the set's own limit of 8 KB would refuse valid
                # applications between 8 and 16 KB.
                "SizeRestrictions_BODY",
            )),
            _managed_rules("AWSManagedRulesKnownBadInputsRuleSet", priority=4),
        ]
        self.web_acl = waf(
            self, "WebAcl", name=config.name("api"), scope="REGIONAL",
            default_action=waf.DefaultActionProperty(allow={}),
            visibility_config=_visibility(config.name("api")), rules=rules,
        )
        # WAF writes only to log groups named aws-waf-logs-*, and takes their ARN without the trailing ":*".
        waf_log_name = f"aws-waf-logs-{config.resource_prefix}-api"
        self.waf_logs = self._log_group("WafLogs", waf_log_name)
        logging_config = wafv2.CfnLoggingConfiguration(
            self, "WafLogging", resource_arn=self.web_acl.attr_arn,
            log_destination_configs=[
                f"arn:{Aws.PARTITION}:logs:{Aws.REGION}:{Aws.ACCOUNT_ID}:log-group:{waf_log_name}"],
            # Tokens and query codes (?code=) are never written to the logs.
            redacted_fields=[
                wafv2.CfnLoggingConfiguration.FieldToMatchProperty(single_header={"Name": "authorization"}),
                wafv2.CfnLoggingConfiguration.FieldToMatchProperty(query_string={})],
        )
        logging_config.node.add_dependency(self.waf_logs)
        api = self.app.get_resource("RestAPI")
        association = wafv2.CfnWebACLAssociation(
            self, "WebAclAssociation", web_acl_arn=self.web_acl.attr_arn,
            resource_arn=(f"arn:{Aws.PARTITION}:apigateway:{Aws.REGION}::/restapis/{api.ref}"
                          f"/stages/{config.api_stage_name}"),
        )
        # The stage exists only after the SAM transform; its logical id is RestAPI<stage>Stage.
        association.add_override("DependsOn", [f"RestAPI{config.api_stage_name}Stage"])
        Validations.of(association).acknowledge(Acknowledgment(id="CloudFormation-Validate::E3005", reason=(
            "RestAPI<stage>Stage is made by the SAM transform from the RestAPI resource; cfn-lint, which "
            "applies the transform, checks this reference (tests/infra).")))


def _allow(actions: Any, resources: list[str]) -> iam.PolicyStatement:
    return iam.PolicyStatement(actions=list(actions), resources=resources)


def _managed_rules(name: str, priority: int, count_only: tuple[str, ...] = ()) -> wafv2.CfnWebACL.RuleProperty:
    """One of AWS's managed rule groups, blocking; the rules named in ``count_only`` only count."""
    waf = wafv2.CfnWebACL
    return waf.RuleProperty(
        name=name, priority=priority, override_action=waf.OverrideActionProperty(none={}),
        statement=waf.StatementProperty(managed_rule_group_statement=waf.ManagedRuleGroupStatementProperty(
            vendor_name="AWS", name=name,
            rule_action_overrides=[waf.RuleActionOverrideProperty(
                name=rule, action_to_use=waf.RuleActionProperty(count={})) for rule in count_only] or None,
        )),
        visibility_config=_visibility(name),
    )


def _visibility(name: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
    return wafv2.CfnWebACL.VisibilityConfigProperty(cloud_watch_metrics_enabled=True, metric_name=name,
                                                    sampled_requests_enabled=True)


def _gateway_responses() -> dict[str, Any]:
    """API Gateway's own refusals in the app's error shape ``{"code", "message"}``."""
    def response(status: int | None, code: str, message: str) -> dict[str, Any]:
        shaped: dict[str, Any] = {
            "responseTemplates": {"application/json": json.dumps({"code": code, "message": message})},
            "responseParameters": {"gatewayresponse.header.Content-Type": "'application/json'"},
        }
        if status is not None:
            shaped["statusCode"] = str(status)
        return shaped
    return {
        "UNAUTHORIZED": response(401, "unauthenticated", "missing or invalid bearer token"),
        # Without IAM authorization, API Gateway answers this only for a path or method that matches no route.
        "MISSING_AUTHENTICATION_TOKEN": response(404, "not_found", "no such route"),
        "DEFAULT_4XX": response(None, "bad_request", "request refused by the gateway"),
        "ACCESS_DENIED": response(403, "forbidden", "access denied"),
        "WAF_FILTERED": response(403, "forbidden", "request refused (too large or too many)"),
        "THROTTLED": response(429, "too_many_requests", "too many requests, retry later"),
        "REQUEST_TOO_LARGE": response(413, "payload_too_large", "request body too large"),
        "DEFAULT_5XX": response(None, "bad_gateway", "the service is unavailable, retry later"),
    }


def _kebab(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()


def _retention(days: int) -> logs.RetentionDays:
    named = {1: "ONE_DAY", 7: "ONE_WEEK", 14: "TWO_WEEKS", 30: "ONE_MONTH", 60: "TWO_MONTHS",
             90: "THREE_MONTHS", 180: "SIX_MONTHS", 365: "ONE_YEAR", 731: "TWO_YEARS", 1827: "FIVE_YEARS",
             3653: "TEN_YEARS"}
    if days not in named:
        raise ValueError(f"log retention must be one of {sorted(named)} days, not {days}")
    return logs.RetentionDays[named[days]]
