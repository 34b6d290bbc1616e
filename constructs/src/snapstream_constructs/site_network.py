"""The site's network: a two-AZ VPC with private subnets, hardened NAT, endpoints and flow logs.

Built by :class:`~snapstream_constructs.web_hosting.WebHosting` inside its own scope (so its
resources keep their logical ids), unless a team hands it an existing VPC.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from constructs import Construct

from snapstream_constructs.compliance import Pack, acknowledge
from snapstream_constructs.roles import service_role

#: The singleton provider CDK adds per stack to strip the default security group's rules.
RESTRICT_DEFAULT_SG_PROVIDER = "Custom::VpcRestrictDefaultSGCustomResourceProvider"
#: The NAT instances' root volume: the Amazon Linux 2023 image's own size.
NAT_INSTANCE_VOLUME_GIB = 8
#: The VPC's address range (CDK's default, spelled out: the NAT instances admit it by value).
VPC_CIDR = "10.0.0.0/16"


@dataclass
class SiteVpc:
    """A VPC and the NAT instances built for it (none for NAT gateways or an existing VPC)."""

    vpc: ec2.IVpc
    nat_instances: list[ec2.Instance] = field(default_factory=list)


def site_vpc(
    scope: Construct,
    *,
    nat_gateways: int,
    nat_instance_type: ec2.InstanceType | None,
    volume_encryption_key: kms.IKey | None,
    flow_logs: logs.ILogGroup,
) -> SiteVpc:
    """A VPC over two AZs in ``scope``: public subnets (NAT only; no automatic public IPs) and
    private subnets with egress, S3 and DynamoDB gateway endpoints, all traffic logged to
    ``flow_logs``, the default security group stripped of its rules. NAT is ``nat_gateways``
    managed NAT gateways, or as many hardened NAT instances of ``nat_instance_type``."""
    nat_instances = (
        ec2.NatProvider.instance_v2(
            instance_type=nat_instance_type,
            machine_image=ec2.MachineImage.latest_amazon_linux2023(
                cpu_type=ec2.AmazonLinuxCpuType.ARM_64
                if nat_instance_type.architecture == ec2.InstanceArchitecture.ARM_64
                else ec2.AmazonLinuxCpuType.X86_64
            ),
            # The public subnets assign no public IPs; a NAT instance needs one.
            associate_public_ip_address=True,
            # A burst never bills surplus credits: the instance slows down instead.
            credit_specification=ec2.CpuCredits.STANDARD,
            default_allowed_traffic=ec2.NatTrafficDirection.NONE,
        )
        if nat_instance_type
        else None
    )
    vpc = ec2.Vpc(
        scope,
        "Vpc",
        ip_addresses=ec2.IpAddresses.cidr(VPC_CIDR),
        max_azs=2,
        nat_gateways=nat_gateways,
        nat_gateway_provider=nat_instances,
        subnet_configuration=[
            ec2.SubnetConfiguration(
                name="Public",
                subnet_type=ec2.SubnetType.PUBLIC,
                cidr_mask=24,
                map_public_ip_on_launch=False,
            ),
            ec2.SubnetConfiguration(
                name="Private", subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS, cidr_mask=24
            ),
        ],
        gateway_endpoints={
            "S3": ec2.GatewayVpcEndpointOptions(service=ec2.GatewayVpcEndpointAwsService.S3),
            "DynamoDb": ec2.GatewayVpcEndpointOptions(
                service=ec2.GatewayVpcEndpointAwsService.DYNAMODB
            ),
        },
        restrict_default_security_group=True,
    )
    network = SiteVpc(vpc)
    if nat_instances:
        network.nat_instances = _harden_nat_instances(scope, nat_instances, volume_encryption_key)
    # The rule-stripping custom resource's handler: CDK adds DependsOn its role, which the
    # role GetAtt already implies (cfn-lint W3005).
    provider = cdk.Stack.of(scope).node.try_find_child(RESTRICT_DEFAULT_SG_PROVIDER)
    handler = provider.node.try_find_child("Handler") if provider else None
    if isinstance(handler, cdk.CfnResource):
        handler.add_deletion_override("DependsOn")
    _flow_logs(scope, vpc, flow_logs)
    for subnet in vpc.public_subnets:
        acknowledge(
            subnet,
            pack=Pack.NIST_800_53_R5,
            rule="VPCNoUnrestrictedRouteToIGW",
            reason="Public subnets hold only the NAT gateways or instances, which need a "
            "default route to the internet gateway; they assign no public IPs, and the load "
            "balancer and instances run in private subnets that egress through NAT.",
        )
    return network


def _flow_logs(scope: Construct, vpc: ec2.Vpc, log_group: logs.ILogGroup) -> None:
    policy = iam.ManagedPolicy(
        scope,
        "FlowLogsPolicy",
        description="VPC flow logs: write into their log group",
        statements=[
            iam.PolicyStatement(
                actions=["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                resources=[log_group.log_group_arn],
            )
        ],
    )
    role = service_role(
        scope,
        "FlowLogsRole",
        service="vpc-flow-logs.amazonaws.com",
        description="VPC flow log delivery of the site VPC",
        policy=policy,
    )
    vpc.add_flow_log(
        "FlowLog",
        destination=ec2.FlowLogDestination.to_cloud_watch_logs(
            log_group, role.without_policy_updates()
        ),
        traffic_type=ec2.FlowLogTrafficType.ALL,
    )


def _harden_nat_instances(
    scope: Construct, provider: ec2.NatInstanceProviderV2, volume_encryption_key: kms.IKey | None
) -> list[ec2.Instance]:
    """The NAT instances as hardened as the site's. The provider's ``ec2.Instance`` takes no
    block devices, monitoring or metadata options: a launch template brings IMDSv2 and the
    encrypted root volume (cdk-nag matches unnamed launch templates to any instance or group,
    so every template here must be compliant), the CfnInstance the rest."""
    group = provider.security_group
    # The instances may only make HTTPS connections out, so that is all NAT forwards.
    group.add_ingress_rule(
        ec2.Peer.ipv4(VPC_CIDR), ec2.Port.tcp(443), "HTTPS from the VPC to forward"
    )
    group.add_egress_rule(
        ec2.Peer.any_ipv4(),
        ec2.Port.tcp(443),
        "HTTPS out: forwarded connections and the NAT instance's own packages",
    )
    template = ec2.LaunchTemplate(
        scope,
        "NatLaunchTemplate",
        require_imdsv2=True,
        http_put_response_hop_limit=1,
        block_devices=[encrypted_root_volume(NAT_INSTANCE_VOLUME_GIB, volume_encryption_key)],
    )
    instances = list(provider.gateway_instances)
    for instance in instances:
        cfn = instance.instance
        cfn.launch_template = ec2.CfnInstance.LaunchTemplateSpecificationProperty(
            launch_template_id=template.launch_template_id,
            version=template.latest_version_number,
        )
        cfn.monitoring = True
        cfn.ebs_optimized = True
        _acknowledge_nat_instance(instance)
    return instances


def _acknowledge_nat_instance(instance: ec2.Instance) -> None:
    acknowledge(
        instance,
        pack=Pack.NIST_800_53_R5,
        rule="EC2InstanceNoPublicIp",
        reason="A NAT instance forwards the private subnets' connections to the internet and "
        "needs a public IPv4 address for that; it sits in a public subnet and its security "
        "group admits HTTPS from the VPC's own range only.",
    )
    acknowledge(
        instance,
        pack=Pack.NIST_800_53_R5,
        rule="EC2InstancesInVPC",
        reason="The NAT instance runs in the VPC's public subnet: with a public IP its subnet "
        "is named in its network interface (SubnetId of NetworkInterfaces), which this rule "
        "does not read.",
    )
    acknowledge(
        instance,
        pack=Pack.AWS_SOLUTIONS,
        rule="EC29",
        reason="The NAT instance holds no data and is recreated by a deployment; it is the "
        "cheap NAT of non-production environments, which are destroyed in one step, and "
        "termination protection would block that.",
    )


def encrypted_root_volume(size_gib: int, key: kms.IKey | None) -> ec2.BlockDevice:
    """An encrypted gp3 root volume (the image's /dev/xvda), deleted with its instance."""
    return ec2.BlockDevice(
        device_name="/dev/xvda",
        volume=ec2.BlockDeviceVolume.ebs(
            size_gib,
            encrypted=True,
            kms_key=key,
            volume_type=ec2.EbsDeviceVolumeType.GP3,
            delete_on_termination=True,
        ),
    )
