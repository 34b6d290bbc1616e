"""Admit the site's CloudFront VPC origin, and nothing else, to the internal load balancer.

CloudFront's VPC-origin network interfaces carry a security group CloudFront creates in the VPC,
``CloudFront-VPCOrigins-Service-SG``, once the first VPC origin there is deployed; the load
balancer must admit that group (a rule on the VPC's address range does not match VPC-origin
traffic). CloudFormation cannot name a group it did not create, so a deploy-time lookup answers
its id after the distribution exists, and a separate ingress rule names it.
"""

from __future__ import annotations

from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from constructs import Construct

from snapstream_constructs import WebHosting
from snapstream_constructs.functions import FunctionTracing
from snapstream_constructs.site_distribution import SiteDistribution
from stacks.deploy_time import deploy_time_function, deploy_time_resource
from stacks.runtime_contract import contract

#: The security group CloudFront creates for VPC origins in each VPC that has one.
VPC_ORIGIN_GROUP_NAME = "CloudFront-VPCOrigins-Service-SG"


class VpcOriginAccess(Construct):
    """``Custom::VpcOriginSecurityGroup`` and the ingress rule that admits it on port 80."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        hosting: WebHosting,
        site: SiteDistribution,
        encryption_key: kms.IKey,
        log_retention: logs.RetentionDays,
        tracing: FunctionTracing | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.function = deploy_time_function(
            self,
            "Function",
            description="Looks up CloudFront's VPC-origin security group (deploy time)",
            handler=contract.VPC_ORIGIN_GROUP_HANDLER,
            service="vpc-origin-group",
            encryption_key=encryption_key,
            log_retention=log_retention,
            tracing=tracing,
        )
        self.function.allow(actions=["ec2:DescribeSecurityGroups"], resources=["*"])
        self.function.acknowledge_unscoped_actions(
            "ec2:DescribeSecurityGroups supports no resource-level permissions (Service "
            "Authorization Reference); the function only reads the id of CloudFront's "
            "VPC-origin security group in the site's VPC, at deploy time."
        )
        self.group = deploy_time_resource(
            self,
            "Group",
            function=self.function,
            resource_type="Custom::VpcOriginSecurityGroup",
            properties={"VpcId": hosting.vpc.vpc_id, "GroupName": VPC_ORIGIN_GROUP_NAME},
        )
        # CloudFront creates the group when the VPC origin is deployed.
        self.group.node.add_dependency(site.distribution)
        self.group_id = self.group.get_att_string("GroupId")
        hosting.admit_origin("VpcOriginIngress", source_security_group_id=self.group_id)
