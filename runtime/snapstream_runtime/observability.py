"""Powertools Logger, Tracer and Metrics shared by every handler (one instance per container).

Every metric carries the ``service`` (one per handler) and ``environment`` dimensions, so two
environments in one account never mix on a dashboard or an alarm.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from enum import StrEnum

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit

from snapstream_runtime.contract import ENV_ENVIRONMENT, METRICS_NAMESPACE, metric_prefix

logger = Logger()
tracer = Tracer()
metrics = Metrics(namespace=METRICS_NAMESPACE)


def add_environment_dimension(environ: Mapping[str, str]) -> None:
    """Give every metric an ``environment`` dimension when the function knows its environment."""
    if environ.get(ENV_ENVIRONMENT):
        metrics.set_default_dimensions(environment=environ[ENV_ENVIRONMENT])


add_environment_dimension(os.environ)


def started() -> float:
    """A start mark for :func:`record_outcome` (monotonic, immune to clock changes)."""
    return time.perf_counter()


def record_outcome(outcome: StrEnum, since: float) -> None:
    """Count ``<step>_<outcome>`` and record ``<step>Duration`` (ms) for one handled item.

    The step is named after the handler's Powertools service (``contract.metric_prefix``).
    """
    step = metric_prefix(str(metrics.service or "service_undefined"))
    metrics.add_metric(name=f"{step}_{outcome.value}", unit=MetricUnit.Count, value=1)
    metrics.add_metric(
        name=f"{step}Duration",
        unit=MetricUnit.Milliseconds,
        value=round((time.perf_counter() - since) * 1000, 1),
    )
