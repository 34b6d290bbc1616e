"""Powertools Logger, Tracer and Metrics shared by every handler (one instance per container).

Every metric carries the ``service`` (one per handler) and ``environment`` dimensions, so two
environments in one account never mix on a dashboard or an alarm.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import ParamSpec, TypeVar

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit

from snapstream_runtime.contract import (
    ENV_ENVIRONMENT,
    FAILED_OUTCOME,
    METRICS_NAMESPACE,
    metric_prefix,
)

logger = Logger()
tracer = Tracer()
metrics = Metrics(namespace=METRICS_NAMESPACE)

P = ParamSpec("P")
Outcome = TypeVar("Outcome", bound=StrEnum)


def add_environment_dimension(environ: Mapping[str, str]) -> None:
    """Give every metric an ``environment`` dimension when the function knows its environment."""
    if environ.get(ENV_ENVIRONMENT):
        metrics.set_default_dimensions(environment=environ[ENV_ENVIRONMENT])


add_environment_dimension(os.environ)


def measured(logic: Callable[P, Outcome], *args: P.args, **kwargs: P.kwargs) -> Outcome:
    """Run one item's ``logic``, then count ``<step>_<outcome>`` and record ``<step>Duration``
    (ms). The step is named after the handler's Powertools service (``contract.metric_prefix``).
    """
    since = time.perf_counter()
    outcome = logic(*args, **kwargs)
    step = metric_prefix(str(metrics.service or "service_undefined"))
    metrics.add_metric(name=f"{step}_{outcome.value}", unit=MetricUnit.Count, value=1)
    metrics.add_metric(
        name=f"{step}Duration",
        unit=MetricUnit.Milliseconds,
        value=round((time.perf_counter() - since) * 1000, 1),
    )
    return outcome


def count_failure() -> None:
    """Count ``<step>_failed`` for an item whose logic raised (it is retried by its source)."""
    step = metric_prefix(str(metrics.service or "service_undefined"))
    metrics.add_metric(name=f"{step}_{FAILED_OUTCOME}", unit=MetricUnit.Count, value=1)
