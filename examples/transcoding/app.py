"""A team's own transcoding, in its own account: a secure, versioned bucket pair (sources in,
renditions out) feeding MediaConvert.

- ``DataKey``: one customer-managed KMS key for both buckets (yearly rotation).
- ``AccessLogBucket``: where both buckets' server access logs go.
- ``SecureBucket`` x 2: SSE-KMS, TLS-only, no public access, versioned, logged, lifecycled.
- ``MediaConvertTranscoding``: an on-demand queue, a job template (an HLS ladder) and the role
  jobs run as, which may read only ``sources`` and write only ``renditions``.
- A managed policy the team attaches to whatever submits jobs (its own function or CI role).

Run it: ``pip install snapstream-constructs`` (the wheel from ``make dist``), then
``cdk deploy`` here (``cdk.json``); the account and Region are the CLI's.
"""

from __future__ import annotations

import os
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from constructs import Construct

from snapstream_constructs import (
    AccessLogBucket,
    DataKey,
    MediaConvertTranscoding,
    Pack,
    SecureBucket,
    acknowledge,
    register_compliance_packs,
    resource_finding,
)


def hls_ladder(renditions: tuple[tuple[int, int, int], ...]) -> dict[str, Any]:
    """Job template settings: one HLS group, H.264 QVBR per (width, height, max bitrate), AAC."""
    return {
        "TimecodeConfig": {"Source": "ZEROBASED"},
        "Inputs": [
            {
                "AudioSelectors": {"Audio Selector 1": {"DefaultSelection": "DEFAULT"}},
                "VideoSelector": {},
                "TimecodeSource": "ZEROBASED",
            }
        ],
        "OutputGroups": [
            {
                "Name": "HLS",
                "OutputGroupSettings": {
                    "Type": "HLS_GROUP_SETTINGS",
                    "HlsGroupSettings": {
                        "SegmentLength": 6,
                        "MinSegmentLength": 0,
                        "DirectoryStructure": "SINGLE_DIRECTORY",
                        "ManifestDurationFormat": "FLOATING_POINT",
                        "OutputSelection": "MANIFESTS_AND_SEGMENTS",
                    },
                },
                "Outputs": [
                    {
                        "NameModifier": f"_{height}p",
                        "ContainerSettings": {"Container": "M3U8", "M3u8Settings": {}},
                        "VideoDescription": {
                            "Width": width,
                            "Height": height,
                            "CodecSettings": {
                                "Codec": "H_264",
                                "H264Settings": {
                                    "RateControlMode": "QVBR",
                                    "MaxBitrate": max_bitrate,
                                    "QvbrSettings": {"QvbrQualityLevel": 7},
                                    "SceneChangeDetect": "TRANSITION_DETECTION",
                                },
                            },
                        },
                        "AudioDescriptions": [
                            {
                                "AudioSourceName": "Audio Selector 1",
                                "CodecSettings": {
                                    "Codec": "AAC",
                                    "AacSettings": {
                                        "Bitrate": 96_000,
                                        "CodingMode": "CODING_MODE_2_0",
                                        "SampleRate": 48_000,
                                    },
                                },
                            }
                        ],
                    }
                    for width, height, max_bitrate in renditions
                ],
            }
        ],
    }


#: (width, height, max bitrate) of each HLS rendition.
LADDER = ((640, 360, 1_000_000), (1280, 720, 3_000_000), (1920, 1080, 6_000_000))


class TranscodingStack(cdk.Stack):
    """Sources in, renditions out, MediaConvert between them."""

    def __init__(self, scope: Construct, construct_id: str, **kwargs: Any) -> None:
        super().__init__(scope, construct_id, **kwargs)
        key = DataKey(
            self,
            "Key",
            description="Team media: sources and renditions",
            removal_policy=cdk.RemovalPolicy.RETAIN,
        ).key
        logs = AccessLogBucket(
            self,
            "AccessLogs",
            retention=cdk.Duration.days(90),
            removal_policy=cdk.RemovalPolicy.RETAIN,
        ).bucket
        self.sources = SecureBucket(
            self,
            "Sources",
            encryption_key=key,
            access_logs=logs,
            access_log_prefix="sources/",
            removal_policy=cdk.RemovalPolicy.RETAIN,
            noncurrent_version_expiration=cdk.Duration.days(7),
            infrequent_access_after=cdk.Duration.days(30),
        ).bucket
        self.renditions = SecureBucket(
            self,
            "Renditions",
            encryption_key=key,
            access_logs=logs,
            access_log_prefix="renditions/",
            removal_policy=cdk.RemovalPolicy.RETAIN,
            noncurrent_version_expiration=cdk.Duration.days(7),
        ).bucket
        reads, writes = self.sources.arn_for_objects("*"), self.renditions.arn_for_objects("*")
        self.transcoding = MediaConvertTranscoding(
            self,
            "Transcoding",
            read_objects_arn=reads,
            write_objects_arn=writes,
            encryption_key=key,
            job_template_settings=hls_ladder(LADDER),
            accelerated=False,
        )
        acknowledge(
            self.transcoding.policy,
            pack=Pack.AWS_SOLUTIONS,
            rule="IAM5",
            findings=[resource_finding(self, reads), resource_finding(self, writes)],
            reason="MediaConvert jobs read any source object and write renditions anywhere in "
            "the renditions bucket: the two buckets hold nothing else.",
        )
        # Attach to whatever submits jobs: CreateJob on this queue and template, PassRole of
        # the jobs' role to MediaConvert only.
        self.submit_policy = iam.ManagedPolicy(
            self, "SubmitJobs", description="Submit MediaConvert jobs from the team's template"
        )
        self.transcoding.allow_submit(self.submit_policy)
        for name, value in {
            "SourcesBucket": self.sources.bucket_name,
            "RenditionsBucket": self.renditions.bucket_name,
            "JobTemplate": self.transcoding.job_template.attr_name,
            "Queue": self.transcoding.queue.attr_arn,
            "JobRoleArn": self.transcoding.role.role_arn,
            "SubmitPolicyArn": self.submit_policy.managed_policy_arn,
        }.items():
            cdk.CfnOutput(self, name, value=value)


def build(app: cdk.App, *, env: cdk.Environment | None = None) -> TranscodingStack:
    return TranscodingStack(app, "TeamTranscoding", env=env)


def main() -> None:
    app = cdk.App()
    register_compliance_packs(app)  # every finding acknowledged with a reason, or synth fails
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
