"""EventBridge schedule -> one sweep for media stuck in ``uploaded``, ``processing`` or
``deleting`` (:mod:`snapstream_runtime.stuck_media`).

Metrics: ``StuckMedia`` (media past their deadline found by this sweep, 0 included: the alarm),
``StuckMedia_<outcome>`` per media, ``StuckMediaDuration``. A media whose handling raised is
counted ``StuckMedia_failed`` and logged; the others are swept, then the invocation fails so
that Lambda retries it (sweeping again is harmless) and the function's error alarm fires.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes import EventBridgeEvent
from aws_lambda_powertools.utilities.typing import LambdaContext

from snapstream_runtime.clock import utc_now
from snapstream_runtime.contract import metric_prefix
from snapstream_runtime.observability import count_failure, logger, metrics, tracer
from snapstream_runtime.settings import current_settings
from snapstream_runtime.stuck_media import sweep


class SweepIncomplete(RuntimeError):
    """Some media could not be swept (each is logged); the invocation is retried."""


def moment_of(event: EventBridgeEvent) -> datetime:
    """The sweep's "now": the schedule's time for this invocation (a retry of a late invocation
    judges as of its schedule), else the clock."""
    try:
        return datetime.fromisoformat(event.time)
    except (KeyError, TypeError, ValueError):
        return utc_now()


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    scheduled = EventBridgeEvent(event)
    logger.set_correlation_id(scheduled.get_id)
    since = time.perf_counter()
    report = sweep(current_settings(), moment_of(scheduled))
    step = metric_prefix(str(metrics.service or "stuck-media"))
    metrics.add_metric(name=step, unit=MetricUnit.Count, value=report.stuck)
    for outcome, count in report.outcomes.items():
        metrics.add_metric(name=f"{step}_{outcome.value}", unit=MetricUnit.Count, value=count)
    metrics.add_metric(
        name=f"{step}Duration",
        unit=MetricUnit.Milliseconds,
        value=round((time.perf_counter() - since) * 1000, 1),
    )
    for media_id, error in report.errors:
        count_failure()
        logger.error("sweeping a media failed", extra={"media_id": media_id}, exc_info=error)
    summary = {"stuck": report.stuck, **{o.value: n for o, n in report.outcomes.items()}}
    logger.info("sweep done", extra={**summary, "errors": len(report.errors)})
    if report.errors:
        raise SweepIncomplete(f"{len(report.errors)} media could not be swept (see the log)")
    return summary
