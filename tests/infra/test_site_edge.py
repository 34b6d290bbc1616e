"""The site's way in, as synthesized: CloudFront over HTTPS, its WAF, caching, the uploads CORS.

Every environment serves the site over HTTPS on its ``*.cloudfront.net`` name; the load balancer
behind it is internal. A test below fails if any listener or origin of any environment carries
the site over plain HTTP where anything but CloudFront's VPC origin could reach it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from stacks.config import ENVIRONMENTS
from stacks.runtime_contract import contract
from tests.cdk_support import named_resource, new_app, only_resource, resources_of_type
from tools.assembly import open_violations, stale_acknowledgments
from tools.cfn_lint_gate import lint

ENVS = list(ENVIRONMENTS)
Templates = dict[tuple[str, str], dict[str, Any]]
CERTIFICATE_ARN = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d"
SITE_DOMAIN = "media.example.com"
#: CloudFront's managed CachingDisabled policy.
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
VPC_CIDR = "10.0.0.0/16"
YEAR = 365 * 24 * 3600


def _synthesize(outdir: Path, env: str, overrides: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """One environment with ``overrides``, every gate held (nag, stale acknowledgments,
    cfn-lint); its templates by stack id."""
    from stacks.application import build_app
    from stacks.config import resolve_environments

    app = new_app(outdir)
    build_app(
        app,
        resolve_environments(
            overrides={env: overrides}, default_account=None, default_region=None, selected=env
        ),
    )
    app.synth()
    assert open_violations(outdir) == []
    assert stale_acknowledgments(outdir) == []
    assert lint(outdir) == []
    return {
        path.name.removesuffix(".template.json")
        .removeprefix(f"SnapStream{env}")
        .rstrip("0123456789ABCDEF"): json.loads(path.read_text())
        for path in (outdir / f"assembly-SnapStream-{env}").glob("*.template.json")
    }


@pytest.fixture(scope="module")
def custom_domain(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """dev with its own domain and a us-east-1 certificate."""
    overrides = {"site_domain": SITE_DOMAIN, "site_certificate_arn": CERTIFICATE_ARN}
    return _synthesize(tmp_path_factory.mktemp("custom-domain"), "dev", overrides)


@pytest.fixture(scope="module")
def other_region(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """staging in eu-west-1: the web ACL must still be made in us-east-1."""
    overrides = {"region": "eu-west-1"}
    return _synthesize(tmp_path_factory.mktemp("eu-west-1"), "staging", overrides)


def _web(templates: Templates, env: str) -> dict[str, Any]:
    return templates[env, "Web"]


def _site(web: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    distribution_id, distribution = named_resource(
        web, "AWS::CloudFront::Distribution", "SiteDistribution"
    )
    config: dict[str, Any] = distribution["Properties"]["DistributionConfig"]
    return distribution_id, config


def _behaviors(config: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {"default": config["DefaultCacheBehavior"]} | {
        b["PathPattern"]: b for b in config.get("CacheBehaviors", [])
    }


# -- no plain HTTP ---------------------------------------------------------------------------


def _no_plain_http(stacks: list[dict[str, Any]]) -> None:
    """Every viewer speaks HTTPS; every origin is HTTPS, S3, or the internal load balancer's
    VPC origin; every load balancer is internal and admits the VPC's range only."""
    resources = {k: r for t in stacks for k, r in t["Resources"].items()}
    balancers = {
        k: r["Properties"]
        for k, r in resources.items()
        if r["Type"] == "AWS::ElasticLoadBalancingV2::LoadBalancer"
    }
    assert balancers and all(p["Scheme"] == "internal" for p in balancers.values())
    lookups = {k for k, r in resources.items() if r["Type"] == "Custom::VpcOriginSecurityGroup"}
    for resource in resources.values():
        inline = resource["Properties"].get("SecurityGroupIngress", [])
        if resource["Type"] == "AWS::EC2::SecurityGroupIngress":
            inline = [resource["Properties"]]
        for rule in inline:
            assert rule.get("CidrIp") != "0.0.0.0/0", rule
            assert "CidrIpv6" not in rule, rule
            if rule.get("FromPort") == 80:  # the listener: CloudFront's VPC-origin group only
                source = rule.get("SourceSecurityGroupId", {})
                assert isinstance(source, dict) and source.get("Fn::GetAtt", [""])[0] in lookups
        if resource["Type"] == "AWS::ElasticLoadBalancingV2::Listener":
            props = resource["Properties"]
            assert props["LoadBalancerArn"]["Ref"] in balancers
            assert props["Protocol"] in {"HTTP", "HTTPS"}
    distributions = [
        r["Properties"]["DistributionConfig"]
        for r in resources.values()
        if r["Type"] == "AWS::CloudFront::Distribution"
    ]
    assert len(distributions) == 2  # the site's and the media files'
    for config in distributions:
        for behavior in _behaviors(config).values():
            assert behavior["ViewerProtocolPolicy"] in {"redirect-to-https", "https-only"}
        for origin in config["Origins"]:
            if "CustomOriginConfig" in origin:
                assert origin["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
            elif "VpcOriginConfig" in origin:
                vpc_origin_id = origin["VpcOriginConfig"]["VpcOriginId"]["Fn::GetAtt"][0]
                endpoint = resources[vpc_origin_id]["Properties"]["VpcOriginEndpointConfig"]
                assert endpoint["Arn"]["Ref"] in balancers  # internal, as asserted above
            else:
                assert "S3OriginConfig" in origin, origin


@pytest.mark.parametrize("env", ENVS)
def test_nothing_carries_the_site_over_plain_http(templates: Templates, env: str) -> None:
    _no_plain_http([t for (e, _), t in templates.items() if e == env])


def test_the_plain_http_check_fails_on_an_internet_facing_listener(templates: Templates) -> None:
    """The check above must be able to fail: a public load balancer, a public rule, or an HTTP
    origin are each caught."""
    stacks = [t for (e, _), t in templates.items() if e == "dev"]
    web = json.loads(json.dumps(_web(templates, "dev")))
    [balancer] = resources_of_type(web, "AWS::ElasticLoadBalancingV2::LoadBalancer").values()
    balancer["Properties"]["Scheme"] = "internet-facing"
    with pytest.raises(AssertionError):
        _no_plain_http([s for s in stacks if s is not _web(templates, "dev")] + [web])
    web = json.loads(json.dumps(_web(templates, "dev")))
    _, ingress = named_resource(web, "AWS::EC2::SecurityGroupIngress", "HostingVpcOriginIngress")
    ingress["Properties"]["CidrIp"] = "0.0.0.0/0"
    with pytest.raises(AssertionError):
        _no_plain_http([s for s in stacks if s is not _web(templates, "dev")] + [web])
    web = json.loads(json.dumps(_web(templates, "dev")))
    _, ingress = named_resource(web, "AWS::EC2::SecurityGroupIngress", "HostingVpcOriginIngress")
    del ingress["Properties"]["SourceSecurityGroupId"]
    ingress["Properties"]["CidrIp"] = VPC_CIDR  # the VPC's range does not match VPC-origin traffic
    with pytest.raises(AssertionError):
        _no_plain_http([s for s in stacks if s is not _web(templates, "dev")] + [web])
    web = json.loads(json.dumps(_web(templates, "dev")))
    _, config = _site(web)
    [video] = [o for o in config["Origins"] if "CustomOriginConfig" in o]
    video["CustomOriginConfig"]["OriginProtocolPolicy"] = "http-only"
    with pytest.raises(AssertionError):
        _no_plain_http([s for s in stacks if s is not _web(templates, "dev")] + [web])


@pytest.mark.parametrize("env", ENVS)
def test_the_site_is_served_over_https_by_cloudfront(templates: Templates, env: str) -> None:
    web = _web(templates, env)
    distribution_id, config = _site(web)
    assert config["HttpVersion"] == "http2and3" and config["IPV6Enabled"] is True
    assert config["Logging"]["Prefix"] == "cloudfront/"
    assert "Aliases" not in config  # no domain: the *.cloudfront.net name and certificate
    [vpc_origin] = resources_of_type(web, "AWS::CloudFront::VpcOrigin").values()
    endpoint = vpc_origin["Properties"]["VpcOriginEndpointConfig"]
    [balancer_id] = resources_of_type(web, "AWS::ElasticLoadBalancingV2::LoadBalancer")
    assert endpoint["Arn"] == {"Ref": balancer_id}
    assert (endpoint["HTTPPort"], endpoint["OriginProtocolPolicy"]) == (80, "http-only")
    # The load balancer admits CloudFront's VPC-origin group, looked up once it exists.
    lookup_id, lookup = named_resource(web, "Custom::VpcOriginSecurityGroup", "OriginAccessGroup")
    assert lookup["Properties"]["GroupName"] == "CloudFront-VPCOrigins-Service-SG"
    assert lookup["Properties"]["VpcId"]["Ref"].startswith("HostingVpc")
    assert distribution_id in lookup["DependsOn"]
    _, ingress = named_resource(web, "AWS::EC2::SecurityGroupIngress", "HostingVpcOriginIngress")
    assert ingress["Properties"]["SourceSecurityGroupId"] == {"Fn::GetAtt": [lookup_id, "GroupId"]}
    assert (ingress["Properties"]["FromPort"], ingress["Properties"]["ToPort"]) == (80, 80)
    site_url = web["Outputs"]["SiteUrl"]["Value"]
    assert site_url == {
        "Fn::Join": ["", ["https://", {"Fn::GetAtt": [distribution_id, "DomainName"]}]]
    }


@pytest.mark.parametrize("env", ENVS)
def test_nothing_personal_is_cached_and_static_files_are_cached_for_a_year(
    templates: Templates, env: str
) -> None:
    web = _web(templates, env)
    _, config = _site(web)
    behaviors = _behaviors(config)
    assert set(behaviors) == {"default", "/static/*", "/out/*"}
    site = behaviors["default"]
    assert site["CachePolicyId"] == CACHING_DISABLED
    assert set(site["AllowedMethods"]) >= {"POST", "PUT", "PATCH", "DELETE"}
    assert "TrustedKeyGroups" not in site
    static = behaviors["/static/*"]
    assert static["AllowedMethods"] == ["GET", "HEAD"]
    policy_id, policy = named_resource(web, "AWS::CloudFront::CachePolicy", "SiteStaticCache")
    cache = policy["Properties"]["CachePolicyConfig"]
    assert static["CachePolicyId"] == {"Ref": policy_id}
    assert cache["MaxTTL"] == YEAR
    key = cache["ParametersInCacheKeyAndForwardedToOrigin"]
    assert key["CookiesConfig"] == {"CookieBehavior": "none"}
    assert key["HeadersConfig"] == {"HeaderBehavior": "none"}
    assert key["QueryStringsConfig"] == {"QueryStringBehavior": "whitelist", "QueryStrings": ["v"]}
    assert "OriginRequestPolicyId" not in static  # no cookie ever reaches a cached answer
    video = behaviors["/out/*"]
    assert video["TrustedKeyGroups"] and video["AllowedMethods"] == ["GET", "HEAD", "OPTIONS"]
    headers_id, headers = named_resource(
        web, "AWS::CloudFront::ResponseHeadersPolicy", "SiteHeaders"
    )
    security = headers["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    hsts = security["StrictTransportSecurity"]
    assert (hsts["AccessControlMaxAgeSec"], hsts["Override"]) == (YEAR, True)
    assert all(b["ResponseHeadersPolicyId"] == {"Ref": headers_id} for b in behaviors.values())


# -- WAF at CloudFront -----------------------------------------------------------------------


def _assert_site_web_acl(acl: dict[str, Any], env: str) -> None:
    config = ENVIRONMENTS[env]
    props = acl["Properties"]
    assert props["Scope"] == "CLOUDFRONT"
    assert props["DefaultAction"] == {"Allow": {}}
    rules = {rule["Name"]: rule for rule in props["Rules"]}
    managed = {
        name: rule["Statement"]["ManagedRuleGroupStatement"]
        for name, rule in rules.items()
        if "ManagedRuleGroupStatement" in rule["Statement"]
    }
    assert managed == {
        name: {"VendorName": "AWS", "Name": name}
        for name in (
            "AWSManagedRulesCommonRuleSet",
            "AWSManagedRulesKnownBadInputsRuleSet",
            "AWSManagedRulesAmazonIpReputationList",
            "AWSManagedRulesSQLiRuleSet",
        )
    }
    assert all(rules[name]["OverrideAction"] == {"None": {}} for name in managed)
    rate = rules["RateLimitPerIp"]
    assert rate["Action"] == {"Block": {}}
    general = rate["Statement"]["RateBasedStatement"]
    assert (general["AggregateKeyType"], general["Limit"]) == ("IP", config.web_rate_limit_per_5min)
    assert general["EvaluationWindowSec"] == 300
    # Signed video segments (a player fetches one every few seconds) do not count.
    exempt = general["ScopeDownStatement"]["NotStatement"]["Statement"]["ByteMatchStatement"]
    assert (exempt["SearchString"], exempt["PositionalConstraint"]) == ("/out/", "STARTS_WITH")
    assert exempt["FieldToMatch"] == {"UriPath": {}}
    # Logins, registrations and password resets: their own, lower limit per IP, counted first.
    login = rules["LoginRateLimitPerIp"]
    assert (login["Priority"], rate["Priority"]) == (0, 1)
    assert login["Action"] == {"Block": {}}
    statement = login["Statement"]["RateBasedStatement"]
    assert (statement["AggregateKeyType"], statement["EvaluationWindowSec"]) == ("IP", 300)
    assert statement["Limit"] == config.web_login_rate_limit_per_5min < rate_limit(rate)
    method, paths = statement["ScopeDownStatement"]["AndStatement"]["Statements"]
    assert method["ByteMatchStatement"] == {
        "FieldToMatch": {"Method": {}},
        "PositionalConstraint": "EXACTLY",
        "SearchString": "POST",
        "TextTransformations": [{"Priority": 0, "Type": "NONE"}],
    }
    matched = [s["ByteMatchStatement"] for s in paths["OrStatement"]["Statements"]]
    assert [m["SearchString"] for m in matched] == list(contract.WEB_CREDENTIAL_PATHS)
    assert {"/login", "/register", "/forgot-password"} <= set(contract.WEB_CREDENTIAL_PATHS)
    assert all(m["FieldToMatch"] == {"UriPath": {}} for m in matched)
    assert all(m["PositionalConstraint"] == "STARTS_WITH" for m in matched)
    assert min(r["Priority"] for r in rules.values() if r["Name"] in managed) == 2


def rate_limit(rule: dict[str, Any]) -> int:
    return int(rule["Statement"]["RateBasedStatement"]["Limit"])


@pytest.mark.parametrize("env", ENVS)
def test_the_waf_guards_the_cloudfront_entry(templates: Templates, env: str) -> None:
    web = _web(templates, env)
    acl_id, acl = named_resource(web, "AWS::WAFv2::WebACL", "SiteWebAcl")
    _assert_site_web_acl(acl, env)
    _, config = _site(web)
    assert config["WebACLId"] == {"Fn::GetAtt": [acl_id, "Arn"]}
    logging = only_resource(web, "AWS::WAFv2::LoggingConfiguration")["Properties"]
    assert logging["ResourceArn"] == {"Fn::GetAtt": [acl_id, "Arn"]}
    log_group_id, log_group = named_resource(web, "AWS::Logs::LogGroup", "SiteWebAclLogs")
    [destination] = logging["LogDestinationConfigs"]
    assert {"Ref": log_group_id} in destination["Fn::Join"][1]
    assert log_group["Properties"]["LogGroupName"].startswith("aws-waf-logs-")
    assert "KmsKeyId" in log_group["Properties"]
    assert {"SingleHeader": {"Name": "cookie"}} in logging["RedactedFields"]
    assert {"SingleHeader": {"Name": "authorization"}} in logging["RedactedFields"]


def test_an_environment_outside_us_east_1_gets_its_web_acl_from_us_east_1(
    other_region: dict[str, dict[str, Any]],
) -> None:
    edge, web = other_region["Edge"], other_region["Web"]
    assert not resources_of_type(web, "AWS::WAFv2::WebACL")
    acl_id, acl = named_resource(edge, "AWS::WAFv2::WebACL", "SiteWebAcl")
    _assert_site_web_acl(acl, "staging")
    # WAF logs for a CLOUDFRONT web ACL land in us-east-1, under a key of that Region.
    [(key_id, _)] = resources_of_type(edge, "AWS::KMS::Key").items()
    _, log_group = named_resource(edge, "AWS::Logs::LogGroup", "SiteWebAclLogs")
    assert log_group["Properties"]["KmsKeyId"] == {"Fn::GetAtt": [key_id, "Arn"]}
    _, config = _site(web)
    reference = config["WebACLId"]["Fn::GetStackOutput"]
    assert (reference["StackName"], reference["Region"]) == ("SnapStream-staging-Edge", "us-east-1")
    output = edge["Outputs"][reference["OutputName"]]["Value"]
    assert output == {"Fn::GetAtt": [acl_id, "Arn"]}


def _web_acl(region: str, scope: str = "CLOUDFRONT", **props: Any) -> Any:
    """A stack in ``region`` holding one SiteWebAcl with ``props`` (rate limit 100)."""
    import aws_cdk as cdk
    from aws_cdk import aws_kms as kms

    from snapstream_constructs.site_web_acl import SiteWebAcl, WebAclScope

    stack = cdk.Stack(cdk.App(), "Edge", env=cdk.Environment(region=region))
    SiteWebAcl(
        stack,
        "Acl",
        web_acl_scope=WebAclScope(scope),
        rate_limit_per_5min=100,
        log_encryption_key=kms.Key(stack, "Key"),
        log_retention=cdk.aws_logs.RetentionDays.ONE_WEEK,
        **props,
    )
    return stack


def test_a_cloudfront_web_acl_is_refused_outside_us_east_1() -> None:
    with pytest.raises(ValueError, match="us-east-1"):
        _web_acl("eu-west-1")


@pytest.mark.parametrize(
    ("login", "message"),
    [
        ({"login_paths": ["/login"]}, "go together"),
        ({"login_rate_limit_per_5min": 50}, "go together"),
        ({"login_paths": ["/login"], "login_rate_limit_per_5min": 5}, "10 to rate_limit"),
        ({"login_paths": ["/login"], "login_rate_limit_per_5min": 500}, "10 to rate_limit"),
        ({"login_paths": ["login"], "login_rate_limit_per_5min": 50}, "starts with /"),
    ],
)
def test_the_login_rate_rule_is_checked(login: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        _web_acl("us-east-1", **login)


def test_one_login_path_needs_no_or_statement() -> None:
    from aws_cdk.assertions import Template

    stack = _web_acl(
        "eu-west-1", "REGIONAL", login_paths=["/sign-in"], login_rate_limit_per_5min=20
    )
    [acl] = Template.from_stack(stack).find_resources("AWS::WAFv2::WebACL").values()
    login = acl["Properties"]["Rules"][0]["Statement"]["RateBasedStatement"]
    _, path = login["ScopeDownStatement"]["AndStatement"]["Statements"]
    assert path["ByteMatchStatement"]["SearchString"] == "/sign-in"


# -- a custom domain -------------------------------------------------------------------------


def test_a_custom_domain_gets_its_certificate_and_modern_tls(
    custom_domain: dict[str, dict[str, Any]],
) -> None:
    web = custom_domain["Web"]
    _, config = _site(web)
    assert config["Aliases"] == [SITE_DOMAIN]
    assert config["ViewerCertificate"] == {
        "AcmCertificateArn": CERTIFICATE_ARN,
        "MinimumProtocolVersion": "TLSv1.2_2021",
        "SslSupportMethod": "sni-only",
    }
    assert web["Outputs"]["SiteUrl"]["Value"] == f"https://{SITE_DOMAIN}"
    [cors] = resources_of_type(web, "Custom::BucketCors").values()
    [rule] = cors["Properties"]["Rules"]
    assert f"https://{SITE_DOMAIN}" in rule["AllowedOrigins"]


# -- uploads CORS ----------------------------------------------------------------------------


@pytest.mark.parametrize("env", ENVS)
def test_the_uploads_bucket_admits_browser_posts_from_the_site_only(
    templates: Templates, env: str
) -> None:
    web = _web(templates, env)
    distribution_id, _ = _site(web)
    [cors] = resources_of_type(web, "Custom::BucketCors").values()
    props = cors["Properties"]
    assert props["Bucket"]["Fn::GetStackOutput"]["OutputName"].startswith(
        "PublishOutputRefUploadsBucket"
    )
    [rule] = props["Rules"]
    own = {"Fn::Join": ["", ["https://", {"Fn::GetAtt": [distribution_id, "DomainName"]}]]}
    assert rule["AllowedOrigins"][0] == own
    assert rule["AllowedOrigins"][1:] == list(ENVIRONMENTS[env].site_origins)
    assert "*" not in rule["AllowedOrigins"]
    assert (rule["AllowedMethods"], rule["ExposeHeaders"]) == (["POST"], ["ETag"])
    # The function may set this bucket's CORS rules and nothing else.
    [function] = [
        f
        for f in resources_of_type(web, "AWS::Lambda::Function").values()
        if f["Properties"]["Handler"] == contract.BUCKET_CORS_HANDLER
    ]
    assert props["ServiceToken"]["Fn::GetAtt"][1] == "Arn"
    _, policy = named_resource(web, "AWS::IAM::ManagedPolicy", "UploadsCorsFunctionPolicy")
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    cors_statements = [s for s in statements if "s3:PutBucketCORS" in json.dumps(s["Action"])]
    assert len(cors_statements) == 1 and cors_statements[0]["Action"] == "s3:PutBucketCORS"
    assert function["Properties"]["ReservedConcurrentExecutions"] == 1
