"""The stateless media pipeline of one environment: Lambda functions and their wiring.

Replaceable at any time: everything it reads or writes lives in the DataStack.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from snapstream_constructs import (
    MediaConvertTranscoding,
    Pack,
    PipelineFunction,
    QueueWithDeadLetters,
    SecureTopic,
    acknowledge,
    dead_letter_queue,
    delivery_dead_letter_queue,
    resource_finding,
)
from snapstream_constructs.transcoding import service_role
from stacks.config import EnvironmentConfig
from stacks.data_stack import DataStack
from stacks.deletion import Deletion
from stacks.lambda_assets import dependencies_layer, runtime_code
from stacks.media_objects import MediaObjects, acknowledge_media_objects
from stacks.runtime_contract import EVENT_SOURCE, contract
from stacks.stuck_media import StuckMedia

#: Job states the transcode-state function follows (STATUS_UPDATE carries progress percentages;
#: ERROR and CANCELED fail the media). A job's other states (SUBMITTED, INPUT_INFORMATION,
#: NEW_WARNING, QUEUE_HOP) change nothing it records.
TRANSCODE_STATES = ["PROGRESSING", "STATUS_UPDATE", "COMPLETE", "ERROR", "CANCELED"]


class PipelineStack(cdk.Stack):
    """Ingest, transcoding submission and state, and packaging."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: EnvironmentConfig,
        data: DataStack,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            scope,
            construct_id,
            description=f"SnapStream {config.name}: media pipeline functions",
            **kwargs,
        )
        self.config = config
        self.data = data
        #: function construct id -> its Powertools service name (names its metrics).
        self.services: dict[str, str] = {}
        self.layer = dependencies_layer(self)
        self.code = runtime_code()
        objects = MediaObjects.imported_from(data)
        self.uploads_objects, self.media_objects = objects.uploads, objects.media
        self._ingest()
        self._video()
        self._analysis()
        self.deletion = Deletion(self)
        self.stuck_media = StuckMedia(self)

    # -- shared ------------------------------------------------------------------------------

    #: Partition key families every pipeline function reads and writes: media records and the
    #: owner's profile (counters, notifications).
    ITEM_FAMILIES = ("MEDIA#*", "USER#*")

    def _function(
        self,
        construct_id: str,
        *,
        description: str,
        handler: str,
        service: str,
        environment: Mapping[str, str],
        reserved_concurrency: int,
        asynchronous: bool,
        invoked_by: str,
        memory_size: int = 256,
        timeout: cdk.Duration | None = None,
        item_families: list[str] | None = None,
        unscoped_actions_reason: str | None = None,
        notifies: bool = True,
    ) -> PipelineFunction:
        """A pipeline function that may read and move media records (of ``item_families``) and,
        if it ``notifies``, tell their owners."""
        data = self.data
        self.services[construct_id] = service
        function = PipelineFunction(
            self,
            construct_id,
            description=description,
            handler=handler,
            code=self.code,
            layers=[self.layer],
            environment={
                contract.ENV_ENVIRONMENT: self.config.name,
                contract.ENV_TABLE: data.table.table_name,
                contract.ENV_NOTIFICATIONS_TOPIC: data.notifications_topic.topic_arn,
                "POWERTOOLS_SERVICE_NAME": service,
                "POWERTOOLS_LOG_LEVEL": "INFO",
                **environment,
            },
            encryption_key=data.data_key.key,
            log_retention=self.config.log_retention,
            reserved_concurrency=reserved_concurrency,
            memory_size=memory_size,
            timeout=timeout,
            invoked_by=invoked_by,
            unscoped_actions_reason=unscoped_actions_reason,
            tracing=data.function_tracing,
            async_dead_letter_queue=(
                dead_letter_queue(self, f"{construct_id}Failures", encryption_key=data.data_key.key)
                if asynchronous
                else None
            ),
        )
        function.allow(
            actions=["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
            resources=[data.table.table_arn],
            conditions={
                "ForAllValues:StringLike": {
                    "dynamodb:LeadingKeys": list(item_families or self.ITEM_FAMILIES)
                }
            },
        )
        if notifies:
            function.allow(actions=["sns:Publish"], resources=[data.notifications_topic.topic_arn])
        # Encrypt for the encrypted topic; read KMS-encrypted objects and messages.
        function.allow(
            actions=["kms:Decrypt", "kms:GenerateDataKey"], resources=[data.data_key.key.key_arn]
        )
        return function

    # -- ingest ------------------------------------------------------------------------------

    def _ingest(self) -> None:
        config, data = self.config, self.data
        self.ingest = self._function(
            "Ingest",
            description="Checks each uploaded object's bytes, accepts or rejects it",
            handler=contract.INGEST_HANDLER,
            service="ingest",
            environment={
                contract.ENV_EVENT_BUS: data.event_bus.bus.event_bus_name,
                contract.ENV_MAX_UPLOAD_BYTES: str(config.max_upload_bytes),
                contract.ENV_MAX_IMAGE_PIXELS: str(config.max_image_pixels),
            },
            reserved_concurrency=config.ingest_reserved_concurrency,
            memory_size=config.ingest_memory_mb,
            timeout=cdk.Duration.seconds(config.ingest_timeout_seconds),
            asynchronous=False,
            invoked_by="the ingest queue's SQS event source mapping",
        )
        self.ingest.allow(
            # rejected uploads are removed by version (the uploads bucket is versioned)
            actions=["s3:GetObject", "s3:GetObjectVersion", "s3:DeleteObjectVersion"],
            resources=[self.uploads_objects],
        )
        self.ingest.allow(
            # every version of a rejected upload's key, or of a key no waiting record claims
            actions=["s3:ListBucketVersions"],
            resources=[MediaObjects.imported_from(data).uploads_bucket_arn],
            conditions={"StringLike": {"s3:prefix": [f"{contract.UPLOADS_PREFIX}*"]}},
        )
        self.ingest.allow(
            actions=["events:PutEvents"], resources=[data.event_bus.bus.event_bus_arn]
        )
        acknowledge_media_objects(self.ingest.policy, self.uploads_objects)
        self.ingest.consume(
            data.ingest_queue.queue, batch_size=10, max_batching_window=cdk.Duration.seconds(1)
        )

    # -- video -------------------------------------------------------------------------------

    def _video(self) -> None:
        from snapstream_runtime.transcoding import job_template_settings

        config, data = self.config, self.data
        self.transcoding = MediaConvertTranscoding(
            self,
            "Transcoding",
            read_objects_arn=self.uploads_objects,
            write_objects_arn=self.media_objects,
            encryption_key=data.data_key.key,
            job_template_settings=job_template_settings(),
            accelerated=config.accelerated_transcoding,
        )
        acknowledge_media_objects(self.transcoding.policy, self.uploads_objects, self.media_objects)
        media_bucket = {contract.ENV_MEDIA_BUCKET: data.media.bucket_name}
        self.transcode_submit = self._function(
            "TranscodeSubmit",
            description="Submits a MediaConvert job for each uploaded video",
            handler=contract.TRANSCODE_SUBMIT_HANDLER,
            service="transcode-submit",
            environment={
                **media_bucket,
                contract.ENV_TRANSCODE_QUEUE: self.transcoding.queue.attr_arn,
                contract.ENV_TRANSCODE_ROLE: self.transcoding.role.role_arn,
                contract.ENV_TRANSCODE_TEMPLATE: self.transcoding.job_template.attr_name,
                contract.ENV_TRANSCODE_ACCELERATED: str(config.accelerated_transcoding).lower(),
            },
            reserved_concurrency=config.video_reserved_concurrency,
            asynchronous=True,
            invoked_by="EventBridge",
        )
        self.transcoding.allow_submit(self.transcode_submit.policy)
        self._route_on_bus(
            "VideoUploaded",
            description="Uploaded videos go to transcoding",
            detail_type=contract.MEDIA_UPLOADED,
            detail={"kind": ["video"]},
            function=self.transcode_submit,
        )

        self.transcode_state = self._function(
            "TranscodeState",
            description="Records MediaConvert job progress, outputs and errors",
            handler=contract.TRANSCODE_STATE_HANDLER,
            service="transcode-state",
            environment={
                **media_bucket,
                contract.ENV_TRANSCODE_QUEUE: self.transcoding.queue.attr_arn,
                contract.ENV_EVENT_BUS: data.event_bus.bus.event_bus_name,
            },
            reserved_concurrency=config.video_reserved_concurrency,
            asynchronous=True,
            invoked_by="EventBridge",
        )
        self.transcode_state.allow(
            actions=["events:PutEvents"], resources=[data.event_bus.bus.event_bus_arn]
        )
        self._route(
            "TranscodeStateChanged",
            description="Job state changes of this environment's MediaConvert queue",
            pattern=events.EventPattern(
                source=["aws.mediaconvert"],
                detail_type=["MediaConvert Job State Change"],
                detail={"status": TRANSCODE_STATES, "queue": [self.transcoding.queue.attr_arn]},
            ),
            function=self.transcode_state,
            on_default_bus=True,
        )

        packaging = data.packaging
        self.package = self._function(
            "Package",
            description="Packages transcoded video as a MediaPackage VOD asset",
            handler=contract.PACKAGE_HANDLER,
            service="package",
            environment={
                **media_bucket,
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
        packaging.allow_packaging(self.package.policy, asset_ids=own_assets)
        self.package.allow(actions=["s3:GetObject"], resources=[self.media_objects])
        acknowledge_media_objects(self.package.policy, self.media_objects)
        acknowledge(
            self.package.policy,
            pack=Pack.AWS_SOLUTIONS,
            rule="IAM5",
            findings=[resource_finding(self, packaging.assets_arn(own_assets))],
            reason="DescribeAsset is granted on this environment's assets only: asset ids are "
            "snapstream-<env>-<media id>, and asset ARNs carry no packaging group.",
        )
        self._route_on_bus(
            "VideoTranscoded",
            description="Transcoded videos go to packaging",
            detail_type=contract.MEDIA_TRANSCODED,
            detail={},
            function=self.package,
        )

    # -- analysis ----------------------------------------------------------------------------

    def _analysis(self) -> None:
        """Rekognition, Transcribe and Comprehend. Uploads queue up for analysis (quotas back off
        through SQS); Transcribe and Rekognition video report back by event and SNS."""
        config, data = self.config, self.data
        key = data.data_key.key
        self.analysis_queue = QueueWithDeadLetters(
            self,
            "AnalysisQueue",
            encryption_key=None,  # EventBridge writes it (SSE-SQS needs no key-policy grant)
            visibility_timeout=cdk.Duration.seconds(6 * 120),
            max_receive_count=contract.ANALYSIS_MAX_ATTEMPTS,
        )
        data.event_bus.route_to_queue(
            "MediaToAnalyse",
            description="Every accepted upload is analysed",
            event_pattern=events.EventPattern(
                source=[EVENT_SOURCE],
                detail_type=[contract.MEDIA_UPLOADED],
                detail={"environment": [config.name]},
            ),
            queue=self.analysis_queue.queue,
            scope=self,
        )
        completion_topic = SecureTopic(
            self, "VideoAnalysisTopic", encryption_key=key, display_name="Rekognition video jobs"
        ).topic
        rekognition_policy = iam.ManagedPolicy(
            self,
            "VideoAnalysisPolicy",
            description="Rekognition video: report job completion",
            statements=[
                iam.PolicyStatement(
                    actions=["sns:Publish"], resources=[completion_topic.topic_arn]
                ),
                iam.PolicyStatement(
                    actions=["kms:GenerateDataKey", "kms:Decrypt"], resources=[key.key_arn]
                ),
            ],
        )
        rekognition_role = service_role(
            self,
            "VideoAnalysisRole",
            service="rekognition.amazonaws.com",
            description="Rekognition video label detection of SnapStream",
            policy=rekognition_policy,
        )
        thresholds = {
            contract.ENV_TAG_THRESHOLD: str(config.tag_confidence_threshold),
            contract.ENV_MODERATION_THRESHOLD: str(config.moderation_confidence_threshold),
            contract.ENV_MEDIA_BUCKET: data.media.bucket_name,
        }
        self.analysis = self._analysis_function(
            "Analysis",
            description="Analyses images; starts transcription and video label detection",
            handler=contract.ANALYSIS_HANDLER,
            service="analysis",
            environment={
                **thresholds,
                contract.ENV_CELEBRITIES: str(config.celebrity_recognition).lower(),
                contract.ENV_VIDEO_TEXT_SEGMENTS: str(config.video_text_and_segments).lower(),
                contract.ENV_UPLOADS_KEY: key.key_arn,
                contract.ENV_VIDEO_ANALYSIS_TOPIC: completion_topic.topic_arn,
                contract.ENV_VIDEO_ANALYSIS_ROLE: rekognition_role.role_arn,
                contract.ENV_MAX_IMAGE_PIXELS: str(config.max_image_pixels),
            },
            memory_size=1024,
            asynchronous=False,
            invoked_by="the analysis queue's SQS event source mapping",
        )
        analysis = self.analysis
        analysis.consume(self.analysis_queue.queue, batch_size=5)
        analysis.allow(
            actions=["s3:GetObject", "s3:GetObjectVersion"], resources=[self.uploads_objects]
        )
        analysis.allow(actions=["s3:PutObject"], resources=[self.media_objects])
        analysis.allow(actions=["kms:Encrypt"], resources=[key.key_arn])
        analysis.allow(
            actions=[
                action
                for action in self.NO_RESOURCE_LEVEL_ANALYSIS_ACTIONS
                if config.celebrity_recognition or action != "rekognition:RecognizeCelebrities"
            ],
            resources=["*"],
        )
        # StartTranscriptionJob and TagResource have no resource-level permissions: "*", narrowed
        # by condition keys to transcripts written to this environment's media bucket with its
        # key, and to the one tag the function sets.
        analysis.allow(
            actions=["transcribe:StartTranscriptionJob"],
            resources=["*"],
            conditions={
                "StringEquals": {
                    "transcribe:OutputBucketName": data.media.bucket_name,
                    "transcribe:OutputEncryptionKMSKeyId": key.key_arn,
                }
            },
        )
        analysis.allow(
            actions=["transcribe:TagResource"],
            resources=["*"],
            conditions={"ForAllValues:StringEquals": {"aws:TagKeys": ["media_id"]}},
        )
        analysis.allow(
            actions=["iam:PassRole"],
            resources=[rekognition_role.role_arn],
            conditions={"StringEquals": {"iam:PassedToService": "rekognition.amazonaws.com"}},
        )
        acknowledge_media_objects(analysis.policy, self.uploads_objects, self.media_objects)
        analysis.acknowledge_unscoped_actions(
            "Rekognition's image and video actions (DetectLabels, DetectText, "
            "DetectModerationLabels, StartLabelDetection, StartTextDetection, "
            "StartSegmentDetection, and RecognizeCelebrities only where celebrity_recognition is "
            "on) and Transcribe's StartTranscriptionJob and TagResource support no resource-level "
            "permissions (Service Authorization Reference), so they are granted on *. "
            "StartTranscriptionJob is allowed only with transcribe:OutputBucketName = this "
            "environment's media bucket and transcribe:OutputEncryptionKMSKeyId = its data key "
            "(job names are not limited); TagResource may set no tag key but media_id "
            "(aws:TagKeys).",
        )

        self.transcription_state = self._analysis_function(
            "TranscriptionState",
            description="Stores and analyses finished transcripts (Comprehend), tags the media",
            handler=contract.TRANSCRIPTION_STATE_HANDLER,
            service="transcription-state",
            environment=thresholds,
            memory_size=512,
            asynchronous=True,
            invoked_by="EventBridge",
        )
        transcripts = self.transcription_state
        transcripts.allow(actions=["s3:GetObject"], resources=[self.media_objects])
        transcripts.allow(
            actions=["transcribe:GetTranscriptionJob"], resources=[self._transcription_jobs_arn()]
        )
        transcripts.allow(actions=self.COMPREHEND_ACTIONS, resources=["*"])
        transcripts.acknowledge_unscoped_actions(
            "Comprehend's real-time DetectDominantLanguage, DetectSentiment, DetectEntities and "
            "DetectKeyPhrases on its built-in models support no resource-level permissions "
            "(Service Authorization Reference), so they are granted on *.",
        )
        acknowledge_media_objects(transcripts.policy, self.media_objects)
        self._acknowledge_transcription_jobs(transcripts.policy)
        self._route(
            "TranscriptionStateChanged",
            description="This environment's transcription jobs that finished or failed",
            pattern=events.EventPattern(
                source=["aws.transcribe"],
                detail_type=["Transcribe Job State Change"],
                detail={
                    "TranscriptionJobStatus": ["COMPLETED", "FAILED"],
                    "TranscriptionJobName": [{"prefix": f"snapstream-{config.name}-"}],
                },
            ),
            function=transcripts,
            on_default_bus=True,
        )

        self.video_labels = self._analysis_function(
            "VideoLabels",
            description="Pages through Rekognition video labels, stores the timeline, tags",
            handler=contract.VIDEO_LABELS_HANDLER,
            service="video-labels",
            environment=thresholds,
            memory_size=512,
            asynchronous=True,
            invoked_by="SNS",
            notifies=False,  # it stores timelines and tags; it never tells the owner anything
        )
        self.video_labels.allow(actions=self.VIDEO_RESULT_ACTIONS, resources=["*"])
        self.video_labels.acknowledge_unscoped_actions(
            "Rekognition's GetLabelDetection, GetTextDetection and GetSegmentDetection support no "
            "resource-level permissions (Service Authorization Reference), so they are granted "
            "on *; they only read the results of video-analysis jobs.",
        )
        completion_topic.add_subscription(
            subscriptions.LambdaSubscription(
                self.video_labels.function,
                dead_letter_queue=delivery_dead_letter_queue(
                    self, "VideoAnalysisDeliveryFailures", named_in="the SNS subscription"
                ),
            )
        )

    #: Rekognition image and video, and Comprehend real-time, actions support no resource-level
    #: permissions (Service Authorization Reference); Transcribe jobs do and are named below.
    NO_RESOURCE_LEVEL_ANALYSIS_ACTIONS = (
        "rekognition:DetectLabels",
        "rekognition:DetectText",
        "rekognition:DetectModerationLabels",
        "rekognition:RecognizeCelebrities",
        "rekognition:StartLabelDetection",
        "rekognition:StartTextDetection",
        "rekognition:StartSegmentDetection",
    )
    VIDEO_RESULT_ACTIONS = (
        "rekognition:GetLabelDetection",
        "rekognition:GetTextDetection",
        "rekognition:GetSegmentDetection",
    )
    COMPREHEND_ACTIONS = (
        "comprehend:DetectDominantLanguage",
        "comprehend:DetectSentiment",
        "comprehend:DetectEntities",
        "comprehend:DetectKeyPhrases",
    )

    def _transcription_jobs_arn(self) -> str:
        return self.format_arn(
            service="transcribe",
            resource="transcription-job",
            resource_name=f"snapstream-{self.config.name}-*",
        )

    def _analysis_function(
        self,
        construct_id: str,
        *,
        description: str,
        handler: str,
        service: str,
        environment: Mapping[str, str],
        memory_size: int,
        asynchronous: bool,
        invoked_by: str,
        notifies: bool = True,
    ) -> PipelineFunction:
        """An analysis function: may write media, tag, hash and analysis items (transactions)."""
        function = self._function(
            construct_id,
            description=description,
            handler=handler,
            service=service,
            environment=environment,
            reserved_concurrency=self.config.analysis_reserved_concurrency,
            memory_size=memory_size,
            timeout=cdk.Duration.seconds(120),
            asynchronous=asynchronous,
            invoked_by=invoked_by,
            item_families=[*self.ITEM_FAMILIES, "TAG#*", "HASH#*"],
            notifies=notifies,
        )
        return function

    def _acknowledge_transcription_jobs(self, policy: iam.ManagedPolicy) -> None:
        acknowledge(
            policy,
            pack=Pack.AWS_SOLUTIONS,
            rule="IAM5",
            findings=[resource_finding(self, self._transcription_jobs_arn())],
            reason="GetTranscriptionJob supports resource-level permissions and is granted on "
            "transcription-job/snapstream-<env>-* only, the names this environment gives its "
            "jobs (snapstream-<env>-<media id>). Starting jobs is not limited by name: see the "
            "analysis function's StartTranscriptionJob conditions.",
        )

    def _route_on_bus(
        self,
        construct_id: str,
        *,
        description: str,
        detail_type: str,
        detail: Mapping[str, list[str]],
        function: PipelineFunction,
    ) -> None:
        self._route(
            construct_id,
            description=description,
            pattern=events.EventPattern(
                source=[EVENT_SOURCE],
                detail_type=[detail_type],
                detail={**detail, "environment": [self.config.name]},
            ),
            function=function,
        )

    def _route(
        self,
        construct_id: str,
        *,
        description: str,
        pattern: events.EventPattern,
        function: PipelineFunction,
        on_default_bus: bool = False,
    ) -> None:
        self.data.event_bus.route(
            construct_id,
            description=description,
            event_pattern=pattern,
            function=function.function,
            on_default_bus=on_default_bus,
            scope=self,
        )
