"""The data plane of the synthesized stack (tables, queues, topics, key, schedule), deployed with
CloudFormation into moto, then used through the application's own adapters.

moto builds neither API Gateway from this template nor runs Lambda code here (no Docker), so functions,
their event source mappings, the API, WAF, Cognito and alarms are left out (infra/README.md).
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from moto import mock_aws

from tests.infra.conftest import STAGES
from tests.support import service_apply

DATA_PLANE = {"AWS::DynamoDB::Table", "AWS::SQS::Queue", "AWS::SNS::Topic", "AWS::KMS::Key", "AWS::KMS::Alias",
              "AWS::Events::Rule"}
REGION = "us-east-1"


def data_plane(template: dict[str, Any], stage: str) -> dict[str, Any]:
    """The data-plane resources of the transformed template; a schedule's target (a function, not
    deployed here) becomes a placeholder ARN."""
    kept = {k: json.loads(json.dumps(v)) for k, v in template["Resources"].items() if v["Type"] in DATA_PLANE}
    for resource in kept.values():
        resource.pop("DependsOn", None)
        if resource["Type"] == "AWS::KMS::Key":
            resource["Properties"].pop("Tags", None)  # moto's KMS reads CloudFormation tags as TagKey/TagValue
        if resource["Type"] == "AWS::Events::Rule":
            for target in resource["Properties"]["Targets"]:
                target["Arn"] = f"arn:aws:lambda:{REGION}:123456789012:function:kc-{stage}-sweep"
    return {"AWSTemplateFormatVersion": "2010-09-09", "Resources": kept}


@pytest.fixture
def stack(transformed: dict[str, dict[str, Any]], request: pytest.FixtureRequest,
          monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The stage's data plane in a fresh moto account, and the application's adapters pointed at it."""
    from chalicelib import config
    from chalicelib.adapters import messaging, reference_store, tables

    stage: str = request.param
    template = data_plane(transformed[stage], stage)
    with mock_aws():
        cfn = boto3.client("cloudformation", region_name=REGION)
        cfn.create_stack(StackName=f"kc-{stage}", TemplateBody=json.dumps(template))
        status = cfn.describe_stacks(StackName=f"kc-{stage}")["Stacks"][0]["StackStatus"]
        assert status == "CREATE_COMPLETE"

        monkeypatch.setenv("RESOURCE_PREFIX", f"kc-{stage}")
        config.settings.cache_clear()
        for model in tables.all_models():
            logical = model.Meta.table_name.split("-", 2)[-1]
            monkeypatch.setattr(model.Meta, "table_name", f"kc-{stage}-{logical}")
            monkeypatch.setattr(model, "_connection", None)
        for cached in (messaging.sqs, messaging.sns, messaging.queue_url, messaging.topic_arn):
            cached.cache_clear()
        reference_store.invalidate()
        try:
            yield stage
        finally:
            monkeypatch.undo()
            config.settings.cache_clear()
            for model in tables.all_models():
                model._connection = None
            for cached in (messaging.sqs, messaging.sns, messaging.queue_url, messaging.topic_arn):
                cached.cache_clear()
            reference_store.invalidate()


