"""SES bounce and complaint events (SNS) -> undeliverable addresses
(:mod:`snapstream_runtime.mail_events`).

Metrics: ``MailEvents_<outcome>`` per event (``recorded``, ``no_account``, ``transient``,
``ignored``) and ``MailEventsDuration``. A failing write fails the invocation; SNS retries it,
then Lambda's asynchronous retries, then the function's dead-letter queue (alarmed).
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from snapstream_runtime.adapters.table import Table
from snapstream_runtime.clock import utc_now
from snapstream_runtime.mail_events import record
from snapstream_runtime.observability import logger, measured, metrics, tracer
from snapstream_runtime.settings import current_settings


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, list[str]]:
    table = Table(current_settings().table_name)
    outcomes = []
    for notice in event.get("Records", []):
        message = json.loads(notice["Sns"]["Message"])
        logger.set_correlation_id(str((message.get("mail") or {}).get("messageId", "")))
        outcome = measured(record, message, table, utc_now())
        logger.info("mail event", extra={"outcome": outcome.value})
        outcomes.append(outcome.value)
    return {"outcomes": outcomes}
