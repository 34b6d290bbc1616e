"""SNS topics with SnapStream's defaults: KMS-encrypted and TLS-only."""

from __future__ import annotations

from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from constructs import Construct


class SecureTopic(Construct):
    """An SNS topic encrypted with ``encryption_key`` whose policy denies any non-TLS request.

    Args:
        encryption_key: The KMS key messages are encrypted with; publishers need its use, and so do
            services that publish without an IAM principal of yours (CloudWatch alarms:
            :meth:`DataKey.allow_service`).
        display_name: The topic's display name (the sender name of its e-mail notifications).
    """

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
