"""The deletion workflow of one environment's Pipeline stack: the deletion queue (with its
dead-letter queue) and the deletion function, the only role that may delete media objects and
MediaPackage assets (docs/website.md, "Deleting"; docs/runbooks.md, redriving deletions).

The site marks a media or an account ``deleting`` and sends a message here; pipeline functions
whose job output may land after a deletion (transcode state, transcription state, packaging,
analysis) send a sweep for it. Nothing else holds any of these permissions.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import aws_cdk as cdk

from snapstream_constructs import (
    Pack,
    PipelineFunction,
    QueueWithDeadLetters,
    acknowledge,
    resource_finding,
)
from stacks.media_objects import MediaObjects, acknowledge_media_objects
from stacks.pipeline.functions import runtime_settings
from stacks.runtime_contract import MEDIA_PREFIX, UPLOADS_PREFIX, contract

if TYPE_CHECKING:
    from stacks.pipeline_stack import PipelineStack

SERVICE = "deletion"
TIMEOUT = cdk.Duration.seconds(120)
#: The item families the deletion function removes: media records and analysis, the owner's
#: profile, notifications and tag catalogue, tag and title-word search items, hash claims, e-mail
#: and username claims, login throttles, login sessions (found on GSI1 ``SESSIONS#<user>``).
ITEM_FAMILIES = [
    "MEDIA#*",
    "USER#*",
    "TAG#*",
    "TITLE#*",
    "HASH#*",
    "EMAIL#*",
    "USERNAME#*",
    "LOGIN#*",
    "SESSION#*",
]
TABLE_ACTIONS = [
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:Query",
]


class Deletion:
    """Adds the deletion queue and function to ``stack`` (a PipelineStack), and lets
    ``sweepers`` send to the queue."""

    def __init__(self, stack: PipelineStack, *, sweepers: Sequence[PipelineFunction]) -> None:
        config, data = stack.config, stack.data
        key = data.data_key.key
        self.queue_with_dlq = QueueWithDeadLetters(
            stack,
            "DeletionQueue",
            encryption_key=key,
            # AWS guidance: six times the consumer's timeout, so retries never overlap.
            visibility_timeout=cdk.Duration.seconds(6 * TIMEOUT.to_seconds()),
            max_receive_count=contract.DELETION_MAX_ATTEMPTS,
        )
        self.queue = self.queue_with_dlq.queue
        stack.services["Deletion"] = SERVICE
        self.function = PipelineFunction(
            stack,
            "Deletion",
            description="Deletes media (files, VOD asset, records) and accounts marked deleting",
            handler=contract.DELETION_HANDLER,
            code=stack.code,
            layers=[stack.layer],
            environment={
                **runtime_settings(stack, SERVICE),
                contract.ENV_UPLOADS_BUCKET: data.uploads.bucket_name,
                contract.ENV_MEDIA_BUCKET: data.media.bucket_name,
                contract.ENV_DELETION_QUEUE: self.queue.queue_url,
            },
            encryption_key=key,
            log_retention=config.log_retention,
            reserved_concurrency=config.deletion_reserved_concurrency,
            timeout=TIMEOUT,
            invoked_by="the deletion queue's SQS event source mapping",
            unscoped_actions_reason="sns:Unsubscribe (removing a deleted account's e-mail "
            "subscription) has no resource-level permissions and no condition keys.",
            tracing=data.function_tracing,
        )
        self._grant(stack)
        self.function.consume(self.queue, batch_size=5)
        for function in sweepers:
            self.allow_send(function)

    def _grant(self, stack: PipelineStack) -> None:
        data, function = stack.data, self.function
        table = data.table.table_arn
        function.allow(
            actions=TABLE_ACTIONS,
            resources=[table],
            conditions={"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ITEM_FAMILIES}},
        )
        # An account's media (OWNER#<user>), those being deleted (DELETING#<user>), its
        # login sessions (SESSIONS#<user>).
        function.allow(actions=["dynamodb:Query"], resources=[f"{table}/index/gsi1"])
        objects = MediaObjects.imported_from(data)
        for bucket_arn, prefix, object_arns in (
            (objects.uploads_bucket_arn, UPLOADS_PREFIX, objects.uploads),
            (objects.media_bucket_arn, MEDIA_PREFIX, objects.media),
        ):
            function.allow(
                actions=["s3:ListBucketVersions"],
                resources=[bucket_arn],
                conditions={"StringLike": {"s3:prefix": [f"{prefix}*"]}},
            )
            # Every version goes by its id (the buckets are versioned): never a bare delete,
            # which would only add a delete marker.
            function.allow(actions=["s3:DeleteObjectVersion"], resources=[object_arns])
        assets = stack.format_arn(
            service="mediapackage-vod",
            resource="assets",
            resource_name=f"{contract.asset_id_prefix(stack.config.name)}*",
        )
        function.allow(actions=["mediapackage-vod:DeleteAsset"], resources=[assets])
        function.allow(actions=["sqs:SendMessage"], resources=[self.queue.queue_arn])
        function.allow(actions=["sns:Publish"], resources=[data.notifications_topic.topic_arn])
        function.allow(actions=["sns:Unsubscribe"], resources=["*"])
        function.allow(
            actions=["kms:Decrypt", "kms:GenerateDataKey"], resources=[data.data_key.key.key_arn]
        )
        acknowledge_media_objects(function.policy, objects.uploads, objects.media)
        acknowledge(
            function.policy,
            pack=Pack.AWS_SOLUTIONS,
            rule="IAM5",
            findings=[resource_finding(stack, assets)],
            reason="Asset ids are generated per video as snapstream-<env>-<media id>; the policy "
            "admits this environment's assets only (DeleteAsset supports resource-level "
            "permissions; asset ARNs carry no packaging group).",
        )

    def allow_send(self, function: PipelineFunction) -> None:
        """Let ``function`` send to the deletion queue (sweeps), and tell it where the queue is
        (it already encrypts with the data key)."""
        function.function.add_environment(contract.ENV_DELETION_QUEUE, self.queue.queue_url)
        function.allow(actions=["sqs:SendMessage"], resources=[self.queue.queue_arn])
