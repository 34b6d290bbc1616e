"""An AWS WAF web ACL for a web site: AWS managed rule groups, a per-IP rate limit, logging."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

import aws_cdk as cdk
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

#: AWS managed rule groups the web ACL applies, in priority order after the rate rule.
MANAGED_RULE_GROUPS = (
    "AWSManagedRulesAmazonIpReputationList",
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
    "AWSManagedRulesSQLiRuleSet",
)
#: Request headers whose values never reach the WAF logs.
REDACTED_HEADERS = ("cookie", "authorization")
#: CLOUDFRONT-scope web ACLs exist only in this Region.
CLOUDFRONT_REGION = "us-east-1"


class WebAclScope(StrEnum):
    """Where a web ACL can be attached: CloudFront distributions, or Regional resources."""

    CLOUDFRONT = "CLOUDFRONT"
    REGIONAL = "REGIONAL"


class SiteWebAcl(Construct):
    """A WAFv2 web ACL: a per-IP rate rule, then AWS managed rule groups; everything else allowed.

    It logs every request to a KMS-encrypted ``aws-waf-logs-*`` log group (the only names WAF
    delivers to) with the ``cookie`` and ``authorization`` headers redacted. A ``CLOUDFRONT``
    scope web ACL must be created in us-east-1 (its stack's Region), whatever Region the site
    runs in; ``log_encryption_key`` must be in the same Region and admit CloudWatch Logs.
    Attach :attr:`arn` to a distribution (``web_acl_id``) or a Regional resource. Requests whose
    path starts with one of ``rate_limit_exempt_prefixes`` do not count towards the rate limit
    (e.g. signed video segments, fetched every few seconds by every player behind one address).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        web_acl_scope: WebAclScope,
        rate_limit_per_5min: int,
        log_encryption_key: kms.IKey,
        log_retention: logs.RetentionDays,
        description: str = "AWS managed rule groups and a per-IP rate limit",
        rate_limit_exempt_prefixes: Sequence[str] = (),
    ) -> None:
        super().__init__(scope, construct_id)
        region = cdk.Stack.of(self).region
        if (
            web_acl_scope is WebAclScope.CLOUDFRONT
            and not cdk.Token.is_unresolved(region)
            and region != CLOUDFRONT_REGION
        ):
            raise ValueError(
                f"a CLOUDFRONT web ACL must be created in {CLOUDFRONT_REGION}, not {region}"
            )
        if not 10 <= rate_limit_per_5min <= 2_000_000_000:
            raise ValueError("rate_limit_per_5min must be 10-2,000,000,000 (AWS WAF limits)")
        self.web_acl = wafv2.CfnWebACL(
            self,
            "WebAcl",
            scope=web_acl_scope.value,
            description=description,
            default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
            visibility_config=_visibility("SiteWebAcl"),
            rules=_rules(rate_limit_per_5min, rate_limit_exempt_prefixes),
        )
        self.arn = self.web_acl.attr_arn
        # WAF delivers only to log groups named aws-waf-logs-*, addressed without ":*".
        name = "aws-waf-logs-" + cdk.Names.unique_resource_name(self, max_length=200, separator="-")
        self.logs = logs.LogGroup(
            self,
            "Logs",
            log_group_name=name,
            retention=log_retention,
            encryption_key=log_encryption_key,
            removal_policy=cdk.RemovalPolicy.DESTROY,
        )
        wafv2.CfnLoggingConfiguration(
            self,
            "Logging",
            resource_arn=self.arn,
            log_destination_configs=[
                cdk.Stack.of(self).format_arn(
                    service="logs",
                    resource="log-group",
                    resource_name=self.logs.log_group_name,
                    arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME,
                )
            ],
            redacted_fields=[
                wafv2.CfnLoggingConfiguration.FieldToMatchProperty(single_header={"Name": header})
                for header in REDACTED_HEADERS
            ],
        )


def _visibility(metric: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
    return wafv2.CfnWebACL.VisibilityConfigProperty(
        cloud_watch_metrics_enabled=True, metric_name=metric, sampled_requests_enabled=True
    )


def _path_starts_with(prefix: str) -> wafv2.CfnWebACL.StatementProperty:
    return wafv2.CfnWebACL.StatementProperty(
        byte_match_statement=wafv2.CfnWebACL.ByteMatchStatementProperty(
            field_to_match=wafv2.CfnWebACL.FieldToMatchProperty(uri_path={}),
            positional_constraint="STARTS_WITH",
            search_string=prefix,
            text_transformations=[
                wafv2.CfnWebACL.TextTransformationProperty(priority=0, type="NONE")
            ],
        )
    )


def _outside(prefixes: Sequence[str]) -> wafv2.CfnWebACL.StatementProperty | None:
    """A statement matching requests whose path starts with none of ``prefixes``."""
    if not prefixes:
        return None
    matches = [_path_starts_with(prefix) for prefix in prefixes]
    inside = (
        matches[0]
        if len(matches) == 1
        else wafv2.CfnWebACL.StatementProperty(
            or_statement=wafv2.CfnWebACL.OrStatementProperty(statements=matches)
        )
    )
    return wafv2.CfnWebACL.StatementProperty(
        not_statement=wafv2.CfnWebACL.NotStatementProperty(statement=inside)
    )


def _rules(
    rate_limit_per_5min: int, exempt_prefixes: Sequence[str]
) -> list[wafv2.CfnWebACL.RuleProperty]:
    rate_rule = wafv2.CfnWebACL.RuleProperty(
        name="RateLimitPerIp",
        priority=0,
        action=wafv2.CfnWebACL.RuleActionProperty(block={}),
        statement=wafv2.CfnWebACL.StatementProperty(
            rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                aggregate_key_type="IP",
                limit=rate_limit_per_5min,
                evaluation_window_sec=300,
                scope_down_statement=_outside(exempt_prefixes),
            )
        ),
        visibility_config=_visibility("RateLimitPerIp"),
    )
    managed = [
        wafv2.CfnWebACL.RuleProperty(
            name=group,
            priority=priority,
            override_action=wafv2.CfnWebACL.OverrideActionProperty(none={}),
            statement=wafv2.CfnWebACL.StatementProperty(
                managed_rule_group_statement=wafv2.CfnWebACL.ManagedRuleGroupStatementProperty(
                    vendor_name="AWS", name=group
                )
            ),
            visibility_config=_visibility(group),
        )
        for priority, group in enumerate(MANAGED_RULE_GROUPS, start=1)
    ]
    return [rate_rule, *managed]
