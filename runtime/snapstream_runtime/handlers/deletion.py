"""Deletion queue -> delete one media, or one account, entirely; failed records are retried alone
(and after the queue's limit wait in its dead-letter queue, the media still ``deleting``)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from snapstream_runtime.deletion import parse_message, process
from snapstream_runtime.handlers.sqs_batch import process_batch
from snapstream_runtime.observability import count_failure, logger, measured, metrics, tracer
from snapstream_runtime.settings import current_settings


@tracer.capture_method
def handle_record(record: SQSRecord) -> None:
    message = parse_message(record.body)
    logger.set_correlation_id(message.correlation_id)
    attempt = int(record.attributes.approximate_receive_count or 1)
    try:
        outcome = measured(process, message, current_settings(), attempt=attempt)
    except Exception:
        count_failure()
        logger.exception("deletion failed", extra={"kind": message.kind, "attempt": attempt})
        raise
    extra = {"kind": message.kind, "outcome": outcome.value, "attempt": attempt}
    logger.info("deletion handled", extra=extra)


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_batch(event, context, handle_record)
