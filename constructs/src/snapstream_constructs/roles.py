"""Service roles: IAM roles an AWS service assumes to act for the constructs that pass them."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from constructs import Construct


def service_role(
    scope: Construct,
    construct_id: str,
    *,
    service: str,
    description: str,
    policy: iam.ManagedPolicy,
    role_name: str | None = None,
) -> iam.Role:
    """A role only ``service`` can assume, and only on behalf of this account (confused deputy)."""
    return iam.Role(
        scope,
        construct_id,
        role_name=role_name,
        description=description,
        assumed_by=iam.ServicePrincipal(
            service, conditions={"StringEquals": {"aws:SourceAccount": cdk.Aws.ACCOUNT_ID}}
        ),
        managed_policies=[policy],
    )
