"""API and functions: the Chalice app packaged by ``chalice package`` and included in the stack, with one
least-privilege role per function (made from chalicelib/grants.py) and one log group per function, its event
sources pointed at the real queues and the outbox stream, concurrency limits, and the API: an API Gateway
HTTP API (v2) with a JWT authorizer for the identity provider, throttling and access logs, reached through
the console's CloudFront distribution and its WAF web ACL (infra/console.py, infra/edge.py) and refusing
anything that did not come that way (the origin secret, chalicelib/api/origin.py).

Chalice itself makes a REST API; it is removed from the package and the HTTP API is built here from the same
routes (Chalice's OpenAPI definition), unless ``-c restApi=keep`` keeps it, with its Cognito authorizer,
gateway responses and regional web ACL, while a live stage moves from one to the other (infra/README.md)."""
from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from typing import Any

from aws_cdk import Acknowledgment, Aws, CfnCondition, CfnOutput, Duration, Fn, RemovalPolicy, Validations
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
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
from .waf import web_acl

STAGE_CONTEXT = "crossCity:chaliceStage"
KEEP_REST_CONTEXT = "restApi"  # "keep": the REST API stays beside the HTTP API (migration, infra/README.md)
AUTHORIZER = "IdentityProvider"
# What Chalice's package makes for its REST API; removed unless the REST API is kept.
REST_RESOURCES = ("RestAPI", "APIHandlerInvokePermission")
REST_OUTPUTS = ("RestAPIId", "EndpointURL")
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


