"""SiteDistribution alone in front of a WebHosting site: the internal load balancer as a VPC origin,
nothing cached but fingerprinted static files, HTTPS and HSTS for viewers, the WAF attached."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from snapstream_constructs import MediaPackageOrigin
from tests.cdk_support import distribution_config, only_resource, resources_of_type
from tests.constructs.bare_stacks import Templates, bare_stack

if TYPE_CHECKING:
    import aws_cdk as cdk

WEB_ACL_ARN = "arn:aws:wafv2:us-east-1:123456789012:global/webacl/site/a1b2c3d4"
#: CloudFront's managed CachingDisabled policy.
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"


@bare_stack("SiteEdgeAlone", region="us-east-1")
def _site_edge_alone(stack: cdk.Stack) -> None:
    import aws_cdk as cdk

    from snapstream_constructs import SecureBucket, SiteDistribution
    from tools.construct_catalog import resolve_inputs

    inputs = resolve_inputs(stack, ["site", "access_logs", "key"])
    # cdk-nag recognises a log destination by a bucket that logs into it.
    SecureBucket(
        stack,
        "Data",
        encryption_key=inputs["key"],
        access_logs=inputs["access_logs"],
        access_log_prefix="data/",
        removal_policy=cdk.RemovalPolicy.DESTROY,
        noncurrent_version_expiration=cdk.Duration.days(3),
    )
    SiteDistribution(
        stack,
        "Edge",
        load_balancer=inputs["site"].load_balancer,
        web_acl_arn=WEB_ACL_ARN,
        access_logs=inputs["access_logs"],
        log_retention=cdk.Duration.days(5),
        removal_policy=cdk.RemovalPolicy.DESTROY,
    )


def test_the_internal_load_balancer_is_a_vpc_origin_over_http(bare_templates: Templates) -> None:
    template = bare_templates["SiteEdgeAlone"]
    [balancer_id] = resources_of_type(template, "AWS::ElasticLoadBalancingV2::LoadBalancer")
    vpc_origin = only_resource(template, "AWS::CloudFront::VpcOrigin")["Properties"]
    endpoint = vpc_origin["VpcOriginEndpointConfig"]
    assert endpoint["Arn"] == {"Ref": balancer_id}
    assert (endpoint["HTTPPort"], endpoint["OriginProtocolPolicy"]) == (80, "http-only")
    config = distribution_config(template)
    assert config["WebACLId"] == WEB_ACL_ARN
    [origin] = config["Origins"]
    assert "VpcOriginConfig" in origin
    assert config["HttpVersion"] == "http2and3"
    assert config["IPV6Enabled"] is True
    assert config["Logging"]["Prefix"] == "cloudfront/"


def test_nothing_is_cached_but_fingerprinted_static_files(bare_templates: Templates) -> None:
    template = bare_templates["SiteEdgeAlone"]
    config = distribution_config(template)
    default = config["DefaultCacheBehavior"]
    assert default["CachePolicyId"] == CACHING_DISABLED
    assert default["ViewerProtocolPolicy"] == "redirect-to-https"
    assert len(default["AllowedMethods"]) == 7  # forms post to the site
    [static] = config["CacheBehaviors"]
    assert static["PathPattern"] == "/static/*"
    assert static["AllowedMethods"] == ["GET", "HEAD"]
    [(cache_id, cache)] = resources_of_type(template, "AWS::CloudFront::CachePolicy").items()
    assert static["CachePolicyId"] == {"Ref": cache_id}
    policy = cache["Properties"]["CachePolicyConfig"]
    assert policy["MaxTTL"] == 365 * 24 * 3600
    keyed = policy["ParametersInCacheKeyAndForwardedToOrigin"]
    assert keyed["QueryStringsConfig"] == {
        "QueryStringBehavior": "whitelist",
        "QueryStrings": ["v"],
    }
    assert keyed["CookiesConfig"] == {"CookieBehavior": "none"}


def test_every_answer_carries_hsts(bare_templates: Templates) -> None:
    template = bare_templates["SiteEdgeAlone"]
    [(headers_id, headers)] = resources_of_type(
        template, "AWS::CloudFront::ResponseHeadersPolicy"
    ).items()
    config = distribution_config(template)
    for behavior in (config["DefaultCacheBehavior"], *config["CacheBehaviors"]):
        assert behavior["ResponseHeadersPolicyId"] == {"Ref": headers_id}
    security = headers["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    assert security["StrictTransportSecurity"] == {
        "AccessControlMaxAgeSec": 365 * 24 * 3600,
        "IncludeSubdomains": True,
        "Override": True,
    }
    assert security["FrameOptions"] == {"FrameOption": "DENY", "Override": True}


def _refusal(*, internet_facing: bool = False, **changes: Any) -> None:
    import aws_cdk as cdk
    from aws_cdk import aws_ec2 as ec2
    from aws_cdk import aws_elasticloadbalancingv2 as elbv2
    from aws_cdk import aws_s3 as s3

    from snapstream_constructs import SiteDistribution

    stack = cdk.Stack(cdk.App(), "Refused", env=cdk.Environment(region="us-east-1"))
    props: dict[str, Any] = {
        "web_acl_arn": WEB_ACL_ARN,
        "access_logs": s3.Bucket(stack, "Logs"),
        "log_retention": cdk.Duration.days(5),
        "removal_policy": cdk.RemovalPolicy.DESTROY,
        **changes,
    }
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=0)
    balancer = elbv2.ApplicationLoadBalancer(
        stack, "Balancer", vpc=vpc, internet_facing=internet_facing
    )
    SiteDistribution(stack, "Edge", load_balancer=balancer, **props)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"domain_name": "www.example.com"}, "domain_name and certificate_arn go together"),
        (
            {"certificate_arn": "arn:aws:acm:us-east-1:123456789012:certificate/abc"},
            "domain_name and certificate_arn go together",
        ),
        (
            {"video": MediaPackageOrigin(domain_name="vod.example.com", cdn_identifier="x")},
            "video and video_signers go together",
        ),
        ({"internet_facing": True}, "must be an internal one of this app"),
    ],
)
def test_bad_props_are_refused(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        _refusal(**changes)
