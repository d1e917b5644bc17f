"""The composition root: which unit of work the services get.

Services ask ``unit_of_work()`` for a fresh one per use case; in the Lambda functions and the local stack
that is the DynamoDB one, and tests may put the in-memory one in its place with ``use``.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .services.bus import Bus
    from .services.unit_of_work import UnitOfWork

_factory: Callable[[], UnitOfWork] | None = None


def unit_of_work() -> UnitOfWork:
    if _factory is not None:
        return _factory()
    from .adapters.dynamodb import DynamoUnitOfWork  # on first use: cold start (docs/PERFORMANCE.md)

    return DynamoUnitOfWork()


def use(factory: Callable[[], UnitOfWork] | None) -> None:
    """Give the services another unit of work (None: back to DynamoDB)."""
    global _factory
    _factory = factory


# ---------------------------------------------------------------- messaging (queues, topics, SMS)

_bus: Bus | None = None


def bus() -> Bus:
    """Where the services send messages: SQS and SNS (adapters/messaging.py) unless a test ``use_bus``-ed
    the in-memory one."""
    if _bus is not None:
        return _bus
    from .adapters.messaging import BUS  # on first use: cold start (docs/PERFORMANCE.md)

    return BUS


def use_bus(replacement: Bus | None) -> None:
    """Give the services another bus (None: back to SQS and SNS)."""
    global _bus
    _bus = replacement


# ---------------------------------------------------------------- the provincial services (电子证照, records)

_services: object | None = None


def provincial_services() -> Any:
    """The licence library and social-insurance records (one client: adapters/licences.py); tests may
    ``use_services`` a simulator's registry or a failing one."""
    if _services is not None:
        return _services
    from .adapters.licences import provincial_services as configured

    return configured()


def use_services(services: object | None) -> None:
    """Give the services another licence library (None: back to the configured one)."""
    global _services
    _services = services
