"""Ingest: checks each uploaded object's bytes, then accepts it (announced on the SnapStream bus)
or rejects it (every version of its key removed)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import aws_cdk as cdk

from stacks.media_objects import acknowledge_media_objects
from stacks.pipeline.functions import pipeline_function
from stacks.runtime_contract import contract

if TYPE_CHECKING:
    from stacks.pipeline_stack import PipelineStack


class Ingest:
    """Adds the ingest function, fed by the Data stack's ingest queue, to ``stack``."""

    def __init__(self, stack: PipelineStack) -> None:
        config, data, objects = stack.config, stack.data, stack.objects
        bus = data.event_bus.bus
        self.function = pipeline_function(
            stack,
            "Ingest",
            description="Checks each uploaded object's bytes, accepts or rejects it",
            handler=contract.INGEST_HANDLER,
            service="ingest",
            environment={
                contract.ENV_EVENT_BUS: bus.event_bus_name,
                contract.ENV_MAX_UPLOAD_BYTES: str(config.max_upload_bytes),
                contract.ENV_MAX_IMAGE_PIXELS: str(config.max_image_pixels),
            },
            reserved_concurrency=config.ingest_reserved_concurrency,
            memory_size=config.ingest_memory_mb,
            timeout=cdk.Duration.seconds(config.ingest_timeout_seconds),
            asynchronous=False,
            invoked_by="the ingest queue's SQS event source mapping",
        )
        self.function.allow(
            # rejected uploads are removed by version (the uploads bucket is versioned)
            actions=["s3:GetObject", "s3:GetObjectVersion", "s3:DeleteObjectVersion"],
            resources=[objects.uploads],
        )
        self.function.allow(
            # every version of a rejected upload's key, or of a key no waiting record claims
            actions=["s3:ListBucketVersions"],
            resources=[objects.uploads_bucket_arn],
            conditions={"StringLike": {"s3:prefix": [f"{contract.UPLOADS_PREFIX}*"]}},
        )
        self.function.allow(actions=["events:PutEvents"], resources=[bus.event_bus_arn])
        self.function.allow(
            # an arrived upload's title-word search items, in the transition's transaction
            actions=["dynamodb:PutItem"],
            resources=[data.table.table_arn],
            conditions={"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["TITLE#*"]}},
        )
        acknowledge_media_objects(self.function.policy, objects.uploads)
        self.function.consume(
            data.ingest_queue.queue, batch_size=10, max_batching_window=cdk.Duration.seconds(1)
        )
