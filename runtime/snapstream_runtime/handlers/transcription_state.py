"""``Transcribe Job State Change`` (default bus, this environment's jobs) -> transcript analysis."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from snapstream_runtime.analysis import on_transcription_state
from snapstream_runtime.handlers.eventbridge import run
from snapstream_runtime.observability import logger, metrics, tracer


def _media_id(detail: dict[str, Any]) -> str | None:
    name = str(detail.get("TranscriptionJobName", ""))
    return name.rsplit("-", 1)[-1] or None


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, str]:
    return run(event, on_transcription_state, media_id_of=_media_id)
