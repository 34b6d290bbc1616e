"""The stateful core of one environment: key, buckets, tables and topics.

Split from the stateless stacks so that replacing code never touches data; in environments with
``retain_data`` everything here is RETAINed and the stack has termination protection.
"""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from snapstream_constructs import (
    AccessLogBucket,
    DataKey,
    FunctionTracing,
    MediaDistribution,
    MediaEventBus,
    MediaTable,
    PlaybackSigningKey,
    QueueWithDeadLetters,
    SecureBucket,
    SecureTopic,
    VodPackaging,
    delivery_dead_letter_queue,
    notify_queue_of_object_created,
)
from snapstream_constructs.storage import account_bucket_name
from stacks.config import EnvironmentConfig
from stacks.deploy_time import deploy_time_function
from stacks.runtime_contract import EVENT_SOURCE, MEDIA_PREFIX, UPLOADS_PREFIX, contract

PRICE_CLASSES = {
    "PriceClass_100": cloudfront.PriceClass.PRICE_CLASS_100,
    "PriceClass_200": cloudfront.PriceClass.PRICE_CLASS_200,
    "PriceClass_All": cloudfront.PriceClass.PRICE_CLASS_ALL,
}


class DataStack(cdk.Stack):
    """Buckets, tables, topics and the key that encrypts them, for one environment."""

    def __init__(
        self, scope: Construct, construct_id: str, *, config: EnvironmentConfig, **kwargs: Any
    ) -> None:
        super().__init__(
            scope,
            construct_id,
            termination_protection=config.retain_data,
            description=f"SnapStream {config.name}: stateful core (key, buckets, tables, topics)",
            **kwargs,
        )
        removal = config.removal_policy
        self.data_key = DataKey(
            self,
            "DataKey",
            description=f"SnapStream {config.name} data at rest",
            removal_policy=removal,
        )
        key = self.data_key.key
        # CloudWatch alarms publish into the encrypted operations topic; S3 notifies the
        # encrypted ingest queue; EventBridge puts the events it cannot deliver to a function
        # into that function's own (encrypted) dead-letter queue; CloudWatch Logs encrypts the
        # functions' log groups.
        self.data_key.allow_service("cloudwatch.amazonaws.com")
        self.data_key.allow_service("s3.amazonaws.com")
        self.data_key.allow_service("events.amazonaws.com")
        # SES publishes the site's bounces and complaints into an encrypted topic (stacks/mail.py).
        self.data_key.allow_service("ses.amazonaws.com")
        self.data_key.allow_cloudwatch_logs()
        # Every function of the environment attaches this one X-Ray policy (its "*" is
        # acknowledged once, here), whichever stack the function is in.
        self.function_tracing = FunctionTracing.of_stack(self)

        self.access_logs = AccessLogBucket(
            self,
            "AccessLogs",
            retention=cdk.Duration.days(config.access_log_retention_days),
            removal_policy=removal,
        ).bucket
        noncurrent = cdk.Duration.days(config.noncurrent_version_retention_days)
        ia_after = config.uploads_infrequent_access_after_days
        self.uploads = SecureBucket(
            self,
            "Uploads",
            encryption_key=key,
            access_logs=self.access_logs,
            access_log_prefix="uploads/",
            # Named from the environment and pseudo parameters only, so that the ingest queue's
            # policy can name exactly this bucket (aws:SourceArn) without a dependency cycle.
            bucket_name=account_bucket_name(f"snapstream-{config.name}", "uploads"),
            removal_policy=removal,
            noncurrent_version_expiration=noncurrent,
            infrequent_access_after=cdk.Duration.days(ia_after) if ia_after else None,
        ).bucket
        self.media = SecureBucket(
            self,
            "Media",
            encryption_key=key,
            access_logs=self.access_logs,
            access_log_prefix="media/",
            removal_policy=removal,
            noncurrent_version_expiration=noncurrent,
        ).bucket

        self.table = MediaTable(
            self,
            "MediaTable",
            encryption_key=key,
            removal_policy=removal,
            deletion_protection=config.retain_data,
        ).table

        # In-flight work lives with the data it describes: the ingest queue must share a stack
        # with the uploads bucket for the bucket's notification to need no custom resource.
        self.ingest_queue = QueueWithDeadLetters(
            self,
            "IngestQueue",
            encryption_key=key,
            # AWS guidance: six times the consumer's timeout, so retries never overlap.
            visibility_timeout=cdk.Duration.seconds(6 * config.ingest_timeout_seconds),
            max_receive_count=5,
        )
        notify_queue_of_object_created(
            self.uploads, self.ingest_queue.queue, key_prefix=UPLOADS_PREFIX
        )
        self.event_bus = MediaEventBus(
            self,
            "EventBus",
            sources=[EVENT_SOURCE],
            archive_retention=cdk.Duration.days(config.event_archive_retention_days),
        )

        self.notifications_topic = SecureTopic(
            self,
            "NotificationsTopic",
            encryption_key=key,
            display_name=f"SnapStream {config.name} notifications",
        ).topic
        self.operations_topic = SecureTopic(
            self,
            "OperationsTopic",
            encryption_key=key,
            display_name=f"SnapStream {config.name} operations alarms",
        ).topic
        # The topic policy replaces SNS's default one, so the alarms' publisher is named: this
        # environment's CloudWatch alarms in this account only.
        self.operations_topic.add_to_resource_policy(
            iam.PolicyStatement(
                sid="AllowThisEnvironmentsAlarms",
                principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
                actions=["sns:Publish"],
                resources=[self.operations_topic.topic_arn],
                conditions={
                    "StringEquals": {"aws:SourceAccount": cdk.Aws.ACCOUNT_ID},
                    "ArnLike": {
                        "aws:SourceArn": self.format_arn(
                            service="cloudwatch",
                            resource="alarm",
                            resource_name=f"{config.operations_name}-*",
                            arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME,
                        )
                    },
                },
            )
        )
        self.uploads_arn_export = self.export_for_consumers(
            "UploadsBucketArn", self.uploads.bucket_arn
        )
        self.media_arn_export = self.export_for_consumers("MediaBucketArn", self.media.bucket_arn)
        self._video_delivery(config)
        if config.alarm_email:
            self.operations_topic.add_subscription(
                subscriptions.EmailSubscription(
                    config.alarm_email,
                    dead_letter_queue=delivery_dead_letter_queue(
                        self, "AlarmEmailDeliveryFailures", named_in="the SNS subscription"
                    ),
                )
            )
        if config.alarm_topic_is_chatbot:
            # A Chatbot channel subscribes to the topics its configuration lists: add this one.
            cdk.CfnOutput(
                self,
                "OperationsTopicArn",
                value=self.operations_topic.topic_arn,
                description=f"Add to the SNS topics of Chatbot channel {config.alarm_topic_arn}",
            )

    def _video_delivery(self, config: EnvironmentConfig) -> None:
        """MediaPackage VOD, the playback signing key and CloudFront.

        They live with the media bucket because CloudFront's Origin Access Control needs the
        bucket (and key) policy to name the distribution exactly; across stacks that is a cycle.
        """
        key = self.data_key.key
        self.packaging = VodPackaging(
            self,
            "Packaging",
            source_bucket=self.media,
            source_prefix=MEDIA_PREFIX,
            encryption_key=key,
            log_retention=config.log_retention,
            removal_policy=config.removal_policy,
        )
        generator = deploy_time_function(
            self,
            "PlaybackKeyGenerator",
            description="Generates the playback signing key pair at deploy time",
            handler=contract.PLAYBACK_KEYS_HANDLER,
            service="playback-keys",
            encryption_key=key,
            log_retention=config.log_retention,
        )
        self.playback_key = PlaybackSigningKey(
            self,
            "PlaybackKey",
            generator=generator.function,
            generator_policy=generator.policy,
            encryption_key=key,
            generation=config.playback_key_generation,
            removal_policy=config.removal_policy,
        )
        self.cdn = MediaDistribution(
            self,
            "Cdn",
            packaging=self.packaging,
            media_bucket=self.media,
            key_group=self.playback_key.key_group,
            access_logs=self.access_logs,
            price_class=PRICE_CLASSES[config.cdn_price_class],
            log_retention=cdk.Duration.days(config.access_log_retention_days),
            removal_policy=config.removal_policy,
            domain_name=config.cdn_domain,
            certificate_arn=config.cdn_certificate_arn,
            web_acl_arn=config.cdn_web_acl_arn,
        )
        self.packaging_domain_export = self.export_for_consumers(
            "PackagingDomainName", self.packaging.domain_name
        )
        # What the web tier needs to sign playback (values, not secrets).
        for name, value in {
            "CdnDomainName": self.cdn.distribution.distribution_domain_name,
            "PlaybackKeyPairId": self.playback_key.key_pair_id,
            "PlaybackKeySecretArn": self.playback_key.private_key.secret_arn,
        }.items():
            cdk.CfnOutput(self, name, value=value)

    def export_for_consumers(self, name: str, value: str) -> str:
        """Export ``value`` under the readable name ``<stack name>-<name>`` and return that name.

        Used where a consumer's IAM statement puts a wildcard after a cross-stack value (object
        ARNs like ``<bucket arn>/uploads/*``): cdk-nag then reports the finding as
        ``Resource::<export name>/uploads/*``, which can be acknowledged precisely.
        """
        export_name = f"{self.stack_name}-{name}"
        cdk.CfnOutput(self, name, value=value, export_name=export_name)
        return export_name
