"""An AWS WAF web ACL for a web site: AWS managed rule groups, per-IP rate limits, logging."""

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
    """A WAFv2 web ACL: per-IP rate rules, then AWS managed rule groups; everything else allowed.

    The first rate rule counts only POSTs to ``login_paths`` (sign-in, sign-up and password
    reset forms: every path that starts with one of them), with its own, lower,
    ``login_rate_limit_per_5min``; the second counts every request.
    It logs every request to a KMS-encrypted ``aws-waf-logs-*`` log group (the only names WAF
    delivers to) with the ``cookie`` and ``authorization`` headers redacted. A ``CLOUDFRONT``
    scope web ACL must be created in us-east-1 (its stack's Region), whatever Region the site
    runs in; ``log_encryption_key`` must be in the same Region and admit CloudWatch Logs.
    Attach :attr:`arn` to a distribution (``web_acl_id``) or a Regional resource.

    Args:
        web_acl_scope: ``CLOUDFRONT`` for a distribution (the stack must be in us-east-1; another
            Region is refused) or ``REGIONAL`` for a load balancer, API or other Regional resource.
        rate_limit_per_5min: Requests one IP may make in 5 minutes before it is blocked (10 to
            2,000,000,000).
        log_encryption_key: The KMS key of the WAF log group, in the web ACL's Region; it must admit
            CloudWatch Logs.
        log_retention: How long WAF logs are kept.
        login_paths: Path prefixes (each starting with ``/``) of the sign-in, sign-up and
            password-reset forms whose POSTs get their own rate rule; goes with
            ``login_rate_limit_per_5min``.
        login_rate_limit_per_5min: POSTs to ``login_paths`` one IP may make in 5 minutes (10 to
            ``rate_limit_per_5min``).
        description: The web ACL's description.
        rate_limit_exempt_prefixes: Path prefixes whose requests do not count towards the
            per-IP rate limit (e.g. signed video segments, fetched every few seconds by every
            player behind one address).
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
        login_paths: Sequence[str] = (),
        login_rate_limit_per_5min: int | None = None,
        rate_limit_exempt_prefixes: Sequence[str] = (),
        description: str = "AWS managed rule groups and a per-IP rate limit",
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
        if bool(login_paths) != (login_rate_limit_per_5min is not None):
            raise ValueError("login_paths and login_rate_limit_per_5min go together")
        if login_rate_limit_per_5min is not None and not 10 <= login_rate_limit_per_5min <= (
            rate_limit_per_5min
        ):
            raise ValueError("login_rate_limit_per_5min must be 10 to rate_limit_per_5min")
        if any(not path.startswith("/") for path in login_paths):
            raise ValueError("login_paths are URI paths: each starts with /")
        self.web_acl = wafv2.CfnWebACL(
            self,
            "WebAcl",
            scope=web_acl_scope.value,
            description=description,
            default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
            visibility_config=_visibility("SiteWebAcl"),
            rules=_rules(
                rate_limit_per_5min,
                login_paths,
                login_rate_limit_per_5min,
                exempt_prefixes=rate_limit_exempt_prefixes,
            ),
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


def _byte_match(
    field: wafv2.CfnWebACL.FieldToMatchProperty, value: str, constraint: str
) -> wafv2.CfnWebACL.StatementProperty:
    return wafv2.CfnWebACL.StatementProperty(
        byte_match_statement=wafv2.CfnWebACL.ByteMatchStatementProperty(
            field_to_match=field,
            positional_constraint=constraint,
            search_string=value,
            text_transformations=[
                wafv2.CfnWebACL.TextTransformationProperty(priority=0, type="NONE")
            ],
        )
    )


def _path_in(prefixes: Sequence[str]) -> wafv2.CfnWebACL.StatementProperty:
    """Requests whose path starts with one of ``prefixes`` (at least one)."""
    path_field = wafv2.CfnWebACL.FieldToMatchProperty(uri_path={})
    matches = [_byte_match(path_field, prefix, "STARTS_WITH") for prefix in prefixes]
    if len(matches) == 1:
        return matches[0]
    return wafv2.CfnWebACL.StatementProperty(
        or_statement=wafv2.CfnWebACL.OrStatementProperty(statements=matches)
    )


def _login_posts(paths: Sequence[str]) -> wafv2.CfnWebACL.StatementProperty:
    """POST requests whose path starts with one of ``paths``."""
    post = _byte_match(wafv2.CfnWebACL.FieldToMatchProperty(method={}), "POST", "EXACTLY")
    return wafv2.CfnWebACL.StatementProperty(
        and_statement=wafv2.CfnWebACL.AndStatementProperty(statements=[post, _path_in(paths)])
    )


def _rate_rule(
    name: str, priority: int, limit: int, scope_down: wafv2.CfnWebACL.StatementProperty | None
) -> wafv2.CfnWebACL.RuleProperty:
    return wafv2.CfnWebACL.RuleProperty(
        name=name,
        priority=priority,
        action=wafv2.CfnWebACL.RuleActionProperty(block={}),
        statement=wafv2.CfnWebACL.StatementProperty(
            rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                aggregate_key_type="IP",
                limit=limit,
                evaluation_window_sec=300,
                scope_down_statement=scope_down,
            )
        ),
        visibility_config=_visibility(name),
    )


def _outside(prefixes: Sequence[str]) -> wafv2.CfnWebACL.StatementProperty | None:
    """Requests whose path starts with none of ``prefixes`` (None: no prefixes, every request)."""
    if not prefixes:
        return None
    return wafv2.CfnWebACL.StatementProperty(
        not_statement=wafv2.CfnWebACL.NotStatementProperty(statement=_path_in(prefixes))
    )


def _rules(
    rate_limit_per_5min: int,
    login_paths: Sequence[str],
    login_rate_limit_per_5min: int | None,
    *,
    exempt_prefixes: Sequence[str] = (),
) -> list[wafv2.CfnWebACL.RuleProperty]:
    rate_rules = []
    if login_paths and login_rate_limit_per_5min is not None:
        login = _login_posts(login_paths)
        rate_rules.append(_rate_rule("LoginRateLimitPerIp", 0, login_rate_limit_per_5min, login))
    rate_rules.append(
        _rate_rule(
            "RateLimitPerIp", len(rate_rules), rate_limit_per_5min, _outside(exempt_prefixes)
        )
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
        for priority, group in enumerate(MANAGED_RULE_GROUPS, start=len(rate_rules))
    ]
    return [*rate_rules, *managed]
