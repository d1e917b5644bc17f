"""Queues and topics: every queue of ``chalicelib.adapters.messaging.QUEUES`` with its dead-letter queue and
redrive policy, and every topic of ``messaging.TOPICS``."""
from __future__ import annotations

from aws_cdk import Acknowledgment, Duration, RemovalPolicy, Validations
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from .config import StageConfig

# Not an application queue: where Lambda records outbox stream batches it gave up on (metadata only; the
# outbox item itself stays in the table for a week, so it can be replayed).
STREAM_FAILURES = "outbox-stream-failures"


class QueuesConstruct(Construct):
    """``queues[logical]``, ``dead_letter_queues[logical]`` and ``topics[logical]``."""

    def __init__(self, scope: Construct, construct_id: str, *, config: StageConfig, key: kms.IKey) -> None:
        super().__init__(scope, construct_id)
        from chalicelib.adapters import messaging

        self.queues: dict[str, sqs.Queue] = {}
        self.dead_letter_queues: dict[str, sqs.Queue] = {}
        self.specs = dict(messaging.QUEUES)
        for spec in self.specs.values():
            dlq = sqs.Queue(
                self, f"{_camel(spec.logical)}Dlq", queue_name=config.name(spec.dlq_logical),
                retention_period=Duration.days(14), encryption=sqs.QueueEncryption.KMS, encryption_master_key=key,
                enforce_ssl=True, removal_policy=RemovalPolicy.DESTROY,
            )
            self.dead_letter_queues[spec.logical] = dlq
            self.queues[spec.logical] = sqs.Queue(
                self, f"{_camel(spec.logical)}Queue", queue_name=config.name(spec.logical),
                visibility_timeout=Duration.seconds(spec.visibility_timeout_seconds),
                retention_period=Duration.days(4), encryption=sqs.QueueEncryption.KMS, encryption_master_key=key,
                enforce_ssl=True, removal_policy=RemovalPolicy.DESTROY,
                dead_letter_queue=sqs.DeadLetterQueue(queue=dlq, max_receive_count=spec.max_receive_count),
            )
        # Every queue is encrypted with the stage key (not SQS's own): who may read a message is then decided
        # by the key policy and the roles too, and the key's use is logged.
        self.stream_failures = sqs.Queue(
            self, "OutboxStreamFailures", queue_name=config.name(STREAM_FAILURES),
            retention_period=Duration.days(14), encryption=sqs.QueueEncryption.KMS, encryption_master_key=key,
            enforce_ssl=True, removal_policy=RemovalPolicy.DESTROY,
        )
        Validations.of(self.stream_failures).acknowledge(Acknowledgment(
            id="AwsSolutions::AwsSolutions-SQS3",
            reason="This queue is a failure destination itself (Lambda's on-failure record of the outbox "
                   "stream); a DLQ behind it would only move the same records."))
        self.topics: dict[str, sns.Topic] = {
            logical: sns.Topic(
                self, f"{_camel(logical)}Topic", topic_name=config.name(logical), display_name=purpose[:100],
                master_key=key, enforce_ssl=True,
            )
            for logical, purpose in messaging.TOPICS.items()
        }
        # CloudWatch alarms publish to the alerts topic, which is encrypted with the stage key.
        key.add_to_resource_policy(iam.PolicyStatement(
            sid="CloudWatchAlarmsPublishToEncryptedTopics",
            principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
            actions=["kms:Decrypt", "kms:GenerateDataKey*"],
            resources=["*"],  # in a key policy "*" means this key
        ))

    @property
    def alarm_topic(self) -> sns.Topic:
        return self.topics["alerts"]


def _camel(logical: str) -> str:
    return "".join(part.capitalize() for part in logical.split("-"))
