"""The one shape of every SQS-driven handler: records processed one by one, failures reported per
record so that only they are retried (and, after the queue's limit, moved to its DLQ)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

# Report failures item by item even when every record failed (no Lambda error, same retries).
_processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


def process_batch(
    event: dict[str, Any], context: LambdaContext, record_handler: Callable[[SQSRecord], None]
) -> PartialItemFailureResponse:
    return process_partial_response(
        event=event, record_handler=record_handler, processor=_processor, context=context
    )
