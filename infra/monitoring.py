"""Monitoring: alarms (to the alerts topic) and one dashboard per stage.

Alarms: every dead-letter queue holding a message, every function's errors and throttles, the API's 5xx
rate and p99 latency, and overdue work found by the sweeper (metric ``OverdueFound``).
"""
from __future__ import annotations

from aws_cdk import Annotations, Duration
from aws_cdk import aws_cloudwatch as cw
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from .config import NO_SUBSCRIPTION, StageConfig
from .queues import QueuesConstruct
from .service import ServiceConstruct

NAMESPACE = "CrossCityService"  # chalicelib.observability.NAMESPACE
OVERDUE_METRIC = "OverdueFound"
FIVE_MINUTES = Duration.minutes(5)


class MonitoringConstruct(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, config: StageConfig, queues: QueuesConstruct,
                 service: ServiceConstruct) -> None:
        super().__init__(scope, construct_id)
        self.config = config
        self.action = cw_actions.SnsAction(queues.alarm_topic)
        if config.production and not config.alarm_email:
            # Alarms nobody receives are no alarms: production is not deployed without someone to wake. An
            # error annotation lets the template be synthesized and read, and makes `cdk deploy` refuse it
            # (infra/deploy.py refuses even earlier, with the same message).
            Annotations.of(self).add_error(NO_SUBSCRIPTION)
        if config.alarm_email:
            queues.alarm_topic.add_subscription(subscriptions.EmailSubscription(config.alarm_email))
        self.alarms: list[cw.Alarm] = []

        queue_widgets: list[cw.IWidget] = []
        for logical, dlq in queues.dead_letter_queues.items():
            depth = dlq.metric_approximate_number_of_messages_visible(period=Duration.minutes(1),
                                                                      statistic="Maximum")
            self._alarm(f"{logical}-dlq-depth", depth, 0, f"messages of {logical} gave up and wait in its DLQ")
            age = queues.queues[logical].metric_approximate_age_of_oldest_message(period=FIVE_MINUTES,
                                                                                statistic="Maximum")
            self._alarm(f"{logical}-oldest-message", age, 15 * 60,
                        f"{logical} holds a message older than 15 minutes (consumer stuck or failing)")
            queue_widgets.append(cw.GraphWidget(title=f"queue {logical}", left=[
                queues.queues[logical].metric_approximate_number_of_messages_visible(period=Duration.minutes(1)),
                depth], right=[age], width=8))
        failures = queues.stream_failures.metric_approximate_number_of_messages_visible(
            period=Duration.minutes(1), statistic="Maximum")
        self._alarm("outbox-stream-failures", failures, 0,
                    "the outbox relay gave up on stream records: replay them from the outbox table "
                    "(make outbox ARGS=\"list\", then ARGS=\"relay ...\")")
        sweep_failures = service.sweep_failures.metric_approximate_number_of_messages_visible(
            period=Duration.minutes(1), statistic="Maximum")
        self._alarm("sweep-failures", sweep_failures, 0, "a scheduled sweep failed for good (sweep-failures)")

        function_widgets: list[cw.IWidget] = []
        for name in service.function_names.values():
            errors = _lambda_metric("Errors", name, "Sum")
            throttles = _lambda_metric("Throttles", name, "Sum")
            self._alarm(f"{_short(name, config)}-errors", errors, 0, f"{name} failed")
            self._alarm(f"{_short(name, config)}-throttles", throttles, 0, f"{name} was throttled")
            function_widgets.append(cw.GraphWidget(
                title=f"function {_short(name, config)}", left=[_lambda_metric("Invocations", name, "Sum"),
                                                                errors, throttles],
                right=[_lambda_metric("Duration", name, "p99")], width=8))

        # The HTTP API's metrics: by ApiId and Stage, named 5xx and 4xx (a REST API's are 5XXError, 4XXError).
        dims = {"ApiId": service.http_api.ref, "Stage": config.api_stage_name}
        requests = cw.Metric(namespace="AWS/ApiGateway", metric_name="Count", dimensions_map=dims,
                             statistic="Sum", period=FIVE_MINUTES)
        server_errors = cw.Metric(namespace="AWS/ApiGateway", metric_name="5xx", dimensions_map=dims,
                                  statistic="Sum", period=FIVE_MINUTES)
        client_errors = cw.Metric(namespace="AWS/ApiGateway", metric_name="4xx", dimensions_map=dims,
                                  statistic="Sum", period=FIVE_MINUTES)
        rate = cw.MathExpression(expression="IF(requests > 0, errors / requests, 0)",
                                 using_metrics={"errors": server_errors, "requests": requests},
                                 label="5xx share", period=FIVE_MINUTES)
        self._alarm("api-5xx-rate", rate, config.api_5xx_rate,
                    f"more than {config.api_5xx_rate:.0%} of API requests failed with 5xx")
        latency = cw.Metric(namespace="AWS/ApiGateway", metric_name="Latency", dimensions_map=dims,
                            statistic="p99", period=FIVE_MINUTES)
        self._alarm("api-p99-latency", latency, config.api_p99_latency_ms,
                    f"API p99 latency above {config.api_p99_latency_ms} ms", periods=3)

        overdue = cw.Metric(namespace=NAMESPACE, metric_name=OVERDUE_METRIC, statistic="Sum",
                            period=Duration.minutes(15), dimensions_map={"stage": config.stage,
                                                                          "service": config.service_name})
        self._alarm("overdue-work", overdue, 0, "the sweeper found overdue cases, legs or tickets",
                    missing=cw.TreatMissingData.NOT_BREACHING)

        self.dashboard = cw.Dashboard(self, "Dashboard", dashboard_name=config.name("service"))
        self.dashboard.add_widgets(
            cw.GraphWidget(title="API requests and errors", left=[requests, client_errors, server_errors],
                           width=12),
            cw.GraphWidget(title="API latency p99 (ms)", left=[latency], width=6),
            cw.GraphWidget(title="overdue work found", left=[overdue], width=6),
        )
        self.dashboard.add_widgets(*queue_widgets)
        self.dashboard.add_widgets(*function_widgets)
        self.dashboard.add_widgets(cw.AlarmStatusWidget(title="alarms", alarms=self.alarms, width=24))

    def _alarm(self, name: str, metric: cw.IMetric, threshold: float, description: str, periods: int = 1,
               missing: cw.TreatMissingData = cw.TreatMissingData.NOT_BREACHING) -> cw.Alarm:
        alarm = cw.Alarm(
            self, f"Alarm-{name}", alarm_name=self.config.name(name), alarm_description=description,
            metric=metric, threshold=threshold, evaluation_periods=periods,
            comparison_operator=cw.ComparisonOperator.GREATER_THAN_THRESHOLD, treat_missing_data=missing,
        )
        alarm.add_alarm_action(self.action)
        self.alarms.append(alarm)
        return alarm


def _lambda_metric(name: str, function_name: str, statistic: str) -> cw.Metric:
    return cw.Metric(namespace="AWS/Lambda", metric_name=name, dimensions_map={"FunctionName": function_name},
                     statistic=statistic, period=FIVE_MINUTES)


def _short(name: str, config: StageConfig) -> str:
    return name.removeprefix(config.resource_prefix + "-")
