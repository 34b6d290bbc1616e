"""CloudWatch metrics, metric math and dashboard widgets as plain Python values.

The monitoring construct writes its alarms and dashboard as CloudFormation resources from these
values instead of through CDK's Metric/Alarm/Widget objects: every CDK object is a round trip to
the jsii Node.js process, and a hundred alarms per environment made synthesis measurably slower
(a benchmarked target). The shapes are the ones CloudFormation and the dashboard body expect.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from aws_cdk import aws_cloudwatch as cloudwatch

PERIOD_SECONDS = 300
DASHBOARD_WIDTH = 24


@dataclass(frozen=True)
class MetricSpec:
    """One metric with its statistic over :data:`PERIOD_SECONDS` (``region`` None: the stack's)."""

    namespace: str
    name: str
    dimensions: Mapping[str, str]
    statistic: str = "Sum"
    label: str | None = None
    region: str | None = None


@dataclass(frozen=True)
class ExpressionSpec:
    """Metric math over ``using`` (id -> metric), or a ``SEARCH`` expression using none."""

    expression: str
    label: str
    using: Mapping[str, MetricSpec] = field(default_factory=dict)


Query = MetricSpec | ExpressionSpec


def alarm_queries(query: Query) -> list[cloudwatch.CfnAlarm.MetricDataQueryProperty]:
    """The ``Metrics`` of an alarm on ``query``: its metrics, and the expression if any, which
    alone returns data."""
    if isinstance(query, MetricSpec):
        return [_alarm_metric("m1", query, returns_data=True)]
    return [
        *(_alarm_metric(key, metric, returns_data=False) for key, metric in query.using.items()),
        cloudwatch.CfnAlarm.MetricDataQueryProperty(
            id="e1", expression=query.expression, label=query.label, return_data=True
        ),
    ]


def _alarm_metric(
    key: str, metric: MetricSpec, *, returns_data: bool
) -> cloudwatch.CfnAlarm.MetricDataQueryProperty:
    return cloudwatch.CfnAlarm.MetricDataQueryProperty(
        id=key,
        label=metric.label,
        return_data=returns_data,
        metric_stat=cloudwatch.CfnAlarm.MetricStatProperty(
            metric=cloudwatch.CfnAlarm.MetricProperty(
                namespace=metric.namespace,
                metric_name=metric.name,
                dimensions=[
                    cloudwatch.CfnAlarm.DimensionProperty(name=name, value=value)
                    for name, value in metric.dimensions.items()
                ],
            ),
            period=PERIOD_SECONDS,
            stat=metric.statistic,
        ),
    )


@dataclass(frozen=True)
class Widget:
    """A dashboard widget before layout: its type, size and properties."""

    kind: str
    width: int
    height: int
    properties: Mapping[str, Any]


def graph(title: str, queries: Sequence[Query], *, region: str) -> Widget:
    """A time-series graph of ``queries`` (an expression's inputs are drawn hidden)."""
    rows: list[list[Any]] = []
    for index, query in enumerate(queries):
        if isinstance(query, MetricSpec):
            rows.append(_graph_metric(query, {}))
            continue
        # Ids are per widget: prefix this expression's inputs, and let METRICS() see only them.
        ids = {key: f"e{index}_{key}" for key in query.using}
        expression = query.expression.replace("METRICS()", f'METRICS("e{index}_")')
        for key, renamed in ids.items():
            expression = re.sub(rf"\b{re.escape(key)}\b", renamed, expression)
        rows.append([{"expression": expression, "label": query.label, "id": f"e{index}"}])
        rows += [
            _graph_metric(metric, {"id": ids[key], "visible": False})
            for key, metric in query.using.items()
        ]
    return Widget(
        "metric",
        8,
        6,
        {"view": "timeSeries", "title": title, "region": region, "metrics": rows},
    )


def _graph_metric(metric: MetricSpec, extra: Mapping[str, Any]) -> list[Any]:
    options: dict[str, Any] = {"stat": metric.statistic, "period": PERIOD_SECONDS, **extra}
    if metric.label:
        options["label"] = metric.label
    if metric.region:
        options["region"] = metric.region
    dimensions = [part for item in metric.dimensions.items() for part in item]
    return [metric.namespace, metric.name, *dimensions, options]


def text(markdown: str) -> Widget:
    return Widget("text", DASHBOARD_WIDTH, 2, {"markdown": markdown})


def alarm_status(title: str, alarm_arns: Sequence[str]) -> Widget:
    return Widget("alarm", DASHBOARD_WIDTH, 6, {"title": title, "alarms": list(alarm_arns)})


def dashboard_body(rows: Sequence[Sequence[Widget]], *, start: str = "-PT3H") -> dict[str, Any]:
    """The dashboard body: each row starts on a new line; a row wider than the page wraps."""
    widgets, y = [], 0
    for row in rows:
        x, line_height = 0, 0
        for widget in row:
            if x + widget.width > DASHBOARD_WIDTH:
                x, y, line_height = 0, y + line_height, 0
            widgets.append(
                {
                    "type": widget.kind,
                    "x": x,
                    "y": y,
                    "width": widget.width,
                    "height": widget.height,
                    "properties": dict(widget.properties),
                }
            )
            x, line_height = x + widget.width, max(line_height, widget.height)
        y += line_height
    return {"start": start, "widgets": widgets}
