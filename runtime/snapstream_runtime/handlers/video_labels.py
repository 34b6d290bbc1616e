"""Rekognition video completion (SNS) -> the media's label timeline and tags."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from snapstream_runtime.observability import logger, measured, metrics, tracer
from snapstream_runtime.settings import current_settings
from snapstream_runtime.video_analysis import on_video_labels_done


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, list[str]]:
    outcomes = []
    for record in event.get("Records", []):
        message = json.loads(record["Sns"]["Message"])
        logger.set_correlation_id(str(message.get("JobTag") or record["Sns"].get("MessageId")))
        outcome = measured(on_video_labels_done, message, current_settings())
        outcomes.append(outcome.value)
    return {"outcomes": outcomes}