# Why a route of the HTTP API has no authorizer (cdk-nag AwsSolutions-APIG4).
PUBLIC_ROUTE = ("A public route of the service (health, reference data, tracking with a query code, the signed "
                "courier webhook) or a CORS preflight, which browsers send without a token; the app checks the "
                "code, the signature or the origin itself, and WAF limits the rate in front of it.")


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
    routes: dict[str, Any]  # Chalice's OpenAPI paths: every route of app.py with its methods
    keeps_rest: bool

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
        template = self.package_dir / "sam.json"
        self.sam = json.loads(template.read_text("utf-8"))
        self.routes = self.sam["Resources"]["RestAPI"]["Properties"]["DefinitionBody"]["paths"]
        self.keeps_rest = self.node.try_get_context(KEEP_REST_CONTEXT) == "keep"
        if not self.keeps_rest:  # the construct includes the template from this file, next
            for name in REST_RESOURCES:
                del self.sam["Resources"][name]
            for name in REST_OUTPUTS:
                self.sam.get("Outputs", {}).pop(name, None)
            template.write_text(json.dumps(self.sam, indent=2), "utf-8")

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
        # The header CloudFront adds to every request it sends to the HTTP API (X-Origin-Verify), which the API
        # function checks before anything else (chalicelib/api/origin.py): the execute-api endpoint is public
        # and an HTTP API cannot have a web ACL, so this is what keeps callers from going around CloudFront and
        # its WAF. The distribution reads it at deploy time (a dynamic reference), the function at run time.
        self.origin_secret = secretsmanager.Secret(
            self, "OriginSecret", secret_name=config.name("origin-verify"),
            description="Value of the X-Origin-Verify header CloudFront adds to API requests (API only)",
            generate_secret_string=secretsmanager.SecretStringGenerator(password_length=48,
                                                                        exclude_punctuation=True),
            encryption_key=data.key,
            removal_policy=RemovalPolicy.RETAIN if config.production else RemovalPolicy.DESTROY,
        )
        Validations.of(self.origin_secret).acknowledge(Acknowledgment(
            id="AwsSolutions::AwsSolutions-SMG4",
            reason="CloudFront takes the value at deploy time: a rotation is a new value and a deploy, with the "
                   "API accepting the previous value meanwhile (infra/README.md); an automatic one would not "
                   "reach the distribution."))
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
        self.user_pool, self.provider_arn = self._identity_provider()
        self.access_logs = self._log_group("ApiAccessLogs", f"/aws/apigateway/{config.resource_prefix}-api")
        self._http_api()
        if self.app.keeps_rest:
            self._rest_api()
        self._publish_clients()

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
                 "licence-service": ("LICENCE_SERVICE_SECRET_ARN", self.licence_secret),
                 "origin-verify": ("ORIGIN_SECRET_ARN", self.origin_secret)}
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

    def _http_api(self) -> None:
        """The HTTP API: one route per route of app.py (Chalice's own routing reads the route's path from the
        event, so a catch-all route would not do), the Lambda proxy integration in payload format 1.0 (the
        REST API's event shape, which Chalice reads), a JWT authorizer on every route but the public ones and
        the preflights, stage throttling and JSON access logs."""
        config = self.config
        api = apigwv2.CfnApi(self, "HttpApi", name=config.name("api"), protocol_type="HTTP",
                             description=f"{config.stack_name}: the API, behind the console's CloudFront "
                                         "distribution and its web ACL")
        self.http_api = api
        function = self.app.get_resource("APIHandler")
        integration = apigwv2.CfnIntegration(
            self, "ApiIntegration", api_id=api.ref, integration_type="AWS_PROXY",
            integration_uri=function.get_att("Arn").to_string(), payload_format_version="1.0",
            timeout_in_millis=min(30_000, config.lambda_timeout_seconds * 1000))
        # Cognito's ID token names its app client in `aud`, which the authorizer checks against the accepted
        # clients (set by _publish_clients, as AUTH_CLIENT_IDS: the app checks the same list again).
        self.issuer = f"https://cognito-idp.{Aws.REGION}.{Aws.URL_SUFFIX}/{self.user_pool.user_pool_id}"
        self.authorizer = apigwv2.CfnAuthorizer(
            self, "JwtAuthorizer", api_id=api.ref, name=AUTHORIZER, authorizer_type="JWT",
            identity_source=["$request.header.Authorization"],
            jwt_configuration=apigwv2.CfnAuthorizer.JWTConfigurationProperty(issuer=self.issuer, audience=[]))
        self.protected_operations: list[tuple[str, str]] = []
        routes: list[apigwv2.CfnRoute] = []
        for path, operations in sorted(self.app.routes.items()):
            for method in sorted(m for m in operations if not m.startswith("x-")):
                # A browser's CORS preflight never carries the token: OPTIONS (answered by the app) stays public.
                protected = path not in PUBLIC_ROUTES and method != "options"
                route = apigwv2.CfnRoute(
                    self, f"Route{method.upper()}{re.sub(r'[^A-Za-z0-9]', '', path.title()) or 'Root'}",
                    api_id=api.ref, route_key=f"{method.upper()} {path}", target=f"integrations/{integration.ref}",
                    authorization_type="JWT" if protected else "NONE",
                    authorizer_id=self.authorizer.ref if protected else None)
                if protected:
                    self.protected_operations.append((method.upper(), path))
                else:
                    Validations.of(route).acknowledge(Acknowledgment(id="AwsSolutions::AwsSolutions-APIG4",
                                                                     reason=PUBLIC_ROUTE))
                routes.append(route)
        stage = apigwv2.CfnStage(
            self, "ApiStage", api_id=api.ref, stage_name=config.api_stage_name, auto_deploy=True,
            description="the API's only stage; CloudFront forwards /api/* to it",
            default_route_settings=apigwv2.CfnStage.RouteSettingsProperty(
                throttling_rate_limit=config.api_throttle_rate, throttling_burst_limit=config.api_throttle_burst,
                detailed_metrics_enabled=True),
            access_log_settings=apigwv2.CfnStage.AccessLogSettingsProperty(
                destination_arn=self.access_logs.log_group_arn,
                format=json.dumps({
                    "requestId": "$context.requestId", "ip": "$context.identity.sourceIp",
                    "method": "$context.httpMethod", "route": "$context.routeKey", "status": "$context.status",
                    "latencyMs": "$context.responseLatency", "bytes": "$context.responseLength",
                    "authError": "$context.authorizer.error",
                    "integrationError": "$context.integrationErrorMessage",
                })),
        )
        stage.node.add_dependency(*routes)  # its first automatic deployment has every route
        self.http_stage = stage
        lambda_.CfnPermission(
            self, "ApiInvokes", action="lambda:InvokeFunction", function_name=function.get_att("Arn").to_string(),
            principal="apigateway.amazonaws.com",
            source_arn=f"arn:{Aws.PARTITION}:execute-api:{Aws.REGION}:{Aws.ACCOUNT_ID}:{api.ref}/"
                       f"{config.api_stage_name}/*")
        # Where CloudFront sends /api/*: the stage's path is part of the URL, as the behaviour's path is.
        self.http_api_domain = f"{api.ref}.execute-api.{Aws.REGION}.{Aws.URL_SUFFIX}"
        CfnOutput(self, "HttpApiEndpoint", value=f"https://{self.http_api_domain}/{config.api_stage_name}/",
                  description="the HTTP API itself: answers only requests that came through CloudFront")

    def _rest_api(self) -> None:
        """The REST API Chalice made, kept while a live stage migrates (``-c restApi=keep``): its Cognito
        authorizer, gateway responses, throttling, access logs and its own regional web ACL, as before."""
        config = self.config
        api = self.app.get_resource("RestAPI")
        body = self.app.sam["Resources"]["RestAPI"]["Properties"]["DefinitionBody"]
        api.add_override(f"Properties.DefinitionBody.securityDefinitions.{AUTHORIZER}", {
            "type": "apiKey", "name": "Authorization", "in": "header",
            "x-amazon-apigateway-authtype": "cognito_user_pools",
            "x-amazon-apigateway-authorizer": {"type": "cognito_user_pools", "providerARNs": [self.provider_arn]},
        })
        for path, operations in body["paths"].items():
            if path in PUBLIC_ROUTES:
                continue
            for method in operations:
                if method.startswith("x-") or method == "options":
                    continue
                api.add_override(f"Properties.DefinitionBody.paths.{path}.{method}.security",
                                 [{AUTHORIZER: []}])
        api.add_override("Properties.DefinitionBody.x-amazon-apigateway-gateway-responses", _gateway_responses())
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
        api.add_override("Properties.Name", config.name("rest-api"))
        api.add_override("Metadata.checkov.skip", [{"id": "CKV_AWS_120", "comment": (
            "No response cache: answers are per caller (role, office, own cases) and carry personal data, so a "
            "cache keyed on the path would hand one caller's answer to another.")}])
        api.add_override("Properties.TracingEnabled", True)
        # The function refuses requests without CloudFront's header; the REST API cannot add it, and has a web
        # ACL of its own: its requests pass (chalicelib/api/origin.py), while it exists.
        self.app.get_resource("APIHandler").add_override(
            "Properties.Environment.Variables.ORIGIN_CHECK_EXEMPTS_REST", "1")
        self.rest_web_acl, _ = web_acl(self, config, waf_scope="REGIONAL", name=config.name("api"),
                                       log_group=self._log_group)
        association = wafv2.CfnWebACLAssociation(
            self, "WebAclAssociation", web_acl_arn=self.rest_web_acl.attr_arn,
            resource_arn=(f"arn:{Aws.PARTITION}:apigateway:{Aws.REGION}::/restapis/{api.ref}"
                          f"/stages/{config.api_stage_name}"),
        )
        # The stage exists only after the SAM transform; its logical id is RestAPI<stage>Stage.
        association.add_override("DependsOn", [f"RestAPI{config.api_stage_name}Stage"])
        Validations.of(association).acknowledge(Acknowledgment(id="CloudFormation-Validate::E3005", reason=(
            "RestAPI<stage>Stage is made by the SAM transform from the RestAPI resource; cfn-lint, which "
            "applies the transform, checks this reference (tests/infra).")))
        CfnOutput(self, "RestApiUrl", description="the REST API, until the migration removes it",
                  value=f"https://{api.ref}.execute-api.{Aws.REGION}.{Aws.URL_SUFFIX}/{config.api_stage_name}/")

    def accept_client(self, client_id: str) -> None:
        """Let tokens of this app client of the user pool through the API (its id may be a token)."""
        self.accepted_clients.append(client_id)
        self._publish_clients()

    def _publish_clients(self) -> None:
        # None listed (an existing pool and no appClientIds): the API answers every request 401.
        self.app.get_resource("APIHandler").add_override(
            "Properties.Environment.Variables.AUTH_CLIENT_IDS",
            Fn.join(",", self.accepted_clients) if self.accepted_clients else "")
        # The JWT authorizer checks the same list (`aud`) before the function runs; the app checks it again.
        authorizer = getattr(self, "authorizer", None)
        if authorizer is not None:
            authorizer.add_property_override("JwtConfiguration.Audience", list(self.accepted_clients))

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

def _allow(actions: Any, resources: list[str]) -> iam.PolicyStatement:
    return iam.PolicyStatement(actions=list(actions), resources=resources)


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
