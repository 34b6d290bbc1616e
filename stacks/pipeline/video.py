"""Video: MediaConvert transcoding of each uploaded video, the functions that submit its job and
follow the job's state, and packaging of the outputs as a MediaPackage VOD asset."""

from __future__ import annotations

from typing import TYPE_CHECKING

import aws_cdk as cdk
from aws_cdk import aws_events as events

from snapstream_constructs import (
    MediaConvertTranscoding,
    Pack,
    PipelineFunction,
    acknowledge,
    resource_finding,
)
from snapstream_runtime.transcoding import job_template_settings
from stacks.media_objects import acknowledge_media_objects
from stacks.pipeline.functions import pipeline_function
from stacks.pipeline.routes import route, route_on_bus
from stacks.runtime_contract import contract

if TYPE_CHECKING:
    from stacks.pipeline_stack import PipelineStack

#: Job states the transcode-state function follows (STATUS_UPDATE carries progress percentages;
#: ERROR and CANCELED fail the media). A job's other states (SUBMITTED, INPUT_INFORMATION,
#: NEW_WARNING, QUEUE_HOP) change nothing it records.
TRANSCODE_STATES = ["PROGRESSING", "STATUS_UPDATE", "COMPLETE", "ERROR", "CANCELED"]


class Video:
    """Adds the transcoding queue, job template and role, and the transcode-submit,
    transcode-state and package functions with their routes, to ``stack``."""

    def __init__(self, stack: PipelineStack) -> None:
        self._stack = stack
        config, objects = stack.config, stack.objects
        self.transcoding = MediaConvertTranscoding(
            stack,
            "Transcoding",
            read_objects_arn=objects.uploads,
            write_objects_arn=objects.media,
            encryption_key=stack.data.data_key.key,
            job_template_settings=job_template_settings(),
            accelerated=config.accelerated_transcoding,
        )
        acknowledge_media_objects(self.transcoding.policy, objects.uploads, objects.media)
        self._media_bucket = {contract.ENV_MEDIA_BUCKET: stack.data.media.bucket_name}
        self.transcode_submit = self._transcode_submit()
        self.transcode_state = self._transcode_state()
        self.package = self._package()

    def _transcode_submit(self) -> PipelineFunction:
        stack, config, transcoding = self._stack, self._stack.config, self.transcoding
        function = pipeline_function(
            stack,
            "TranscodeSubmit",
            description="Submits a MediaConvert job for each uploaded video",
            handler=contract.TRANSCODE_SUBMIT_HANDLER,
            service="transcode-submit",
            environment={
                **self._media_bucket,
                contract.ENV_TRANSCODE_QUEUE: transcoding.queue.attr_arn,
                contract.ENV_TRANSCODE_ROLE: transcoding.role.role_arn,
                contract.ENV_TRANSCODE_TEMPLATE: transcoding.job_template.attr_name,
                contract.ENV_TRANSCODE_ACCELERATED: str(config.accelerated_transcoding).lower(),
            },
            reserved_concurrency=config.video_reserved_concurrency,
            asynchronous=True,
            invoked_by="EventBridge",
        )
        transcoding.allow_submit(function.policy)
        route_on_bus(
            stack,
            "VideoUploaded",
            description="Uploaded videos go to transcoding",
            detail_type=contract.MEDIA_UPLOADED,
            detail={"kind": ["video"]},
            function=function,
        )
        return function

    def _transcode_state(self) -> PipelineFunction:
        stack, queue = self._stack, self.transcoding.queue
        bus = stack.data.event_bus.bus
        function = pipeline_function(
            stack,
            "TranscodeState",
            description="Records MediaConvert job progress, outputs and errors",
            handler=contract.TRANSCODE_STATE_HANDLER,
            service="transcode-state",
            environment={
                **self._media_bucket,
                contract.ENV_TRANSCODE_QUEUE: queue.attr_arn,
                contract.ENV_EVENT_BUS: bus.event_bus_name,
            },
            reserved_concurrency=stack.config.video_reserved_concurrency,
            asynchronous=True,
            invoked_by="EventBridge",
        )
        function.allow(actions=["events:PutEvents"], resources=[bus.event_bus_arn])
        route(
            stack,
            "TranscodeStateChanged",
            description="Job state changes of this environment's MediaConvert queue",
            pattern=events.EventPattern(
                source=["aws.mediaconvert"],
                detail_type=["MediaConvert Job State Change"],
                detail={"status": TRANSCODE_STATES, "queue": [queue.attr_arn]},
            ),
            function=function,
            on_default_bus=True,
        )
        return function

    def _package(self) -> PipelineFunction:
        stack, config, packaging = self._stack, self._stack.config, self._stack.data.packaging
        function = pipeline_function(
            stack,
            "Package",
            description="Packages transcoded video as a MediaPackage VOD asset",
            handler=contract.PACKAGE_HANDLER,
            service="package",
            environment={
                **self._media_bucket,
                contract.ENV_PACKAGING_GROUP: packaging.group.id,
                contract.ENV_PACKAGING_ROLE: packaging.role.role_arn,
                contract.ENV_PACKAGING_CONFIGURATIONS: cdk.Fn.to_json_string(
                    {name: c.id for name, c in packaging.configurations.items()}
                ),
            },
            reserved_concurrency=config.video_reserved_concurrency,
            asynchronous=True,
            invoked_by="EventBridge",
            unscoped_actions_reason="mediapackage-vod:CreateAsset has no resource-level "
            "permissions (Service Authorization Reference), so it is granted on *; the packaging "
            "role it passes is named exactly (iam:PassRole), for MediaPackage only.",
        )
        own_assets = f"{contract.asset_id_prefix(config.name)}*"
        packaging.allow_packaging(function.policy, asset_ids=own_assets)
        function.allow(actions=["s3:GetObject"], resources=[stack.objects.media])
        acknowledge_media_objects(function.policy, stack.objects.media)
        acknowledge(
            function.policy,
            pack=Pack.AWS_SOLUTIONS,
            rule="IAM5",
            findings=[resource_finding(stack, packaging.assets_arn(own_assets))],
            reason="DescribeAsset is granted on this environment's assets only: asset ids are "
            "snapstream-<env>-<media id>, and asset ARNs carry no packaging group.",
        )
        route_on_bus(
            stack,
            "VideoTranscoded",
            description="Transcoded videos go to packaging",
            detail_type=contract.MEDIA_TRANSCODED,
            detail={},
            function=function,
        )
        return function
