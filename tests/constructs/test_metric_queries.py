"""Metrics, metric math and widgets as plain values: the shapes CloudFormation alarms and the
dashboard body expect."""

from __future__ import annotations

from typing import Any

from snapstream_constructs.metric_queries import (
    DASHBOARD_WIDTH,
    PERIOD_SECONDS,
    ExpressionSpec,
    MetricSpec,
    Widget,
    alarm_queries,
    alarm_status,
    dashboard_body,
    graph,
    text,
)

ERRORS = MetricSpec("AWS/Lambda", "Errors", {"FunctionName": "ingest"}, label="Ingest")
THROTTLES = MetricSpec("AWS/Lambda", "Throttles", {"FunctionName": "ingest"})


def test_an_alarm_on_a_metric_returns_that_metric() -> None:
    [query] = alarm_queries(ERRORS)
    assert (query.id, query.label, query.return_data) == ("m1", "Ingest", True)
    stat: Any = query.metric_stat  # jsii structs: fields typed as "or a token"
    assert (stat.period, stat.stat) == (PERIOD_SECONDS, "Sum")
    assert (stat.metric.namespace, stat.metric.metric_name) == ("AWS/Lambda", "Errors")
    assert [(d.name, d.value) for d in stat.metric.dimensions] == [("FunctionName", "ingest")]


def test_an_alarm_on_an_expression_returns_only_the_expression() -> None:
    queries = alarm_queries(ExpressionSpec("e + t", "failures", {"e": ERRORS, "t": THROTTLES}))
    assert [(q.id, q.return_data) for q in queries] == [("e", False), ("t", False), ("e1", True)]
    assert (queries[-1].expression, queries[-1].label) == ("e + t", "failures")


def test_a_graph_gives_each_expression_its_own_ids_and_hides_its_inputs() -> None:
    total = ExpressionSpec("SUM(METRICS())", "total", {"a": ERRORS, "b": THROTTLES})
    rate = ExpressionSpec("100 * a / b", "rate", {"a": ERRORS, "b": THROTTLES})
    widget = graph("Lambda", [ERRORS, total, rate], region="eu-west-1")
    assert (widget.kind, widget.width, widget.height) == ("metric", 8, 6)
    assert widget.properties["region"] == "eu-west-1"
    assert widget.properties["metrics"] == [
        ["AWS/Lambda", "Errors", "FunctionName", "ingest",
         {"stat": "Sum", "period": 300, "label": "Ingest"}],
        [{"expression": 'SUM(METRICS("e1_"))', "label": "total", "id": "e1"}],
        ["AWS/Lambda", "Errors", "FunctionName", "ingest",
         {"stat": "Sum", "period": 300, "id": "e1_a", "visible": False, "label": "Ingest"}],
        ["AWS/Lambda", "Throttles", "FunctionName", "ingest",
         {"stat": "Sum", "period": 300, "id": "e1_b", "visible": False}],
        [{"expression": "100 * e2_a / e2_b", "label": "rate", "id": "e2"}],
        ["AWS/Lambda", "Errors", "FunctionName", "ingest",
         {"stat": "Sum", "period": 300, "id": "e2_a", "visible": False, "label": "Ingest"}],
        ["AWS/Lambda", "Throttles", "FunctionName", "ingest",
         {"stat": "Sum", "period": 300, "id": "e2_b", "visible": False}],
    ]  # fmt: skip


def test_a_metric_of_another_region_names_it() -> None:
    cdn = MetricSpec("AWS/CloudFront", "Requests", {}, region="us-east-1")
    [[*_, options]] = graph("CDN", [cdn], region="eu-west-1").properties["metrics"]
    assert options["region"] == "us-east-1"


def test_rows_start_on_a_new_line_and_wrap_when_wider_than_the_page() -> None:
    small = Widget("metric", 8, 6, {})
    body = dashboard_body(
        [[text("# title")], [small, small, small, small], [alarm_status("Alarms", ["arn:a"])]]
    )
    assert body["start"] == "-PT3H"
    placed = [(w["type"], w["x"], w["y"], w["width"], w["height"]) for w in body["widgets"]]
    assert placed == [
        ("text", 0, 0, DASHBOARD_WIDTH, 2),
        ("metric", 0, 2, 8, 6),
        ("metric", 8, 2, 8, 6),
        ("metric", 16, 2, 8, 6),
        ("metric", 0, 8, 8, 6),  # the fourth graph wraps
        ("alarm", 0, 14, DASHBOARD_WIDTH, 6),
    ]
    assert body["widgets"][-1]["properties"] == {"title": "Alarms", "alarms": ["arn:a"]}
