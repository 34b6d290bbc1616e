"""Bring your own: constructs take a team's existing VPC, KMS key, buckets, certificate and
alarm topic instead of creating them; each case synthesizes with the nag packs and uses what it
was given."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.cdk_support import only_resource, resources_of_type
from tests.constructs.bare_stacks import Templates, bare_stack

if TYPE_CHECKING:
    import aws_cdk as cdk

ACCOUNT, REGION = "123456789012", "eu-west-1"
KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
TOPIC_ARN = f"arn:aws:sns:{REGION}:{ACCOUNT}:team-alarms"
CERTIFICATE_ARN = f"arn:aws:acm:us-east-1:{ACCOUNT}:certificate/0a1b2c3d"
VPC: dict[str, Any] = {
    "vpc_id": "vpc-0123456789abcdef0",
    "vpc_cidr_block": "10.42.0.0/16",
    "availability_zones": [f"{REGION}a", f"{REGION}b"],
    "private_subnet_ids": ["subnet-0aaaaaaaaaaaaaaaa", "subnet-0bbbbbbbbbbbbbbbb"],
    "private_subnet_route_table_ids": ["rtb-0aaaaaaaaaaaaaaaa", "rtb-0bbbbbbbbbbbbbbbb"],
}


# The three stacks synthesize with every other bare stack, under the nag packs (a finding raises).
@bare_stack("ExistingVpc", account=ACCOUNT, region=REGION)
def _existing_vpc(stack: cdk.Stack) -> None:
    from aws_cdk import aws_ec2 as ec2

    from tools.construct_catalog import COMPANIONS, resolve_inputs

    inputs = resolve_inputs(stack, ["key", "access_logs", "site_bundle"])
    vpc = ec2.Vpc.from_vpc_attributes(stack, "TeamVpc", **VPC)
    hosting = web_hosting_with(stack, vpc=vpc, **inputs)
    COMPANIONS["WebHosting"](stack, hosting, inputs)  # behind its SiteDistribution


def web_hosting_with(stack: Any, *, vpc: Any, **inputs: Any) -> Any:
    from snapstream_constructs import WebHosting

    return WebHosting(stack, "Site", vpc=vpc, **_hosting_props(inputs))


@bare_stack("ExistingKeyAndBuckets", account=ACCOUNT, region=REGION)
def _existing_key_and_buckets(stack: cdk.Stack) -> None:
    import aws_cdk as cdk
    from aws_cdk import aws_kms as kms
    from aws_cdk import aws_logs as logs
    from aws_cdk import aws_s3 as s3

    from snapstream_constructs import (
        MediaTable,
        QueueWithDeadLetters,
        SecureBucket,
        SecureTopic,
        VodPackaging,
    )

    key = kms.Key.from_key_arn(stack, "TeamKey", KEY_ARN)
    logs_bucket = s3.Bucket.from_bucket_name(stack, "TeamLogs", "team-access-logs")
    outputs = s3.Bucket.from_bucket_attributes(
        stack, "TeamOutputs", bucket_name="team-outputs", encryption_key=key
    )
    media = SecureBucket(
        stack,
        "Media",
        encryption_key=key,
        access_logs=logs_bucket,
        access_log_prefix="media/",
        removal_policy=cdk.RemovalPolicy.RETAIN,
        noncurrent_version_expiration=cdk.Duration.days(7),
    )
    # CDK cannot add the log-delivery statement to an imported bucket's policy, and says so.
    cdk.Annotations.of(media).acknowledge_warning(
        "@aws-cdk/aws-s3:accessLogsPolicyNotAdded",
        "The team's log bucket already admits logging.s3.amazonaws.com for this account.",
    )
    SecureTopic(stack, "Topic", encryption_key=key, display_name="team")
    QueueWithDeadLetters(
        stack, "Work", encryption_key=key, visibility_timeout=cdk.Duration.minutes(3)
    )
    MediaTable(
        stack,
        "Table",
        encryption_key=key,
        removal_policy=cdk.RemovalPolicy.RETAIN,
        deletion_protection=True,
    )
    VodPackaging(
        stack,
        "Packaging",
        source_bucket=outputs,
        source_prefix="out/",
        encryption_key=key,
        log_retention=logs.RetentionDays.ONE_WEEK,
        removal_policy=cdk.RemovalPolicy.DESTROY,
    )


@bare_stack("ExistingCertificateAndTopic", account=ACCOUNT, region=REGION)
def _existing_certificate_and_topic(stack: cdk.Stack) -> None:
    import aws_cdk as cdk
    from aws_cdk import aws_cloudfront as cloudfront
    from aws_cdk import aws_sns as sns

    from snapstream_constructs import MediaDistribution, SiteDistribution
    from tools.construct_catalog import operations_monitoring, resolve_inputs

    inputs = resolve_inputs(
        stack, ["packaging", "media_bucket", "playback_key", "access_logs", "site", "web_acl_arn"]
    )
    MediaDistribution(
        stack,
        "Cdn",
        packaging=inputs["packaging"],
        media_bucket=inputs["media_bucket"],
        key_group=inputs["playback_key"].key_group,
        access_logs=inputs["access_logs"],
        price_class=cloudfront.PriceClass.PRICE_CLASS_100,
        log_retention=cdk.Duration.days(5),
        removal_policy=cdk.RemovalPolicy.DESTROY,
        domain_name="video.example.com",
        certificate_arn=CERTIFICATE_ARN,
    )
    SiteDistribution(
        stack,
        "Edge",
        load_balancer=inputs["site"].load_balancer,
        web_acl_arn=inputs["web_acl_arn"],
        access_logs=inputs["access_logs"],
        log_retention=cdk.Duration.days(5),
        removal_policy=cdk.RemovalPolicy.DESTROY,
        domain_name="www.example.com",
        certificate_arn=CERTIFICATE_ARN,
    )
    operations_monitoring(stack, alarm_topic=sns.Topic.from_topic_arn(stack, "Alarms", TOPIC_ARN))


def test_web_hosting_runs_in_an_existing_vpc(bare_templates: Templates) -> None:
    template = bare_templates["ExistingVpc"]
    for created in (
        "AWS::EC2::VPC",
        "AWS::EC2::Subnet",
        "AWS::EC2::NatGateway",
        "AWS::EC2::FlowLog",
    ):
        assert resources_of_type(template, created) == {}, created
    group = only_resource(template, "AWS::AutoScaling::AutoScalingGroup")["Properties"]
    assert group["VPCZoneIdentifier"] == VPC["private_subnet_ids"]
    balancer = only_resource(template, "AWS::ElasticLoadBalancingV2::LoadBalancer")["Properties"]
    assert balancer["Subnets"] == VPC["private_subnet_ids"]
    assert balancer["Scheme"] == "internal"
    for security_group in resources_of_type(template, "AWS::EC2::SecurityGroup").values():
        assert security_group["Properties"]["VpcId"] == VPC["vpc_id"]


def _web_hosting_inputs(tmp_path: Path) -> tuple[Any, dict[str, Any]]:
    import aws_cdk as cdk

    from tools.construct_catalog import resolve_inputs

    stack = cdk.Stack(cdk.App(), "S", env=cdk.Environment(account=ACCOUNT, region=REGION))
    return stack, resolve_inputs(stack, ["key", "access_logs", "site_bundle"])


def test_an_existing_vpc_leaves_nat_to_its_owner(tmp_path: Path) -> None:
    from aws_cdk import aws_ec2 as ec2

    stack, inputs = _web_hosting_inputs(tmp_path)
    vpc = ec2.Vpc.from_vpc_attributes(stack, "TeamVpc", **VPC)
    from snapstream_constructs import WebHosting

    with pytest.raises(ValueError, match="with an existing vpc, its NAT is its owner's"):
        WebHosting(stack, "Site", vpc=vpc, nat_gateways=1, **_hosting_props(inputs))


def test_without_a_vpc_nat_gateways_is_required(tmp_path: Path) -> None:
    from snapstream_constructs import WebHosting

    stack, inputs = _web_hosting_inputs(tmp_path)
    with pytest.raises(ValueError, match="nat_gateways is required unless an existing vpc"):
        WebHosting(stack, "Site", **_hosting_props(inputs))


def _hosting_props(inputs: dict[str, Any]) -> dict[str, Any]:
    from aws_cdk import aws_ec2 as ec2
    from aws_cdk import aws_logs as logs

    return {
        "site_bundle": inputs["site_bundle"],
        "settings": {},
        "app_port": 8000,
        "health_check_path": "/healthz",
        "wsgi_app": "site.wsgi:app",
        "access_logs": inputs["access_logs"],
        "access_log_prefix": "alb",
        "log_encryption_key": inputs["key"],
        "log_retention": logs.RetentionDays.ONE_WEEK,
        "instance_type": ec2.InstanceType("t4g.small"),
        "min_capacity": 1,
        "max_capacity": 2,
        "deletion_protection": False,
    }


def test_an_existing_key_encrypts_what_the_constructs_create(
    bare_templates: Templates,
) -> None:
    template = bare_templates["ExistingKeyAndBuckets"]
    assert resources_of_type(template, "AWS::KMS::Key") == {}
    encryption = only_resource(template, "AWS::S3::Bucket")["Properties"]["BucketEncryption"]
    [rule] = encryption["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"]["KMSMasterKeyID"] == KEY_ARN
    assert only_resource(template, "AWS::SNS::Topic")["Properties"]["KmsMasterKeyId"] == KEY_ARN
    queues = resources_of_type(template, "AWS::SQS::Queue").values()
    assert {q["Properties"]["KmsMasterKeyId"] for q in queues} == {KEY_ARN}
    table = only_resource(template, "AWS::DynamoDB::Table")["Properties"]
    assert table["SSESpecification"]["KMSMasterKeyId"] == KEY_ARN


def test_existing_buckets_are_used_by_name(bare_templates: Templates) -> None:
    template = bare_templates["ExistingKeyAndBuckets"]
    logging = only_resource(template, "AWS::S3::Bucket")["Properties"]["LoggingConfiguration"]
    assert logging["DestinationBucketName"] == "team-access-logs"
    policy = json.dumps(only_resource(template, "AWS::IAM::ManagedPolicy")["Properties"])
    assert "team-outputs/out/*" in policy and KEY_ARN in policy


def test_existing_certificates_hold_viewers_to_tls_1_2(
    bare_templates: Templates,
) -> None:
    template = bare_templates["ExistingCertificateAndTopic"]
    distributions = resources_of_type(template, "AWS::CloudFront::Distribution").values()
    assert len(distributions) == 2
    for distribution in distributions:
        certificate = distribution["Properties"]["DistributionConfig"]["ViewerCertificate"]
        assert certificate["AcmCertificateArn"] == CERTIFICATE_ARN
        assert certificate["MinimumProtocolVersion"] == "TLSv1.2_2021"


def test_alarms_publish_to_an_existing_topic(bare_templates: Templates) -> None:
    template = bare_templates["ExistingCertificateAndTopic"]
    alarms = resources_of_type(template, "AWS::CloudWatch::Alarm").values()
    assert alarms
    assert all(a["Properties"]["AlarmActions"] == [TOPIC_ARN] for a in alarms)
    assert all(a["Properties"]["OKActions"] == [TOPIC_ARN] for a in alarms)
    assert resources_of_type(template, "AWS::SNS::Topic") == {}
