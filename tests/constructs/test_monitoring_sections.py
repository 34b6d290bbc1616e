"""The dashboard's sections, each alone: what it graphs and what it alarms on."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from snapstream_constructs import AlarmThresholds, PipelineMetrics
from snapstream_constructs.metric_queries import Widget
from snapstream_constructs.monitoring_sections import TABLE_OPERATIONS

PIPELINE = PipelineMetrics(
    namespace="Team",
    dimensions={"environment": "dev"},
    steps={"ingest": "Ingest", "job-state": "JobState", "sweeper": "StuckMedia"},
    failed_outcome="failed",
    transcode_state_service="job-state",
    ingest_service="ingest",
    upload_outcomes=("accepted", "rejected"),
)
#: CloudWatch takes at most 10 metrics (and expressions) in one alarm.
ALARM_METRIC_LIMIT = 10


def _sections(pipeline: PipelineMetrics = PIPELINE, **thresholds: Any) -> tuple[Any, Any]:
    import aws_cdk as cdk
    from constructs import Construct

    from snapstream_constructs.monitoring_alarms import AlarmWriter
    from snapstream_constructs.monitoring_sections import DashboardSections

    holder = Construct(cdk.Stack(cdk.App(), "S"), "Monitoring")
    writer = AlarmWriter(holder, name_prefix="dev", actions=["arn:topic"], evaluation_periods=1)
    sections = DashboardSections(
        writer, thresholds=AlarmThresholds(**thresholds), pipeline=pipeline, region="eu-west-1"
    )
    return writer, sections


def _metrics(widget: Widget) -> list[list[Any]]:
    metrics: list[list[Any]] = widget.properties["metrics"]
    return metrics


def test_without_a_sweeper_there_is_no_stuck_media_section() -> None:
    writer, sections = _sections()
    assert sections.stuck_media() == []
    assert writer.alarms == []


def test_stuck_media_alarms_on_each_sweeps_finding_and_keeps_its_verdict_between_sweeps() -> None:
    pipeline = replace(
        PIPELINE, stuck_media_service="sweeper", stuck_media_outcomes=("redriven", "timed_out")
    )
    writer, sections = _sections(pipeline, stuck_media=3)
    found, handled = sections.stuck_media()
    [alarm] = writer.alarms
    assert (alarm.alarm_name, alarm.threshold) == ("dev-StuckMedia-found", 3)
    assert alarm.treat_missing_data == "ignore"
    [query] = alarm.metrics
    assert query.metric_stat.metric.metric_name == "StuckMedia"
    assert query.metric_stat.stat == "Maximum"
    assert found.properties["title"] == "Stuck media per sweep"
    assert [m[1] for m in _metrics(handled)] == ["StuckMedia_redriven", "StuckMedia_timed_out"]


def test_a_distribution_is_graphed_from_us_east_1_and_alarmed_only_when_asked() -> None:
    writer, sections = _sections()
    requests, rates = sections.distribution("SiteCloudFront", "E1", alarm=False)
    assert writer.alarms == []
    assert requests.properties["title"] == "SiteCloudFront requests"
    for metric in [*_metrics(requests), *_metrics(rates)]:
        assert metric[-1]["region"] == "us-east-1"  # CloudFront reports there only
        assert metric[2:6] == ["DistributionId", "E1", "Region", "Global"]
    sections.distribution("SiteCloudFront", "E1", alarm=True)
    assert [a.alarm_name for a in writer.alarms] == ["dev-SiteCloudFront-5xx-rate"]


def test_mediaconvert_jobs_are_searched_by_queue_name() -> None:
    writer, sections = _sections()
    jobs, failed, _ = sections.transcoding("team-transcoding")
    assert [m[0]["expression"] for m in _metrics(jobs)] == [
        "SEARCH('{AWS/MediaConvert,Queue} MetricName=\"JobsCompletedCount\" team-transcoding', "
        "'Sum', 300)",
        "SEARCH('{AWS/MediaConvert,Queue} MetricName=\"JobsErroredCount\" team-transcoding', "
        "'Sum', 300)",
    ]
    [alarm] = writer.alarms
    assert alarm.alarm_name == "dev-MediaConvert-job-errors"
    [query] = alarm.metrics
    assert query.metric_stat.metric.metric_name == "JobState_failed"
    assert [m[1] for m in _metrics(failed)] == ["JobState_failed"]


def test_table_throttles_fit_in_one_alarm() -> None:
    writer, sections = _sections()
    sections.tables({"Media": "media-table"})
    [alarm] = writer.alarms
    assert len(alarm.metrics) == len(TABLE_OPERATIONS) + 1 <= ALARM_METRIC_LIMIT
    assert [q.return_data for q in alarm.metrics].count(True) == 1


def test_the_site_alarms_on_5xx_from_either_the_load_balancer_or_its_targets() -> None:
    from snapstream_constructs import WebTier

    writer, sections = _sections(load_balancer_5xx=20)
    web = WebTier(load_balancer_full_name="app/site/1", target_group_full_name="targetgroup/s/2")
    widgets = sections.web(web, {})
    [five_xx, unhealthy] = writer.alarms
    assert five_xx.threshold == 20
    expression = [q for q in five_xx.metrics if q.expression]
    assert [q.expression for q in expression] == ["FILL(elb, 0) + FILL(target, 0)"]
    assert unhealthy.alarm_name == "dev-WebTargets-unhealthy"
    assert [w.properties["title"] for w in widgets][-1] == "Instance status checks failed"


def test_upload_outcomes_and_step_metrics_carry_the_pipelines_dimensions() -> None:
    _, sections = _sections()
    uploads, durations, failed = sections.pipeline()
    assert [m[1] for m in _metrics(uploads)] == ["Ingest_accepted", "Ingest_rejected"]
    assert [m[1] for m in _metrics(durations)] == [
        "IngestDuration",
        "JobStateDuration",
        "StuckMediaDuration",
    ]
    for metric, service in zip(_metrics(failed), PIPELINE.steps, strict=True):
        assert metric[:2] == ["Team", f"{PIPELINE.steps[service]}_failed"]
        assert metric[2:6] == ["service", service, "environment", "dev"]
