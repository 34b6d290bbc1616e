"""WebHosting alone (behind the SiteDistribution that must front it): props reach the template,
bad props are refused."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import pytest

from tests.cdk_support import only_resource, resources_of_type
from tests.constructs.bare_stacks import SITE_BUNDLE, Templates, bare_stack

if TYPE_CHECKING:
    import aws_cdk as cdk

#: A CLOUDFRONT-scope web ACL made elsewhere (SiteWebAcl has its own tests).
WEB_ACL_ARN = "arn:aws:wafv2:us-east-1:123456789012:global/webacl/site/a1b2c3d4"
PROPS: dict[str, Any] = {
    "settings": {"MODE": "test", "LIMIT": "10"},
    "app_port": 8080,
    "health_check_path": "/ping",
    "wsgi_app": "site.wsgi:app",
    "access_log_prefix": "lb/",
    "min_capacity": 2,
    "max_capacity": 2,
    "nat_gateways": 2,
}


# ELB access logging needs a concrete Region (its log-delivery principal is per Region).
@bare_stack("WebAlone", region="us-east-1")
def _web_alone(stack: cdk.Stack) -> None:
    """WebHosting with a customer-managed volume key, a fixed worker count and one admitted
    origin group, behind a SiteDistribution (which acknowledges the WAF on its load balancer)."""
    import aws_cdk as cdk
    from aws_cdk import aws_ec2 as ec2
    from aws_cdk import aws_kms as kms
    from aws_cdk import aws_s3_assets as s3_assets

    from snapstream_constructs import (
        AccessLogBucket,
        DataKey,
        SecureBucket,
        SiteDistribution,
        WebHosting,
    )

    destroy = cdk.RemovalPolicy.DESTROY
    key = DataKey(stack, "Key", description="k", removal_policy=destroy)
    key.allow_cloudwatch_logs()
    logs = AccessLogBucket(
        stack, "Logs", retention=cdk.Duration.days(5), removal_policy=destroy
    ).bucket
    # cdk-nag recognises a log destination by a bucket that logs into it.
    SecureBucket(
        stack,
        "Data",
        encryption_key=key.key,
        access_logs=logs,
        access_log_prefix="data/",
        removal_policy=destroy,
        noncurrent_version_expiration=cdk.Duration.days(3),
    )
    hosting = WebHosting(
        stack,
        "Site",
        site_bundle=s3_assets.Asset(stack, "Bundle", path=str(SITE_BUNDLE)),
        **PROPS,
        access_logs=logs,
        log_encryption_key=key.key,
        log_retention=cdk.aws_logs.RetentionDays.ONE_WEEK,
        instance_type=ec2.InstanceType("m7g.large"),
        deletion_protection=True,
        workers=3,
        volume_size_gib=30,
        volume_encryption_key=kms.Key(stack, "VolumeKey", enable_key_rotation=True),
    )
    hosting.admit_origin("Origin", source_security_group_id="sg-0123456789abcdef0")
    SiteDistribution(
        stack,
        "Edge",
        load_balancer=hosting.load_balancer,
        web_acl_arn=WEB_ACL_ARN,
        access_logs=logs,
        log_retention=cdk.Duration.days(5),
        removal_policy=destroy,
    )


def _user_data(template: dict[str, Any]) -> str:
    data = only_resource(template, "AWS::EC2::LaunchTemplate")["Properties"]["LaunchTemplateData"]
    parts = data["UserData"]["Fn::Base64"]["Fn::Join"][1]
    return "".join(p if isinstance(p, str) else "<token>" for p in parts)


def test_props_reach_the_template(bare_templates: Templates) -> None:
    template = bare_templates["WebAlone"]
    data = only_resource(template, "AWS::EC2::LaunchTemplate")["Properties"]["LaunchTemplateData"]
    assert data["InstanceType"] == "m7g.large"
    [root] = data["BlockDeviceMappings"]
    assert root["Ebs"]["VolumeSize"] == 30
    assert root["Ebs"]["KmsKeyId"]["Fn::GetAtt"][0].startswith("VolumeKey")
    group = only_resource(template, "AWS::AutoScaling::AutoScalingGroup")
    assert (group["Properties"]["MinSize"], group["Properties"]["MaxSize"]) == ("2", "2")
    # min == max: one instance may leave service at a time, never all.
    assert group["UpdatePolicy"]["AutoScalingRollingUpdate"]["MinInstancesInService"] == 1
    target = only_resource(template, "AWS::ElasticLoadBalancingV2::TargetGroup")["Properties"]
    assert (target["Port"], target["HealthCheckPath"]) == (8080, "/ping")
    assert len(resources_of_type(template, "AWS::EC2::NatGateway")) == 2
    balancer = only_resource(template, "AWS::ElasticLoadBalancingV2::LoadBalancer")
    attributes = {a["Key"]: a["Value"] for a in balancer["Properties"]["LoadBalancerAttributes"]}
    assert attributes["deletion_protection.enabled"] == "true"
    assert attributes["access_logs.s3.prefix"] == "lb"  # ELB adds the slash itself
    assert balancer["Properties"]["Scheme"] == "internal"
    [listener] = resources_of_type(template, "AWS::ElasticLoadBalancingV2::Listener").values()
    assert (listener["Properties"]["Port"], listener["Properties"]["Protocol"]) == (80, "HTTP")
    # The load balancer admits the one group admit_origin names, on the listener's port.
    [origin] = [
        r["Properties"]
        for r in resources_of_type(template, "AWS::EC2::SecurityGroupIngress").values()
        if r["Properties"]["FromPort"] == 80
    ]
    assert origin["SourceSecurityGroupId"] == "sg-0123456789abcdef0"
    assert not any(
        rule.get("CidrIp")
        for group in resources_of_type(template, "AWS::EC2::SecurityGroup").values()
        for rule in group["Properties"].get("SecurityGroupIngress", [])
        if rule.get("FromPort") == 80
    )


def test_user_data_passes_the_props_to_the_installer(
    bare_templates: Templates,
) -> None:
    user_data = _user_data(bare_templates["WebAlone"])
    installer = re.search(r"^bash '(.+?)' (.*)$", user_data, re.MULTILINE)
    assert installer is not None
    assert installer.group(1) == "/opt/snapstream/releases/installer/deploy/install.sh"
    assert installer.group(2).endswith(
        "--port 8080 --health-path '/ping' --wsgi-app 'site.wsgi:app' --workers 3 "
        "-- 'MODE=test' 'LIMIT=10'"
    )


def _construct(**changes: Any) -> None:
    import aws_cdk as cdk
    from aws_cdk import aws_ec2 as ec2
    from aws_cdk import aws_kms as kms
    from aws_cdk import aws_s3 as s3
    from aws_cdk import aws_s3_assets as s3_assets

    from snapstream_constructs import WebHosting

    stack = cdk.Stack(cdk.App(), "Refused", env=cdk.Environment(region="eu-west-1"))
    props = {
        **PROPS,
        "site_bundle": s3_assets.Asset(stack, "Bundle", path=str(SITE_BUNDLE)),
        "access_logs": s3.Bucket(stack, "Logs"),
        "log_encryption_key": kms.Key(stack, "Key"),
        "log_retention": cdk.aws_logs.RetentionDays.ONE_WEEK,
        "instance_type": ec2.InstanceType("t4g.small"),
        "deletion_protection": False,
        **changes,
    }
    WebHosting(stack, "Site", **props)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"min_capacity": 3}, "min_capacity"),
        ({"settings": {"lower": "x"}}, "not an environment variable name"),
        ({"settings": {"NAME": "it's"}}, "quote or a line break"),
    ],
)
def test_bad_props_are_refused(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        _construct(**changes)
