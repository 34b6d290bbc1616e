"""OperationsMonitoring alone: one alarm per watched thing, thresholds as given, actions wired."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from tests.cdk_support import only_resource, resources_of_type
from tests.constructs.bare_stacks import Templates, bare_stack

if TYPE_CHECKING:
    import aws_cdk as cdk

#: Distinct values, so a test can tell which threshold reached which alarm.
MONITORING_THRESHOLDS_VALUES: dict[str, Any] = {
    "function_errors": 3,
    "function_throttles": 4,
    "dead_letter_messages": 1,
    "transcode_errors": 2,
    "load_balancer_5xx": 25,
    "unhealthy_hosts": 1,
    "instance_status_checks": 1,
    "cdn_5xx_rate_percent": 7.5,
    "table_throttles": 6,
    "ingest_queue_age_seconds": 300,
    "analysis_queue_age_seconds": 900,
    "rule_failed_invocations": 5,
    "rule_dead_letter_failures": 8,
    "evaluation_periods": 2,
}


@bare_stack("MonitoringAlone")
def _monitoring_alone(stack: cdk.Stack) -> None:
    import aws_cdk as cdk

    from snapstream_constructs import (
        AgedQueue,
        AlarmThresholds,
        DataKey,
        DeliveryRule,
        OperationsMonitoring,
        PipelineMetrics,
        SecureTopic,
        WebTier,
    )

    key = DataKey(stack, "Key", description="k", removal_policy=cdk.RemovalPolicy.DESTROY)
    OperationsMonitoring(
        stack,
        "Monitoring",
        name_prefix="alone",
        alarm_topic=SecureTopic(stack, "Alarms", encryption_key=key.key, display_name="ops").topic,
        thresholds=AlarmThresholds(**MONITORING_THRESHOLDS_VALUES),
        pipeline=PipelineMetrics(
            namespace="Test",
            dimensions={"environment": "alone"},
            steps={"intake": "Intake", "convert-state": "ConvertState"},
            failed_outcome="failed",
            transcode_state_service="convert-state",
            ingest_service="intake",
            upload_outcomes=("accepted", "rejected"),
        ),
        functions={"Worker": "worker-function", "Helper": "helper-function"},
        dead_letter_queues={"Failures": "failures-queue"},
        work_queues={"Work": "work-queue"},
        tables={"Media": "media-table"},
        instances={"Nat": "i-0123456789abcdef0"},
        transcode_queue_name="convert-queue",
        web=WebTier(
            load_balancer_full_name="app/site/123", target_group_full_name="targetgroup/site/456"
        ),
        distributions={"CloudFront": "E2EXAMPLE"},
        alarm_on_distribution=True,
        aged_queues={"Work": AgedQueue(queue_name="work-queue", max_age_seconds=420)},
        rules={
            "Route": DeliveryRule(rule_name="route", event_bus_name="media-bus"),
            "JobState": DeliveryRule(rule_name="job-state", event_bus_name=None),
        },
    )


def _alarms(bare_templates: Templates) -> dict[str, dict[str, Any]]:
    alarms = resources_of_type(bare_templates["MonitoringAlone"], "AWS::CloudWatch::Alarm")
    return {a["Properties"]["AlarmName"]: a["Properties"] for a in alarms.values()}


def test_one_alarm_per_failure_mode(bare_templates: Templates) -> None:
    assert set(_alarms(bare_templates)) == {
        "alone-CloudFront-5xx-rate",
        "alone-Failures-messages",
        "alone-Helper-errors",
        "alone-Helper-throttles",
        "alone-JobState-dlq-failures",
        "alone-JobState-failed-invocations",
        "alone-LoadBalancer-5xx",
        "alone-MediaConvert-job-errors",
        "alone-Media-throttles",
        "alone-Nat-status-check",
        "alone-Route-dlq-failures",
        "alone-Route-failed-invocations",
        "alone-WebTargets-unhealthy",
        "alone-Work-oldest-message",
        "alone-Worker-errors",
        "alone-Worker-throttles",
    }


@pytest.mark.parametrize(
    ("alarm", "threshold"),
    [
        ("alone-Worker-errors", "function_errors"),
        ("alone-Worker-throttles", "function_throttles"),
        ("alone-Failures-messages", "dead_letter_messages"),
        ("alone-MediaConvert-job-errors", "transcode_errors"),
        ("alone-LoadBalancer-5xx", "load_balancer_5xx"),
        ("alone-WebTargets-unhealthy", "unhealthy_hosts"),
        ("alone-Nat-status-check", "instance_status_checks"),
        ("alone-CloudFront-5xx-rate", "cdn_5xx_rate_percent"),
        ("alone-Media-throttles", "table_throttles"),
        ("alone-Route-failed-invocations", "rule_failed_invocations"),
        ("alone-JobState-dlq-failures", "rule_dead_letter_failures"),
    ],
)
def test_each_alarm_uses_its_threshold(
    bare_templates: Templates, alarm: str, threshold: str
) -> None:
    props = _alarms(bare_templates)[alarm]
    assert props["Threshold"] == MONITORING_THRESHOLDS_VALUES[threshold]
    assert props["EvaluationPeriods"] == MONITORING_THRESHOLDS_VALUES["evaluation_periods"]
    assert props["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
    assert props["TreatMissingData"] == "notBreaching"


def test_every_alarm_notifies_the_topic_on_alarm_and_on_recovery(bare_templates: Templates) -> None:
    [topic_id] = resources_of_type(bare_templates["MonitoringAlone"], "AWS::SNS::Topic")
    for props in _alarms(bare_templates).values():
        assert props["AlarmActions"] == [{"Ref": topic_id}]
        assert props["OKActions"] == [{"Ref": topic_id}]


def test_transcode_errors_come_from_the_state_handler_failed_count(
    bare_templates: Templates,
) -> None:
    [query] = _alarms(bare_templates)["alone-MediaConvert-job-errors"]["Metrics"]
    metric = query["MetricStat"]["Metric"]
    assert metric["Namespace"] == "Test"
    assert metric["MetricName"] == "ConvertState_failed"
    assert {d["Name"]: d["Value"] for d in metric["Dimensions"]} == {
        "service": "convert-state",
        "environment": "alone",
    }


def test_table_throttles_sum_every_operation(bare_templates: Templates) -> None:
    queries = _alarms(bare_templates)["alone-Media-throttles"]["Metrics"]
    [total] = [q for q in queries if "Expression" in q]
    operations = [q["MetricStat"]["Metric"] for q in queries if "MetricStat" in q]
    assert total["Expression"] == "SUM(METRICS())"
    assert {
        d["Value"] for m in operations for d in m["Dimensions"] if d["Name"] == "Operation"
    } >= {
        "Query",
        "TransactWriteItems",
        "UpdateItem",
    }


def test_dashboard_shows_every_section(bare_templates: Templates) -> None:
    dashboard = only_resource(bare_templates["MonitoringAlone"], "AWS::CloudWatch::Dashboard")
    assert dashboard["Properties"]["DashboardName"] == "alone"
    body = str(dashboard["Properties"]["DashboardBody"])
    for title in (
        "Uploads (per 5 min)",
        "Processing time per step p90 (ms)",
        "Lambda errors",
        "Dead-letter queue messages",
        "MediaConvert jobs (AWS/MediaConvert)",
        "Site 5xx",
        "CloudFront error rates",
        "DynamoDB throttled requests",
        "Alarms",
    ):
        assert title in body


def test_a_queue_alarms_on_its_oldest_message_at_its_own_age(bare_templates: Templates) -> None:
    props = _alarms(bare_templates)["alone-Work-oldest-message"]
    [query] = props["Metrics"]
    metric = query["MetricStat"]["Metric"]
    assert (metric["Namespace"], metric["MetricName"]) == (
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
    )
    assert metric["Dimensions"] == [{"Name": "QueueName", "Value": "work-queue"}]
    assert query["MetricStat"]["Stat"] == "Maximum"
    assert props["Threshold"] == 420


@pytest.mark.parametrize(
    ("rule", "dimensions"),
    [
        # A custom bus's rule: EventBusName and RuleName.
        ("Route", {"EventBusName": "media-bus", "RuleName": "route"}),
        # A default-bus rule: RuleName only.
        ("JobState", {"RuleName": "job-state"}),
    ],
)
@pytest.mark.parametrize("metric", ["FailedInvocations", "InvocationsFailedToBeSentToDlq"])
def test_rules_alarm_on_delivery_failures_with_the_dimensions_eventbridge_uses(
    bare_templates: Templates, rule: str, dimensions: dict[str, str], metric: str
) -> None:
    kind = "failed-invocations" if metric == "FailedInvocations" else "dlq-failures"
    [query] = _alarms(bare_templates)[f"alone-{rule}-{kind}"]["Metrics"]
    found = query["MetricStat"]["Metric"]
    assert (found["Namespace"], found["MetricName"]) == ("AWS/Events", metric)
    assert {d["Name"]: d["Value"] for d in found["Dimensions"]} == dimensions
    assert query["MetricStat"]["Stat"] == "Sum"
