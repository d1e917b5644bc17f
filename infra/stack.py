"""One stack per stage: data, queues, service (API and functions), monitoring."""
from __future__ import annotations

from aws_cdk import Acknowledgment, Stack, Tags, Validations
from constructs import Construct

from .config import StageConfig
from .console import ConsoleConstruct
from .data import DataConstruct
from .monitoring import MonitoringConstruct
from .queues import QueuesConstruct
from .service import ServiceConstruct


class CrossCityStack(Stack):
    """No account, region or partition is written into the stack: the same template deploys to ``aws``
    and ``aws-cn`` (cn-north-1, cn-northwest-1)."""

    def __init__(self, scope: Construct, construct_id: str, *, config: StageConfig) -> None:
        super().__init__(scope, construct_id, stack_name=config.stack_name,
                         description=f"Cross-city service (跨城通办), stage {config.stage}",
                         termination_protection=config.production)
        self.config = config
        Tags.of(self).add("project", "cross-city-service")
        Tags.of(self).add("stage", config.stage)
        self.data = DataConstruct(self, "Data", config=config)
        self.queues = QueuesConstruct(self, "Queues", config=config, key=self.data.key)
        self.service = ServiceConstruct(self, "Service", config=config, data=self.data, queues=self.queues)
        self.console = ConsoleConstruct(self, "Console", config=config, service=self.service)
        self.monitoring = MonitoringConstruct(self, "Monitoring", config=config, queues=self.queues,
                                              service=self.service)
        self._suppressions()

    def _suppressions(self) -> None:
        """cdk-nag findings that are accepted, each with the reason."""
        Validations.of(self).acknowledge(
            *(Acknowledgment(id=rule, reason=reason) for rule, reason in ACCEPTED_FINDINGS.items()))


# cdk-nag (AwsSolutions) findings accepted for the whole stack, each with the reason.
ACCEPTED_FINDINGS: dict[str, str] = {
    "AwsSolutions::AwsSolutions-COG8": (
        "The Plus plan with threat protection enforced is set wherever the partition offers it: a template "
        "condition keeps the default plan in aws-cn, and cdk-nag cannot evaluate the condition statically."),
}
