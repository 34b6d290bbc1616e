"""SiteWebAcl alone: per-IP rate rules (login POSTs first, exempt paths left out), then AWS managed
rule groups; every request logged with credentials redacted; bad limits refused."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from tests.cdk_support import only_resource, resources_of_type
from tests.constructs.bare_stacks import Templates, bare_stack

if TYPE_CHECKING:
    import aws_cdk as cdk


def _web_acl(stack: cdk.Stack, **props: Any) -> None:
    import aws_cdk as cdk

    from snapstream_constructs import DataKey, SiteWebAcl, WebAclScope

    key = DataKey(stack, "Key", description="k", removal_policy=cdk.RemovalPolicy.DESTROY)
    key.allow_cloudwatch_logs()
    SiteWebAcl(
        stack,
        "WebAcl",
        web_acl_scope=WebAclScope.CLOUDFRONT,
        log_encryption_key=key.key,
        log_retention=cdk.aws_logs.RetentionDays.ONE_WEEK,
        **props,
    )


# A CLOUDFRONT-scope web ACL exists only in us-east-1.
@bare_stack("WebAclAlone", region="us-east-1")
def _web_acl_alone(stack: cdk.Stack) -> None:
    _web_acl(stack, rate_limit_per_5min=500)


@bare_stack("LoginWebAclAlone", region="us-east-1")
def _login_web_acl_alone(stack: cdk.Stack) -> None:
    _web_acl(
        stack,
        rate_limit_per_5min=2000,
        login_paths=["/login", "/register"],
        login_rate_limit_per_5min=100,
        rate_limit_exempt_prefixes=["/out/"],
    )


def _rules(template: dict[str, Any]) -> list[dict[str, Any]]:
    rules: list[dict[str, Any]] = only_resource(template, "AWS::WAFv2::WebACL")["Properties"][
        "Rules"
    ]
    return rules


def test_one_rate_rule_counts_every_request(bare_templates: Templates) -> None:
    template = bare_templates["WebAclAlone"]
    [rate] = [r for r in _rules(template) if "RateBasedStatement" in r["Statement"]]
    assert rate["Statement"]["RateBasedStatement"]["Limit"] == 500
    statement = rate["Statement"]["RateBasedStatement"]
    assert (statement["AggregateKeyType"], statement["EvaluationWindowSec"]) == ("IP", 300)
    assert "ScopeDownStatement" not in statement
    assert rate["Action"] == {"Block": {}}
    web_acl = only_resource(template, "AWS::WAFv2::WebACL")["Properties"]
    assert (web_acl["Scope"], web_acl["DefaultAction"]) == ("CLOUDFRONT", {"Allow": {}})


def test_managed_rule_groups_follow_the_rate_rules_in_order(bare_templates: Templates) -> None:
    for stack, rate_rules in (("WebAclAlone", 1), ("LoginWebAclAlone", 2)):
        rules = _rules(bare_templates[stack])
        assert [r["Priority"] for r in rules] == list(range(len(rules)))
        managed = [r["Statement"]["ManagedRuleGroupStatement"]["Name"] for r in rules[rate_rules:]]
        assert managed == [
            "AWSManagedRulesAmazonIpReputationList",
            "AWSManagedRulesCommonRuleSet",
            "AWSManagedRulesKnownBadInputsRuleSet",
            "AWSManagedRulesSQLiRuleSet",
        ]
        assert all(r["OverrideAction"] == {"None": {}} for r in rules[rate_rules:])


def test_login_posts_have_their_own_lower_limit(bare_templates: Templates) -> None:
    login, everything = _rules(bare_templates["LoginWebAclAlone"])[:2]
    assert (login["Name"], everything["Name"]) == ("LoginRateLimitPerIp", "RateLimitPerIp")
    statement = login["Statement"]["RateBasedStatement"]
    assert statement["Limit"] == 100
    post, paths = statement["ScopeDownStatement"]["AndStatement"]["Statements"]
    assert post["ByteMatchStatement"]["SearchString"] == "POST"
    assert post["ByteMatchStatement"]["FieldToMatch"] == {"Method": {}}
    assert [
        (s["ByteMatchStatement"]["SearchString"], s["ByteMatchStatement"]["PositionalConstraint"])
        for s in paths["OrStatement"]["Statements"]
    ] == [("/login", "STARTS_WITH"), ("/register", "STARTS_WITH")]
    # The limit for every request leaves out the exempt prefixes (signed video segments).
    overall = everything["Statement"]["RateBasedStatement"]
    assert overall["Limit"] == 2000
    exempt = overall["ScopeDownStatement"]["NotStatement"]["Statement"]["ByteMatchStatement"]
    assert (exempt["SearchString"], exempt["FieldToMatch"]) == ("/out/", {"UriPath": {}})


def test_every_request_is_logged_without_credentials(bare_templates: Templates) -> None:
    template = bare_templates["WebAclAlone"]
    logs = only_resource(template, "AWS::Logs::LogGroup")["Properties"]
    assert logs["LogGroupName"].startswith("aws-waf-logs-")  # the only names WAF delivers to
    assert "KmsKeyId" in logs
    logging = only_resource(template, "AWS::WAFv2::LoggingConfiguration")["Properties"]
    assert logging["RedactedFields"] == [
        {"SingleHeader": {"Name": "cookie"}},
        {"SingleHeader": {"Name": "authorization"}},
    ]
    [logs_id] = resources_of_type(template, "AWS::Logs::LogGroup")
    [destination] = logging["LogDestinationConfigs"]
    # Addressed without ":*", as WAF requires.
    assert destination["Fn::Join"][1][-2:] == [":log-group:", {"Ref": logs_id}]


@pytest.mark.parametrize(
    ("props", "message"),
    [
        ({"rate_limit_per_5min": 9}, "rate_limit_per_5min must be 10-2,000,000,000"),
        ({"login_paths": ["/login"]}, "login_paths and login_rate_limit_per_5min go together"),
        ({"login_rate_limit_per_5min": 50}, "go together"),
        (
            {"login_paths": ["/login"], "login_rate_limit_per_5min": 1001},
            "login_rate_limit_per_5min must be 10 to rate_limit_per_5min",
        ),
        (
            {"login_paths": ["login"], "login_rate_limit_per_5min": 50},
            "each starts with /",
        ),
    ],
)
def test_bad_limits_and_paths_are_refused(props: dict[str, Any], message: str) -> None:
    import aws_cdk as cdk
    from aws_cdk import aws_kms as kms

    from snapstream_constructs import SiteWebAcl, WebAclScope

    stack = cdk.Stack(cdk.App(), "Refused")
    with pytest.raises(ValueError, match=message):
        SiteWebAcl(
            stack,
            "WebAcl",
            web_acl_scope=WebAclScope.REGIONAL,
            log_encryption_key=kms.Key(stack, "Key"),
            log_retention=cdk.aws_logs.RetentionDays.ONE_WEEK,
            **{"rate_limit_per_5min": 1000, **props},
        )