@pytest.mark.parametrize("stack", STAGES, indirect=True)
def test_the_stack_creates_every_table_queue_topic_and_the_schedule(stack, synthesized):
    from chalicelib.adapters.messaging import QUEUES, TOPICS
    from infra.schema import table_specs

    dynamodb = boto3.client("dynamodb", region_name=REGION)
    names = set(dynamodb.list_tables()["TableNames"])
    specs = table_specs()
    assert names == {f"kc-{stack}-{s.logical}" for s in specs}
    for spec in specs:
        described = dynamodb.describe_table(TableName=f"kc-{stack}-{spec.logical}")["Table"]
        assert {i["IndexName"] for i in described.get("GlobalSecondaryIndexes", [])} == \
            {i.name for i in spec.global_indexes}
        # (moto's CloudFormation ignores TimeToLiveSpecification, point-in-time recovery and the KMS key of
        # SSESpecification: the template tests check those.)
        assert described.get("DeletionProtectionEnabled", False) is (stack == "prod")
        if spec.stream_view_type:
            assert described["StreamSpecification"]["StreamViewType"] == spec.stream_view_type

    sqs = boto3.client("sqs", region_name=REGION)
    for spec in QUEUES.values():
        url = sqs.get_queue_url(QueueName=f"kc-{stack}-{spec.logical}")["QueueUrl"]
        attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        redrive = json.loads(attrs["RedrivePolicy"])
        assert redrive["deadLetterTargetArn"].endswith(f":kc-{stack}-{spec.dlq_logical}")
        assert int(redrive["maxReceiveCount"]) == spec.max_receive_count
        assert int(attrs["VisibilityTimeout"]) == spec.visibility_timeout_seconds

    topics = {t["TopicArn"].rsplit(":", 1)[-1] for t in boto3.client("sns", region_name=REGION).list_topics()["Topics"]}
    assert topics == {f"kc-{stack}-{t}" for t in TOPICS}

    rule = boto3.client("events", region_name=REGION).describe_rule(Name=f"kc-{stack}-sweep")
    assert rule["ScheduleExpression"] == "rate(5 minutes)" and rule["State"] == "ENABLED"


@pytest.mark.parametrize("stack", STAGES, indirect=True)
def test_the_application_commits_a_case_and_relays_through_the_created_resources(stack, monkeypatch):
    """Seed the reference data, apply for a case (one transaction), read it back, find its
    step's event on the timeline table's stream, and put it through a created queue and topic."""
    from chalicelib.adapters import messaging, reference_store
    from chalicelib.adapters.event_records import payload_of_stream_record
    from chalicelib.domain.case import Actor
    from chalicelib.services import intake, notifications, outbox_relay
    from tests.storage import Cases
    from tests.support import application

    assert reference_store.seed() > 0
    applicant = Actor(sub="citizen-1", role="citizen", office_id=None, city=None, name="张三")
    case, created = service_apply(applicant, application(), idempotency_key="retry-safe-1")
    assert created and case.case_no.startswith("KC440300")
    assert Cases().get(case.case_no).status.value == "SUBMITTED"
    again, created_again = service_apply(applicant, application(), idempotency_key="retry-safe-1")
    assert not created_again and again.case_no == case.case_no

    staff = Actor(sub="staff-sz", role="staff", office_id="SZ-GOV", city=None, name="窗口")
    intake.receive(staff, case.case_no, [], "")

    # The case timeline's stream (its events are the steps' outbox records), read as Lambda's mapping would,
    # through the application's relay.
    stream_arn = boto3.client("dynamodb", region_name=REGION).describe_table(
        TableName=f"kc-{stack}-case-events")["Table"]["LatestStreamArn"]
    streams = boto3.client("dynamodbstreams", region_name=REGION,
                           config=Config(account_id_endpoint_mode="disabled"))
    shard = streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=stream_arn, ShardId=shard,
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    records = streams.get_records(ShardIterator=iterator)["Records"]
    assert [p["type"] for p in map(payload_of_stream_record, records) if p] == ["case.apply", "case.receive"]
    assert outbox_relay.relay_stream_batch(records) == {"batchItemFailures": []}

    # The relay put the applicant's notification on the created queue; the consumer sends it through SNS.
    sqs = boto3.client("sqs", region_name=REGION)
    received = sqs.receive_message(QueueUrl=messaging.queue_url("notifications"),
                                   MaxNumberOfMessages=10)["Messages"]
    events = [json.loads(m["Body"]) for m in received]
    assert [e["type"] for e in events] == ["case.receive"]
    assert notifications.notify(events[0]) is True
    assert [n["event_type"] for n in notifications.sent_for(case.case_no)] == ["case.receive"]

    created_arn = next(t["TopicArn"] for t in boto3.client("sns", region_name=REGION).list_topics()["Topics"]
                       if t["TopicArn"].endswith(f":kc-{stack}-alerts"))
    monkeypatch.setenv(messaging.topic_variable("alerts"), created_arn)  # as the stack sets it for the relay
    messaging.topic_arn.cache_clear()
    assert messaging.topic_arn("alerts") == created_arn
    messaging.publish("alerts", {"type": "case.mark_overdue", "case_no": case.case_no}, subject="overdue")
