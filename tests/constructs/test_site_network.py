"""The site VPC alone, with NAT instances: two AZs, no automatic public IPs, gateway endpoints,
flow logs, a default security group without rules, and NAT instances as hardened as the site's."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tests.cdk_support import only_resource, resources_of_type
from tests.constructs.bare_stacks import Templates, bare_stack

if TYPE_CHECKING:
    import aws_cdk as cdk


@bare_stack("NetworkAlone", region="eu-west-1")
def _network_alone(stack: cdk.Stack) -> None:
    import aws_cdk as cdk
    from aws_cdk import aws_ec2 as ec2
    from aws_cdk import aws_logs as logs

    from snapstream_constructs import DataKey
    from snapstream_constructs.site_network import site_vpc

    key = DataKey(stack, "Key", description="k", removal_policy=cdk.RemovalPolicy.DESTROY)
    key.allow_cloudwatch_logs()
    flow_logs = logs.LogGroup(
        stack,
        "FlowLogs",
        encryption_key=key.key,
        retention=logs.RetentionDays.ONE_WEEK,
        removal_policy=cdk.RemovalPolicy.DESTROY,
    )
    site_vpc(
        stack,
        nat_gateways=2,
        nat_instance_type=ec2.InstanceType("t4g.nano"),
        volume_encryption_key=key.key,
        flow_logs=flow_logs,
    )


def _template(bare_templates: Templates) -> dict[str, Any]:
    return bare_templates["NetworkAlone"]


def test_two_azs_of_public_and_private_subnets_without_public_ips(
    bare_templates: Templates,
) -> None:
    template = _template(bare_templates)
    assert only_resource(template, "AWS::EC2::VPC")["Properties"]["CidrBlock"] == "10.0.0.0/16"
    subnets = resources_of_type(template, "AWS::EC2::Subnet")
    assert len(subnets) == 4
    assert {s["Properties"]["MapPublicIpOnLaunch"] for s in subnets.values()} == {False}
    endpoints = resources_of_type(template, "AWS::EC2::VPCEndpoint").values()
    assert {e["Properties"]["VpcEndpointType"] for e in endpoints} == {"Gateway"}
    services = sorted(e["Properties"]["ServiceName"]["Fn::Join"][1][-1] for e in endpoints)
    assert services == [".dynamodb", ".s3"]


def test_all_traffic_is_logged_and_the_default_group_is_stripped(
    bare_templates: Templates,
) -> None:
    template = _template(bare_templates)
    [(logs_id, _)] = resources_of_type(template, "AWS::Logs::LogGroup").items()
    flow_log = only_resource(template, "AWS::EC2::FlowLog")["Properties"]
    assert (flow_log["TrafficType"], flow_log["LogDestinationType"]) == (
        "ALL",
        "cloud-watch-logs",
    )
    assert flow_log["LogGroupName"] == {"Ref": logs_id}
    [role] = [
        r["Properties"]
        for lid, r in resources_of_type(template, "AWS::IAM::Role").items()
        if lid.startswith("FlowLogsRole")
    ]
    [trust] = role["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "vpc-flow-logs.amazonaws.com"}
    restrict = [
        r for r in template["Resources"].values() if r["Type"] == "Custom::VpcRestrictDefaultSG"
    ]
    assert len(restrict) == 1
    # Its handler's DependsOn on its role is implied by the role's GetAtt (cfn-lint W3005).
    [handler] = [
        r
        for lid, r in template["Resources"].items()
        if lid.startswith("CustomVpcRestrictDefaultSGCustomResourceProvider")
        and r["Type"] == "AWS::Lambda::Function"
    ]
    assert "DependsOn" not in handler


def test_nat_instances_are_hardened(bare_templates: Templates) -> None:
    template = _template(bare_templates)
    assert resources_of_type(template, "AWS::EC2::NatGateway") == {}
    [(launch_template_id, launch_template)] = resources_of_type(
        template, "AWS::EC2::LaunchTemplate"
    ).items()
    data = launch_template["Properties"]["LaunchTemplateData"]
    assert data["MetadataOptions"]["HttpTokens"] == "required"
    assert data["MetadataOptions"]["HttpPutResponseHopLimit"] == 1
    [root] = data["BlockDeviceMappings"]
    assert root["DeviceName"] == "/dev/xvda"
    ebs = root["Ebs"]
    assert (ebs["VolumeSize"], ebs["VolumeType"], ebs["Encrypted"]) == (8, "gp3", True)
    assert ebs["DeleteOnTermination"] is True
    assert ebs["KmsKeyId"]["Fn::GetAtt"][0].startswith("Key")
    instances = resources_of_type(template, "AWS::EC2::Instance").values()
    assert len(instances) == 2
    for instance in instances:
        props = instance["Properties"]
        assert props["LaunchTemplate"]["LaunchTemplateId"] == {"Ref": launch_template_id}
        assert (props["Monitoring"], props["EbsOptimized"]) == (True, True)
        assert props["InstanceType"] == "t4g.nano"
        assert props["CreditSpecification"] == {"CPUCredits": "standard"}
        assert "KeyName" not in props
    [group] = [
        g["Properties"]
        for g in resources_of_type(template, "AWS::EC2::SecurityGroup").values()
        if "SecurityGroupIngress" in g["Properties"]
    ]
    # NAT forwards HTTPS from the VPC only, and makes only HTTPS connections out.
    assert [
        (r["IpProtocol"], r["FromPort"], r["ToPort"], r["CidrIp"])
        for r in group["SecurityGroupIngress"]
    ] == [("tcp", 443, 443, "10.0.0.0/16")]
    assert [
        (r["IpProtocol"], r["FromPort"], r["ToPort"], r["CidrIp"])
        for r in group["SecurityGroupEgress"]
    ] == [("tcp", 443, 443, "0.0.0.0/0")]
