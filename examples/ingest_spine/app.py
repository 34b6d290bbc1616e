"""SnapStream's ingest spine dropped into an app a team already has: uploads land in a bucket,
S3 notifies a queue, a function processes each upload; what fails ends in a dead-letter queue
that pages the team's existing alarm topic.

``IngestSpine`` is the part a team copies; ``ExistingTeamStack`` stands for the stack it already
deploys, with the SNS topic its alarms already go to (context value ``alarm_topic_arn``; the
topic's policy and key must let ``cloudwatch.amazonaws.com`` publish).

- ``DataKey``: the spine's key (bucket, queues, logs), admitting S3 for the notifications.
- ``SecureBucket`` with a name fixed at synthesis (``account_bucket_name``), so that
  ``notify_queue_of_object_created`` can wire S3 -> SQS without a custom resource.
- ``QueueWithDeadLetters``: the work queue; messages failing 3 receives move to its DLQ.
- ``PipelineFunction``: Python on arm64, traced, its own role, consuming the queue with partial
  batch failures.
- Three CloudWatch alarms to the existing topic: any message in the dead-letter queue, function
  errors, and the oldest message waiting too long.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from constructs import Construct

from snapstream_constructs import (
    AccessLogBucket,
    DataKey,
    Pack,
    PipelineFunction,
    QueueWithDeadLetters,
    SecureBucket,
    acknowledge,
    notify_queue_of_object_created,
    register_compliance_packs,
    resource_finding,
)
from snapstream_constructs.storage import account_bucket_name

HERE = Path(__file__).resolve().parent
INCOMING = "incoming/"
SAMPLE_ALARM_TOPIC = "arn:aws:sns:eu-west-1:123456789012:team-alarms"


class IngestSpine(Construct):
    """Bucket -> queue -> function, with a dead-letter queue and alarms to ``alarm_topic``."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        name_prefix: str,
        alarm_topic: sns.ITopic,
        code: lambda_.Code,
        handler: str,
    ) -> None:
        super().__init__(scope, construct_id)
        data_key = DataKey(
            self,
            "Key",
            description=f"{name_prefix} uploads",
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        data_key.allow_cloudwatch_logs()
        data_key.allow_service("s3.amazonaws.com")  # S3 notifications into the encrypted queue
        key = data_key.key
        access_logs = AccessLogBucket(
            self,
            "AccessLogs",
            retention=cdk.Duration.days(90),
            removal_policy=cdk.RemovalPolicy.RETAIN,
        ).bucket
        self.uploads = SecureBucket(
            self,
            "Uploads",
            encryption_key=key,
            access_logs=access_logs,
            access_log_prefix="uploads/",
            removal_policy=cdk.RemovalPolicy.RETAIN,
            noncurrent_version_expiration=cdk.Duration.days(7),
            bucket_name=account_bucket_name(name_prefix, "uploads"),
        ).bucket
        timeout = cdk.Duration.seconds(30)
        self.work = QueueWithDeadLetters(
            self,
            "Work",
            encryption_key=key,
            visibility_timeout=cdk.Duration.seconds(6 * timeout.to_seconds()),
            max_receive_count=3,
        )
        notify_queue_of_object_created(self.uploads, self.work.queue, key_prefix=INCOMING)
        self.function = PipelineFunction(
            self,
            "Ingest",
            description=f"{name_prefix}: processes each upload",
            handler=handler,
            code=code,
            layers=[],
            environment={"UPLOADS_BUCKET": self.uploads.bucket_name},
            encryption_key=key,
            log_retention=logs.RetentionDays.THREE_MONTHS,
            reserved_concurrency=5,
            timeout=timeout,
            invoked_by="its SQS event source mapping",
        )
        incoming = self.uploads.arn_for_objects(f"{INCOMING}*")
        self.function.allow(actions=["s3:GetObject"], resources=[incoming])
        self.function.allow(actions=["kms:Decrypt"], resources=[key.key_arn])
        acknowledge(
            self.function.policy,
            pack=Pack.AWS_SOLUTIONS,
            rule="IAM5",
            findings=[resource_finding(self, incoming)],
            reason=f"The function reads whatever is uploaded under {INCOMING}, one object per "
            "notification; it cannot know the keys in advance.",
        )
        self.function.consume(self.work.queue, batch_size=10)
        self.alarms = self._alarms(name_prefix, alarm_topic)

    def _alarms(self, name_prefix: str, topic: sns.ITopic) -> list[cloudwatch.Alarm]:
        """(what, description, metric, threshold) each, alarmed at >= threshold per 5 minutes."""
        period = cdk.Duration.minutes(5)
        watched = [
            (
                "dead-letters",
                "Uploads whose processing failed 3 times: read one, fix the cause, redrive the "
                "dead-letter queue.",
                self.work.dead_letter_queue.metric_approximate_number_of_messages_visible(
                    period=period, statistic="Maximum"
                ),
                1,
            ),
            (
                "errors",
                "The ingest function failed invocations.",
                self.function.function.metric_errors(period=period),
                1,
            ),
            (
                "oldest-message",
                "An upload has waited 10 minutes: the function is stopped, throttled or failing.",
                self.work.queue.metric_approximate_age_of_oldest_message(
                    period=period, statistic="Maximum"
                ),
                600,
            ),
        ]
        action = cloudwatch_actions.SnsAction(topic)
        alarms = []
        for what, description, metric, threshold in watched:
            alarm = cloudwatch.Alarm(
                self,
                f"{what.title().replace('-', '')}Alarm",
                alarm_name=f"{name_prefix}-ingest-{what}",
                alarm_description=description,
                metric=metric,
                threshold=threshold,
                evaluation_periods=1,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            )
            alarm.add_alarm_action(action)
            alarm.add_ok_action(action)
            alarms.append(alarm)
        return alarms


class ExistingTeamStack(cdk.Stack):
    """Stands for a stack the team already deploys; the spine is one line in it."""

    def __init__(
        self, scope: Construct, construct_id: str, *, alarm_topic_arn: str, **kwargs: Any
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        alarm_topic = sns.Topic.from_topic_arn(self, "TeamAlarms", alarm_topic_arn)
        # ... the team's own resources ...
        self.ingest = IngestSpine(
            self,
            "Ingest",
            name_prefix="team-media",
            alarm_topic=alarm_topic,
            code=lambda_.Code.from_asset(str(HERE / "handler")),
            handler="ingest.handler",
        )
        cdk.CfnOutput(self, "UploadsBucket", value=self.ingest.uploads.bucket_name)


def build(
    app: cdk.App, *, env: cdk.Environment | None = None, alarm_topic_arn: str | None = None
) -> ExistingTeamStack:
    return ExistingTeamStack(
        app,
        "TeamApp",
        env=env,
        alarm_topic_arn=alarm_topic_arn
        or app.node.try_get_context("alarm_topic_arn")
        or SAMPLE_ALARM_TOPIC,
    )


def main() -> None:
    app = cdk.App()
    register_compliance_packs(app)
    build(
        app,
        env=cdk.Environment(
            account=os.environ.get("CDK_DEFAULT_ACCOUNT"),
            region=os.environ.get("CDK_DEFAULT_REGION"),
        ),
    )
    app.synth()


if __name__ == "__main__":
    main()
