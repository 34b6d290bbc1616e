"""The customer-managed KMS key that encrypts SnapStream's data at rest."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct


class DataKey(Construct):
    """A symmetric KMS key with yearly automatic rotation.

    Services that encrypt on our behalf without an IAM principal of ours (S3 event notifications
    into an encrypted queue, CloudWatch alarms into an encrypted topic) are granted use of the key
    through :meth:`allow_service`, each scoped to this account with ``aws:SourceAccount``.

    Args:
        description: The key's description in KMS: say what it encrypts.
        removal_policy: What happens to the key when it leaves the stack: ``RETAIN`` where it
            encrypts data you keep (data under a deleted key cannot be read again).
        pending_window: How long a key scheduled for deletion can still be recovered (7 to 30 days);
            default 30 days.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        description: str,
        removal_policy: cdk.RemovalPolicy,
        pending_window: cdk.Duration | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.key = kms.Key(
            self,
            "Key",
            description=description,
            enable_key_rotation=True,
            removal_policy=removal_policy,
            pending_window=pending_window or cdk.Duration.days(30),
        )

    def allow_cloudwatch_logs(self) -> None:
        """Let CloudWatch Logs encrypt this account's log groups in this Region with the key."""
        stack = cdk.Stack.of(self)
        self.key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="AllowCloudWatchLogs",
                principals=[iam.ServicePrincipal(f"logs.{stack.region}.amazonaws.com")],
                actions=[
                    "kms:Encrypt*",
                    "kms:Decrypt*",
                    "kms:ReEncrypt*",
                    "kms:GenerateDataKey*",
                    "kms:Describe*",
                ],
                resources=["*"],  # in a key policy, "*" means this key
                conditions={
                    "ArnLike": {
                        "kms:EncryptionContext:aws:logs:arn": stack.format_arn(
                            service="logs",
                            resource="log-group",
                            resource_name="*",
                            arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME,
                        )
                    }
                },
            )
        )

    def allow_service(self, service_principal: str) -> None:
        """Let ``service_principal`` (e.g. ``s3.amazonaws.com``) encrypt data for this account."""
        self.key.add_to_resource_policy(
            iam.PolicyStatement(
                sid=f"AllowUseBy{service_principal.split('.', maxsplit=1)[0].capitalize()}",
                principals=[iam.ServicePrincipal(service_principal)],
                actions=["kms:GenerateDataKey*", "kms:Decrypt"],
                resources=["*"],  # in a key policy, "*" means this key
                conditions={"StringEquals": {"aws:SourceAccount": cdk.Aws.ACCOUNT_ID}},
            )
        )
