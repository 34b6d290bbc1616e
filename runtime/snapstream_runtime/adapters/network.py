"""EC2 lookups made at deploy time."""

from __future__ import annotations

from snapstream_runtime.adapters.clients import client


def security_group_id(vpc_id: str, group_name: str) -> str | None:
    """The id of the security group named ``group_name`` in ``vpc_id``, if it exists."""
    groups = client("ec2").describe_security_groups(
        Filters=[
            {"Name": "vpc-id", "Values": [vpc_id]},
            {"Name": "group-name", "Values": [group_name]},
        ]
    )["SecurityGroups"]
    return str(groups[0]["GroupId"]) if groups else None
