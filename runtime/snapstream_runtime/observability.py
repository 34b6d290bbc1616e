"""Powertools Logger, Tracer and Metrics shared by every handler (one instance per container)."""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics, Tracer

from snapstream_runtime.contract import METRICS_NAMESPACE

logger = Logger()
tracer = Tracer()
metrics = Metrics(namespace=METRICS_NAMESPACE)
