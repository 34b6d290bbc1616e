"""Analysis: Rekognition, Transcribe and Comprehend. Accepted uploads queue up for analysis
(quotas back off through SQS); Transcribe and Rekognition video report back by event and SNS."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import aws_cdk as cdk
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sns_subscriptions as subscriptions

from snapstream_constructs import (
    Pack,
    PipelineFunction,
    QueueWithDeadLetters,
    SecureTopic,
    acknowledge,
    delivery_dead_letter_queue,
    resource_finding,
    service_role,
)
from stacks.media_objects import acknowledge_media_objects
from stacks.pipeline.functions import ITEM_FAMILIES, pipeline_function
from stacks.pipeline.routes import route
from stacks.runtime_contract import EVENT_SOURCE, contract

if TYPE_CHECKING:
    from stacks.pipeline_stack import PipelineStack


class Analysis:
    """Adds the analysis queue, the Rekognition video-analysis topic and role, and the analysis,
    transcription-state and video-labels functions with their grants, to ``stack``."""

    #: Every analysis function's timeout; the analysis queue hides a message six times as long.
    TIMEOUT = cdk.Duration.seconds(120)

    def __init__(self, stack: PipelineStack) -> None:
        self._stack = stack
        config, data = stack.config, stack.data
        self.queue = QueueWithDeadLetters(
            stack,
            "AnalysisQueue",
            encryption_key=None,  # EventBridge writes it (SSE-SQS needs no key-policy grant)
            visibility_timeout=cdk.Duration.seconds(6 * self.TIMEOUT.to_seconds()),
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
            queue=self.queue.queue,
            scope=stack,
        )
        self.video_analysis_topic = SecureTopic(
            stack,
            "VideoAnalysisTopic",
            encryption_key=data.data_key.key,
            display_name="Rekognition video jobs",
        ).topic
        self.video_analysis_role = self._video_analysis_role()
        self._thresholds = {
            contract.ENV_TAG_THRESHOLD: str(config.tag_confidence_threshold),
            contract.ENV_MODERATION_THRESHOLD: str(config.moderation_confidence_threshold),
            contract.ENV_MEDIA_BUCKET: data.media.bucket_name,
        }
        self.analyser = self._analyser()
        self.transcription_state = self._transcription_state()
        self.video_labels = self._video_labels()

    def _video_analysis_role(self) -> iam.Role:
        """The role Rekognition video jobs run as: they report completion to the topic."""
        stack, key = self._stack, self._stack.data.data_key.key
        policy = iam.ManagedPolicy(
            stack,
            "VideoAnalysisPolicy",
            description="Rekognition video: report job completion",
            statements=[
                iam.PolicyStatement(
                    actions=["sns:Publish"], resources=[self.video_analysis_topic.topic_arn]
                ),
                iam.PolicyStatement(
                    actions=["kms:GenerateDataKey", "kms:Decrypt"], resources=[key.key_arn]
                ),
            ],
        )
        return service_role(
            stack,
            "VideoAnalysisRole",
            service="rekognition.amazonaws.com",
            description="Rekognition video label detection of SnapStream",
            policy=policy,
        )

    #: Partition key families the analysis functions write: media records and the owner's
    #: profile, tags and duplicate-detection hashes (in transactions).
    ANALYSIS_ITEM_FAMILIES = (*ITEM_FAMILIES, "TAG#*", "HASH#*")

    def _function(
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
        return pipeline_function(
            self._stack,
            construct_id,
            description=description,
            handler=handler,
            service=service,
            environment=environment,
            reserved_concurrency=self._stack.config.analysis_reserved_concurrency,
            memory_size=memory_size,
            timeout=self.TIMEOUT,
            asynchronous=asynchronous,
            invoked_by=invoked_by,
            item_families=self.ANALYSIS_ITEM_FAMILIES,
            notifies=notifies,
        )

    #: Rekognition image and video actions support no resource-level permissions (Service
    #: Authorization Reference).
    NO_RESOURCE_LEVEL_ANALYSIS_ACTIONS = (
        "rekognition:DetectLabels",
        "rekognition:DetectText",
        "rekognition:DetectModerationLabels",
        "rekognition:RecognizeCelebrities",
        "rekognition:StartLabelDetection",
        "rekognition:StartTextDetection",
        "rekognition:StartSegmentDetection",
    )

    def _analyser(self) -> PipelineFunction:
        stack, config, data = self._stack, self._stack.config, self._stack.data
        key, objects = data.data_key.key, stack.objects
        function = self._function(
            "Analysis",
            description="Analyses images; starts transcription and video label detection",
            handler=contract.ANALYSIS_HANDLER,
            service="analysis",
            environment={
                **self._thresholds,
                contract.ENV_CELEBRITIES: str(config.celebrity_recognition).lower(),
                contract.ENV_VIDEO_TEXT_SEGMENTS: str(config.video_text_and_segments).lower(),
                contract.ENV_UPLOADS_KEY: key.key_arn,
                contract.ENV_VIDEO_ANALYSIS_TOPIC: self.video_analysis_topic.topic_arn,
                contract.ENV_VIDEO_ANALYSIS_ROLE: self.video_analysis_role.role_arn,
                contract.ENV_MAX_IMAGE_PIXELS: str(config.max_image_pixels),
            },
            memory_size=1024,
            asynchronous=False,
            invoked_by="the analysis queue's SQS event source mapping",
        )
        function.consume(self.queue.queue, batch_size=5)
        function.allow(actions=["s3:GetObject", "s3:GetObjectVersion"], resources=[objects.uploads])
        function.allow(actions=["s3:PutObject"], resources=[objects.media])
        function.allow(actions=["kms:Encrypt"], resources=[key.key_arn])
        function.allow(
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
        function.allow(
            actions=["transcribe:StartTranscriptionJob"],
            resources=["*"],
            conditions={
                "StringEquals": {
                    "transcribe:OutputBucketName": data.media.bucket_name,
                    "transcribe:OutputEncryptionKMSKeyId": key.key_arn,
                }
            },
        )
        function.allow(
            actions=["transcribe:TagResource"],
            resources=["*"],
            conditions={"ForAllValues:StringEquals": {"aws:TagKeys": ["media_id"]}},
        )
        function.allow(
            actions=["iam:PassRole"],
            resources=[self.video_analysis_role.role_arn],
            conditions={"StringEquals": {"iam:PassedToService": "rekognition.amazonaws.com"}},
        )
        acknowledge_media_objects(function.policy, objects.uploads, objects.media)
        function.acknowledge_unscoped_actions(
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
        return function

    #: Comprehend's real-time actions on its built-in models support no resource-level
    #: permissions (Service Authorization Reference).
    COMPREHEND_ACTIONS = (
        "comprehend:DetectDominantLanguage",
        "comprehend:DetectSentiment",
        "comprehend:DetectEntities",
        "comprehend:DetectKeyPhrases",
    )

    def _transcription_state(self) -> PipelineFunction:
        stack, config = self._stack, self._stack.config
        function = self._function(
            "TranscriptionState",
            description="Stores and analyses finished transcripts (Comprehend), tags the media",
            handler=contract.TRANSCRIPTION_STATE_HANDLER,
            service="transcription-state",
            environment=self._thresholds,
            memory_size=512,
            asynchronous=True,
            invoked_by="EventBridge",
        )
        # Transcription jobs support resource-level permissions: the names this environment
        # gives its jobs, snapstream-<env>-<media id>.
        jobs = stack.format_arn(
            service="transcribe",
            resource="transcription-job",
            resource_name=f"snapstream-{config.name}-*",
        )
        function.allow(actions=["s3:GetObject"], resources=[stack.objects.media])
        function.allow(actions=["transcribe:GetTranscriptionJob"], resources=[jobs])
        function.allow(actions=self.COMPREHEND_ACTIONS, resources=["*"])
        function.acknowledge_unscoped_actions(
            "Comprehend's real-time DetectDominantLanguage, DetectSentiment, DetectEntities and "
            "DetectKeyPhrases on its built-in models support no resource-level permissions "
            "(Service Authorization Reference), so they are granted on *.",
        )
        acknowledge_media_objects(function.policy, stack.objects.media)
        acknowledge(
            function.policy,
            pack=Pack.AWS_SOLUTIONS,
            rule="IAM5",
            findings=[resource_finding(stack, jobs)],
            reason="GetTranscriptionJob supports resource-level permissions and is granted on "
            "transcription-job/snapstream-<env>-* only, the names this environment gives its "
            "jobs (snapstream-<env>-<media id>). Starting jobs is not limited by name: see the "
            "analysis function's StartTranscriptionJob conditions.",
        )
        route(
            stack,
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
            function=function,
            on_default_bus=True,
        )
        return function

    #: Reading a video-analysis job's results; Rekognition supports no resource-level
    #: permissions for them (Service Authorization Reference).
    VIDEO_RESULT_ACTIONS = (
        "rekognition:GetLabelDetection",
        "rekognition:GetTextDetection",
        "rekognition:GetSegmentDetection",
    )

    def _video_labels(self) -> PipelineFunction:
        function = self._function(
            "VideoLabels",
            description="Pages through Rekognition video labels, stores the timeline, tags",
            handler=contract.VIDEO_LABELS_HANDLER,
            service="video-labels",
            environment=self._thresholds,
            memory_size=512,
            asynchronous=True,
            invoked_by="SNS",
            notifies=False,  # it stores timelines and tags; it never tells the owner anything
        )
        function.allow(actions=self.VIDEO_RESULT_ACTIONS, resources=["*"])
        function.acknowledge_unscoped_actions(
            "Rekognition's GetLabelDetection, GetTextDetection and GetSegmentDetection support no "
            "resource-level permissions (Service Authorization Reference), so they are granted "
            "on *; they only read the results of video-analysis jobs.",
        )
        self.video_analysis_topic.add_subscription(
            subscriptions.LambdaSubscription(
                function.function,
                dead_letter_queue=delivery_dead_letter_queue(
                    self._stack, "VideoAnalysisDeliveryFailures", named_in="the SNS subscription"
                ),
            )
        )
        return function
