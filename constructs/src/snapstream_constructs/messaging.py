"""SNS topics with SnapStream's defaults: KMS-encrypted and TLS-only."""

from __future__ import annotations

from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from constructs import Construct


class SecureTopic(Construct):
    """An SNS topic encrypted with ``encryption_key`` whose policy denies any non-TLS request."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        encryption_key: kms.IKey,
        display_name: str,
    ) -> None:
        super().__init__(scope, construct_id)
        self.topic = sns.Topic(
            self,
            "Topic",
            display_name=display_name,
            master_key=encryption_key,
            enforce_ssl=True,
        )
