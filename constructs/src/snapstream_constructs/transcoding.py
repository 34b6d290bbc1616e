"""MediaConvert: an on-demand queue, a job template and the role jobs run as."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_mediaconvert as mediaconvert
from constructs import Construct

from snapstream_constructs.roles import service_role


class MediaConvertTranscoding(Construct):
    """Jobs read only ``read_objects_arn`` and write only ``write_objects_arn`` (both S3 object
    ARN patterns), with ``encryption_key`` for the SSE-KMS objects on both sides.

    Args:
        read_objects_arn: S3 object ARN pattern jobs may read, e.g.
            ``bucket.arn_for_objects("in/*")``.
        write_objects_arn: S3 object ARN pattern jobs may write their outputs to.
        encryption_key: The KMS key of the objects on both sides: jobs decrypt their inputs and
            encrypt their outputs with it.
        job_template_settings: The job template's ``Settings`` (MediaConvert's ``CreateJobTemplate``
            shape: inputs and output groups, without destinations).
        accelerated: Accelerated transcoding ``PREFERRED`` (faster, billed higher, used when a job
            qualifies) instead of ``DISABLED``.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        read_objects_arn: str,
        write_objects_arn: str,
        encryption_key: kms.IKey,
        job_template_settings: Mapping[str, Any],
        accelerated: bool,
    ) -> None:
        super().__init__(scope, construct_id)
        self.queue = mediaconvert.CfnQueue(
            self,
            "Queue",
            pricing_plan="ON_DEMAND",
            status="ACTIVE",
            description="SnapStream video transcoding (on demand)",
        )
        self.policy = iam.ManagedPolicy(
            self,
            "Policy",
            description="MediaConvert jobs: read uploads, write media outputs",
            statements=[
                iam.PolicyStatement(actions=["s3:GetObject"], resources=[read_objects_arn]),
                iam.PolicyStatement(actions=["s3:PutObject"], resources=[write_objects_arn]),
                iam.PolicyStatement(
                    actions=["kms:Decrypt", "kms:GenerateDataKey"],
                    resources=[encryption_key.key_arn],
                ),
            ],
        )
        self.role = service_role(
            self,
            "Role",
            service="mediaconvert.amazonaws.com",
            description="MediaConvert jobs of SnapStream",
            policy=self.policy,
        )
        self.job_template = mediaconvert.CfnJobTemplate(
            self,
            "JobTemplate",
            description="SnapStream: HLS QVBR ladder 360p-1080p, 720p MP4, poster and frames",
            category="SnapStream",
            settings_json=dict(job_template_settings),
            queue=self.queue.attr_arn,
            acceleration_settings=mediaconvert.CfnJobTemplate.AccelerationSettingsProperty(
                mode="PREFERRED" if accelerated else "DISABLED"
            ),
            status_update_interval="SECONDS_60",
        )

    def allow_submit(self, policy: iam.ManagedPolicy) -> None:
        """Let ``policy``'s holder submit jobs to this queue from this template, as this role."""
        policy.add_statements(
            iam.PolicyStatement(
                actions=["mediaconvert:CreateJob"],
                # CreateJob is authorized on the queue and job template it names (the Service
                # Authorization Reference lists no job resource type for it).
                resources=[self.queue.attr_arn, self.job_template.attr_arn],
            ),
            iam.PolicyStatement(
                actions=["iam:PassRole"],
                resources=[self.role.role_arn],
                conditions={"StringEquals": {"iam:PassedToService": "mediaconvert.amazonaws.com"}},
            ),
        )
