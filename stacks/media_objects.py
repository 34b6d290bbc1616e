"""The Data stack's object prefixes as seen by the stacks that use them, and the one IAM5
acknowledgment their per-media wildcards need."""

from __future__ import annotations

from dataclasses import dataclass

import aws_cdk as cdk
from aws_cdk import aws_iam as iam

from snapstream_constructs import Pack, acknowledge, resource_finding
from stacks.data_stack import DataStack
from stacks.runtime_contract import MEDIA_PREFIX, UPLOADS_PREFIX


@dataclass(frozen=True)
class MediaObjects:
    uploads_bucket_arn: str
    media_bucket_arn: str

    @classmethod
    def imported_from(cls, data: DataStack) -> MediaObjects:
        """Through the Data stack's readable exports, so findings name them precisely."""
        return cls(
            cdk.Fn.import_value(data.uploads_arn_export),
            cdk.Fn.import_value(data.media_arn_export),
        )

    @property
    def uploads(self) -> str:
        return f"{self.uploads_bucket_arn}/{UPLOADS_PREFIX}*"

    @property
    def media(self) -> str:
        return f"{self.media_bucket_arn}/{MEDIA_PREFIX}*"


def acknowledge_media_objects(policy: iam.ManagedPolicy, *object_arns: str) -> None:
    acknowledge(
        policy,
        pack=Pack.AWS_SOLUTIONS,
        rule="IAM5",
        findings=[resource_finding(cdk.Stack.of(policy), arn) for arn in object_arns],
        reason="Object keys are generated per media (uploads/<user>/<media>/<name>, "
        "media/<user>/<media>/...); access is limited to those prefixes of the bucket.",
    )
