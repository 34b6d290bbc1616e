"""Grants the recorded journey cannot exercise, each with the reason it is still needed.

Every Allow of every role must be used by a recorded call or a platform request
(:mod:`tools.authority.platform`), or be listed here. Keep entries narrow: a role's logical-id
prefix, one action, and a reason an auditor can check.
"""

from __future__ import annotations

from fnmatch import fnmatchcase

from tools.authority import Grant, RolePrincipal

#: (role logical-id prefix, action pattern, reason)
UNREACHED: tuple[tuple[str, str, str], ...] = (
    (
        "HostingInstanceRole",
        "s3:GetObject",
        "The instance's boot script (launch template user data) downloads the site and runtime "
        "bundles from the CDK asset bucket with the AWS CLI; no Python of SnapStream runs it.",
    ),
    (
        "HostingInstanceRole",
        "cloudformation:SignalResource",
        "cfn-signal in the boot script reports the instance healthy to its Auto Scaling group's "
        "creation/update policy; it runs only on EC2 during a deployment.",
    ),
    (
        "HostingInstanceRole",
        "ssm:UpdateInstanceInformation",
        "The SSM agent registers the instance for Session Manager (no SSH); an agent on EC2, "
        "not SnapStream's code.",
    ),
    (
        "HostingInstanceRole",
        "ssmmessages:*",
        "The SSM agent opens Session Manager channels when an operator starts a session.",
    ),
    (
        "CustomVpcRestrictDefaultSGCustomResourceProviderRole",
        "ec2:*SecurityGroup*",
        "CDK's own custom resource strips the VPC default security group's rules at deploy time.",
    ),
)


def reason_unreached(role: RolePrincipal, grant: Grant) -> str | None:
    for prefix, action, reason in UNREACHED:
        if role.logical_id.startswith(prefix) and fnmatchcase(grant.action, action):
            return reason
    return None
