"""Queue and stream event plumbing shared by the handlers in app.py."""
from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from ..domain.events import MalformedEvent
from ..observability import logger


def sqs_batch(event: Any, handle: Callable[[dict[str, Any]], object]) -> dict[str, Any]:
    """Process an SQS batch record by record; report failed records (ReportBatchItemFailures) so that
    only they are retried, and after the queue's maxReceiveCount they move to its dead-letter queue."""
    from aws_lambda_powertools.utilities.batch import (  # imported here: only queue handlers pay for it
        BatchProcessor,
        EventType,
        process_partial_response,
    )

    def record_handler(record: Any) -> None:
        try:
            handle(json.loads(record.body))
        except MalformedEvent as err:  # never succeeds: fails each delivery, then rests in the dead-letter queue
            logger.error("malformed event", extra={"event_type": str(err.event_type)[:64], "problem": err.problem,
                                                   "message_id": record.message_id})
            raise

    raw = event.to_dict() if hasattr(event, "to_dict") else event
    context = getattr(event, "context", None)
    result: Any = process_partial_response(
        event=raw,
        record_handler=record_handler,
        processor=BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False),
        context=context,
    )
    return dict(result)


def stream_records(event: Any) -> list[dict[str, Any]]:
    raw = event.to_dict() if hasattr(event, "to_dict") else event
    return list(raw.get("Records", []))
