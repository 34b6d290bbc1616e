"""SQS (S3 ObjectCreated notifications) -> ingest; failed records are retried alone."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from snapstream_runtime.handlers.sqs_batch import process_batch
from snapstream_runtime.ingest import ingest, parse_notification
from snapstream_runtime.keys import parse_upload_key
from snapstream_runtime.observability import logger, measured, metrics, tracer
from snapstream_runtime.settings import current_settings


@tracer.capture_method
def handle_record(record: SQSRecord) -> None:
    for created in parse_notification(record.body):
        ref = parse_upload_key(created.key)
        logger.set_correlation_id(ref.media_id if ref else record.message_id)
        outcome = measured(ingest, created, current_settings())
        logger.info("object ingested", extra={"outcome": outcome.value, "key": created.key})


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_batch(event, context, handle_record)
