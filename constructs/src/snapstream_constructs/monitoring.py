"""One environment's operations view: a CloudWatch dashboard and the alarms that page operators.

Alarms publish to an operations topic on ALARM and on OK. Every count threshold is per 5-minute
period; :class:`AlarmThresholds` holds them so each environment can be as strict as it needs.
What each section of the dashboard graphs and alarms on is in
:mod:`snapstream_constructs.monitoring_sections`; how an alarm is written, in
:mod:`snapstream_constructs.monitoring_alarms`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_sns as sns
from constructs import Construct

from snapstream_constructs.metric_queries import alarm_status, dashboard_body, text
from snapstream_constructs.monitoring_alarms import AlarmWriter
from snapstream_constructs.monitoring_inputs import (
    AgedQueue,
    AlarmThresholds,
    DeliveryRule,
    PipelineMetrics,
    WebTier,
)
from snapstream_constructs.monitoring_sections import DashboardSections


class OperationsMonitoring(Construct):
    """Dashboard plus alarms for functions, dead-letter queues, work queues, EventBridge rules,
    tables, instances, MediaConvert, the web tier and CloudFront, written as plain
    CloudFormation resources (``AWS::CloudWatch::Alarm``/``Dashboard``) from
    :mod:`snapstream_constructs.metric_queries`."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        name_prefix: str,
        alarm_topic: sns.ITopic,
        thresholds: AlarmThresholds,
        pipeline: PipelineMetrics,
        functions: Mapping[str, str],
        dead_letter_queues: Mapping[str, str],
        work_queues: Mapping[str, str],
        tables: Mapping[str, str],
        instances: Mapping[str, str],
        transcode_queue_name: str,
        web: WebTier,
        distributions: Mapping[str, str],
        alarm_on_distribution: bool,
        aged_queues: Mapping[str, AgedQueue],
        rules: Mapping[str, DeliveryRule],
        also_notify: Sequence[str] = (),
    ) -> None:
        """Build the dashboard and the alarms.

        Args:
            name_prefix: Prefix of the dashboard's and every alarm's name
                (``<prefix>-<name>-<what>``).
            alarm_topic: The SNS topic every alarm publishes to on ALARM and on OK; an existing
                topic works (``sns.Topic.from_topic_arn``) when its policy and key let
                ``cloudwatch.amazonaws.com`` publish.
            thresholds: When each alarm fires (:class:`AlarmThresholds`).
            pipeline: Where the pipeline functions' EMF metrics live and how they are named
                (:class:`PipelineMetrics`).
            functions: Readable name -> Lambda function name, alarmed on errors and throttles.
            dead_letter_queues: Readable name -> dead-letter queue name, alarmed on any message.
            work_queues: Readable name -> work queue name, graphed (depth, oldest message).
            tables: Readable name -> DynamoDB table name, alarmed on throttled requests.
            instances: Readable name -> id of a stand-alone EC2 instance, alarmed on failed
                status checks.
            transcode_queue_name: The MediaConvert queue whose job counts are graphed.
            web: The load balancer and target group watched (:class:`WebTier`).
            distributions: Alarm name -> CloudFront distribution id (``CloudFront`` gives
                ``<prefix>-CloudFront-5xx-rate``), graphed from any Region.
            alarm_on_distribution: Alarm on the distributions' 5xx rate. CloudFront reports
                metrics in us-east-1 only, so its alarms can exist only in a stack there.
            aged_queues: Work queues alarmed on the age of their oldest message, by readable
                name (:class:`AgedQueue`).
            rules: EventBridge rules alarmed on delivery failures, by readable name
                (:class:`DeliveryRule`).
            also_notify: ARNs of existing SNS topics every alarm also publishes to, besides
                ``alarm_topic`` (their policy and key must let ``cloudwatch.amazonaws.com``
                publish).
        """
        super().__init__(scope, construct_id)

        writer = AlarmWriter(
            self,
            name_prefix=name_prefix,
            actions=[alarm_topic.topic_arn, *also_notify],
            evaluation_periods=thresholds.evaluation_periods,
        )
        self.alarms: list[cloudwatch.CfnAlarm] = writer.alarms
        sections = DashboardSections(
            writer, thresholds=thresholds, pipeline=pipeline, region=cdk.Aws.REGION
        )
        rows = [
            sections.pipeline(),
            sections.stuck_media(),
            sections.functions(functions),
            sections.queues(dead_letter_queues, work_queues, aged_queues),
            sections.rules(rules),
            sections.transcoding(transcode_queue_name),
            sections.web(web, instances),
            *(
                sections.distribution(name, distribution_id, alarm=alarm_on_distribution)
                for name, distribution_id in distributions.items()
            ),
            sections.tables(tables),
        ]
        intro = text(
            f"# {name_prefix}\nPipeline throughput and latency, errors, queues, transcoding, web "
            "and CDN traffic, DynamoDB throttling. Alarms go to the operations topic; runbooks: "
            "`docs/runbooks.md`."
        )
        body = dashboard_body([[intro], *rows, [alarm_status("Alarms", writer.arns)]])
        self.dashboard = cloudwatch.CfnDashboard(
            self,
            "Dashboard",
            dashboard_name=name_prefix,
            dashboard_body=cdk.Stack.of(self).to_json_string(body),
        )
