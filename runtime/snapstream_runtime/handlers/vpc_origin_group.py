"""CloudFormation custom resource ``Custom::VpcOriginSecurityGroup``: the id of the security
group CloudFront gives its VPC-origin network interfaces.

CloudFront creates ``CloudFront-VPCOrigins-Service-SG`` in the VPC when the first VPC origin
there is deployed; traffic from a VPC origin is admitted by naming that group, not the VPC's
address range. CloudFormation cannot look a group up by name, so this answers its ``GroupId``
once the VPC origin exists (the resource depends on it), waiting briefly for the group to appear.
Delete: nothing to do (CloudFront owns the group).
"""

from __future__ import annotations

import time
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from snapstream_runtime.adapters import network
from snapstream_runtime.custom_resources import respond
from snapstream_runtime.observability import logger, tracer

#: How long to wait for CloudFront to create the group, and how often to look.
WAIT_SECONDS, POLL_SECONDS = 40.0, 5.0


def find_group(vpc_id: str, group_name: str, *, wait: float = WAIT_SECONDS) -> str:
    """The group's id, looking every few seconds for up to ``wait`` seconds."""
    deadline = time.monotonic() + wait
    while True:
        group_id = network.security_group_id(vpc_id, group_name)
        if group_id:
            return group_id
        if time.monotonic() >= deadline:
            raise LookupError(f"no security group {group_name!r} in {vpc_id} yet")
        time.sleep(POLL_SECONDS)


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> None:
    properties = event.get("ResourceProperties", {})
    vpc_id, group_name = str(properties.get("VpcId", "")), str(properties.get("GroupName", ""))
    physical_id = event.get("PhysicalResourceId") or f"vpc-origin-group:{vpc_id}"
    try:
        if event["RequestType"] == "Delete":
            respond(event, "SUCCESS", physical_id, {})
            return
        group_id = find_group(vpc_id, group_name)
        logger.info("VPC origin group found", extra={"vpc": vpc_id, "group": group_id})
        respond(event, "SUCCESS", f"vpc-origin-group:{vpc_id}", {"GroupId": group_id})
    except Exception as error:  # every failure must reach CloudFormation
        logger.exception("VPC origin group lookup failed")
        respond(event, "FAILED", physical_id, {}, reason=f"{type(error).__name__}: {error}")
