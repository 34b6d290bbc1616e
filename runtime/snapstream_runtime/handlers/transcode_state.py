"""``MediaConvert Job State Change`` (default bus, our queue only) -> progress, outputs or error."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from snapstream_runtime.handlers.eventbridge import media_id_in_user_metadata, run
from snapstream_runtime.observability import logger, metrics, tracer
from snapstream_runtime.video import on_transcode_state


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, str]:
    return run(
        event,
        on_transcode_state,
        media_id_of=media_id_in_user_metadata,
    )
