"""Logging and metrics (Powertools): JSON logs that never carry identity or phone numbers in clear."""
from __future__ import annotations

import logging

from aws_lambda_powertools import Logger
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter
from aws_lambda_powertools.metrics import MetricUnit, single_metric

from .domain.identity import scrub

NAMESPACE = "CrossCityService"


class ScrubbingFormatter(LambdaPowertoolsFormatter):
    """Masks resident ID numbers and mobile numbers in every formatted line, whatever put them there."""

    def format(self, record: logging.LogRecord) -> str:
        return scrub(super().format(record))


logger = Logger(service="cross-city", logger_formatter=ScrubbingFormatter())


def count(metric: str, value: float = 1, **dimensions: str) -> None:
    """Emit one metric now (EMF on stdout; CloudWatch turns it into a metric in the cloud)."""
    with single_metric(name=metric, unit=MetricUnit.Count, value=value, namespace=NAMESPACE) as m:
        for key, dim in dimensions.items():
            m.add_dimension(name=key, value=dim)
