"""What exists once per account and region, whatever the stages: API Gateway's account setting that names
the role it writes logs with. Deployed by ``make bootstrap`` (infra/deploy.py), never by a stage: a stage that
owned it would take every other stage's API logging with it when destroyed.
"""
from __future__ import annotations

from aws_cdk import Acknowledgment, Aws, Stack, Tags, Validations
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_iam as iam
from constructs import Construct

from .config import ACCOUNT_STACK


class AccountStack(Stack):
    def __init__(self, scope: Construct, construct_id: str = ACCOUNT_STACK) -> None:
        super().__init__(scope, construct_id, stack_name=ACCOUNT_STACK,
                         description="Cross-city service (跨城通办): account-wide settings (make bootstrap)")
        Tags.of(self).add("project", "cross-city-service")
        logs_arn = f"arn:{Aws.PARTITION}:logs:{Aws.REGION}:{Aws.ACCOUNT_ID}:log-group"
        role = iam.Role(
            self, "ApiGatewayLoggingRole", assumed_by=iam.ServicePrincipal("apigateway.amazonaws.com"),
            description="API Gateway (account setting): write the APIs' access and execution logs",
            inline_policies={"logs": iam.PolicyDocument(statements=[
                iam.PolicyStatement(actions=["logs:DescribeLogGroups"], resources=[f"{logs_arn}:*"]),
                iam.PolicyStatement(
                    actions=["logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogStreams",
                             "logs:PutLogEvents"],
                    resources=[f"{logs_arn}:API-Gateway-Execution-Logs_*", f"{logs_arn}:/aws/apigateway/*"]),
            ])},
        )
        token = "arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group"
        Validations.of(role).acknowledge(
            Acknowledgment(id=f"AwsSolutions::AwsSolutions-IAM5[Resource::{token}:API-Gateway-Execution-Logs_*]",
                           reason="API Gateway names its execution log groups API-Gateway-Execution-Logs_<api "
                                  "id>/<stage> itself, after each API exists."),
            Acknowledgment(id=f"AwsSolutions::AwsSolutions-IAM5[Resource::{token}:/aws/apigateway/*]",
                           reason="Every stage's access log group is /aws/apigateway/<prefix>-api; one account "
                                  "role serves the stages deployed later too."),
            Acknowledgment(id=f"AwsSolutions::AwsSolutions-IAM5[Resource::{token}:*]",
                           reason="DescribeLogGroups takes no narrower resource than the log groups of the "
                                  "account and region; it reads names only."))
        apigateway.CfnAccount(self, "ApiGatewayAccount", cloud_watch_role_arn=role.role_arn)
