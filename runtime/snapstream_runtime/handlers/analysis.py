"""Analysis queue (``MediaUploaded`` events) -> analyse images, start speech and video jobs."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from snapstream_runtime.analysis import on_uploaded
from snapstream_runtime.contract import ANALYSIS_MAX_ATTEMPTS
from snapstream_runtime.handlers.sqs_batch import process_batch
from snapstream_runtime.observability import logger, measured, metrics, tracer
from snapstream_runtime.settings import current_settings


@tracer.capture_method
def handle_record(record: SQSRecord) -> None:
    event = json.loads(record.body)
    detail = event.get("detail") or {}
    logger.set_correlation_id(str(detail.get("media_id") or record.message_id))
    attempt = int(record.attributes.approximate_receive_count or 1)
    outcome = measured(
        on_uploaded, detail, current_settings(), final_attempt=attempt >= ANALYSIS_MAX_ATTEMPTS
    )
    logger.info("analysis handled", extra={"outcome": outcome.value, "attempt": attempt})


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_batch(event, context, handle_record)
