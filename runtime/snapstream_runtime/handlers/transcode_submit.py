"""``MediaUploaded`` (video) on the SnapStream bus -> a MediaConvert job."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from snapstream_runtime.handlers.eventbridge import media_id_in_detail, run
from snapstream_runtime.observability import logger, metrics, tracer
from snapstream_runtime.video import submit_transcode


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, str]:
    return run(event, submit_transcode, media_id_of=media_id_in_detail)
