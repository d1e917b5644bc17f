"""The stage's edge stack, ``{prefix}-edge``: the WAF web ACL of the console's CloudFront distribution, which
serves the console and (under ``/api/*``) the HTTP API.

A web ACL for CloudFront has CLOUDFRONT scope, and AWS creates those in us-east-1 only (whatever region the
stage runs in), together with their log group: so this is a stack of its own, pinned to that region (``-c
edgeRegion=...`` changes it, see infra/README.md for aws-cn). The stage stack cannot reference it across
regions with CloudFormation exports; it takes the ACL's ARN as its parameter ``EdgeWebAclArn`` instead, which
``make deploy`` fills from this stack's output (infra/deploy.py), and whose pattern admits only a global
(CloudFront) web ACL.
"""
from __future__ import annotations

from aws_cdk import Aws, CfnOutput, Duration, Environment, RemovalPolicy, Stack, Tags
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from constructs import Construct

from .config import StageConfig
from .waf import web_acl

EDGE_REGION = "us-east-1"  # where CLOUDFRONT-scope web ACLs are made in the aws partition
OUTPUT_WEB_ACL_ARN = "WebAclArn"


class EdgeStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, *, config: StageConfig, region: str = EDGE_REGION,
                 ) -> None:
        super().__init__(scope, construct_id, stack_name=edge_stack_name(config), env=Environment(region=region),
                         description=f"Cross-city service (跨城通办), stage {config.stage}: the CloudFront web ACL "
                                     f"({region})",
                         termination_protection=config.production)
        Tags.of(self).add("project", "cross-city-service")
        Tags.of(self).add("stage", config.stage)
        removal = RemovalPolicy.RETAIN if config.production else RemovalPolicy.DESTROY
        # The WAF logs (sampled requests, with tokens and query codes redacted) are encrypted with a key of
        # this region: the stage's key lives in the stage's region, and CloudWatch Logs uses a key of its own.
        self.key = kms.Key(
            self, "LogKey", alias=f"alias/{config.resource_prefix}-edge", enable_key_rotation=True,
            description=f"{config.resource_prefix}: the CloudFront web ACL's logs",
            removal_policy=removal, pending_window=Duration.days(30 if config.production else 7))
        self.key.add_to_resource_policy(iam.PolicyStatement(
            sid="CloudWatchLogsEncryptsThisStagesEdgeLogs",
            principals=[iam.ServicePrincipal(f"logs.{Aws.REGION}.{Aws.URL_SUFFIX}")],
            actions=["kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:GenerateDataKey",
                     "kms:GenerateDataKeyWithoutPlaintext", "kms:DescribeKey"],
            resources=["*"],  # in a key policy "*" means this key
            conditions={"ArnLike": {"kms:EncryptionContext:aws:logs:arn":
                                    f"arn:{Aws.PARTITION}:logs:{Aws.REGION}:{Aws.ACCOUNT_ID}:log-group:*"}},
        ))

        def log_group(construct_id: str, name: str) -> logs.LogGroup:
            from .service import _retention

            return logs.LogGroup(self, construct_id, log_group_name=name, encryption_key=self.key,
                                 retention=_retention(config.log_retention_days), removal_policy=removal)

        self.web_acl, self.logs = web_acl(self, config, waf_scope="CLOUDFRONT", name=config.name("edge"),
                                          log_group=log_group)
        CfnOutput(self, OUTPUT_WEB_ACL_ARN, value=self.web_acl.attr_arn,
                  description="the stage stack's parameter EdgeWebAclArn (make deploy passes it)")


def edge_stack_name(config: StageConfig) -> str:
    return config.name("edge")
