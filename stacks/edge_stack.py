"""What CloudFront needs from us-east-1 for an environment in another Region.

A CLOUDFRONT-scope WAF web ACL, and the log group its logs go to, exist only in us-east-1. An
environment in us-east-1 keeps them in its Web stack; any other gets this stack, deployed with
the rest of the environment (``cdk deploy 'SnapStream-<env>/*'``), whose web ACL ARN reaches the
Web stack as a stack output read across Regions (``Fn::GetStackOutput``). The log group is
encrypted with a key of its own: a KMS key serves one Region only.
"""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from constructs import Construct

from snapstream_constructs import DataKey
from snapstream_constructs.delivery import VIDEO_PATH
from snapstream_constructs.site_web_acl import CLOUDFRONT_REGION, SiteWebAcl, WebAclScope
from stacks.config import EnvironmentConfig
from stacks.runtime_contract import contract


class EdgeStack(cdk.Stack):
    """The site's CLOUDFRONT-scope web ACL and its encrypted log group, in us-east-1."""

    def __init__(
        self, scope: Construct, construct_id: str, *, config: EnvironmentConfig, **kwargs: Any
    ) -> None:
        super().__init__(
            scope,
            construct_id,
            env=cdk.Environment(account=config.account, region=CLOUDFRONT_REGION),
            cross_region_references=True,
            description=f"SnapStream {config.name}: the site's CloudFront web ACL (us-east-1)",
            **kwargs,
        )
        key = DataKey(
            self,
            "LogKey",
            description=f"SnapStream {config.name}: encrypts the site's WAF logs in us-east-1",
            removal_policy=config.removal_policy,
        )
        key.allow_cloudwatch_logs()
        self.web_acl = site_web_acl(self, config, log_key=key)


def site_web_acl(scope: Construct, config: EnvironmentConfig, *, log_key: DataKey) -> SiteWebAcl:
    """The site's web ACL (``scope`` must be a us-east-1 stack's)."""
    return SiteWebAcl(
        scope,
        "SiteWebAcl",
        web_acl_scope=WebAclScope.CLOUDFRONT,
        rate_limit_per_5min=config.web_rate_limit_per_5min,
        login_paths=contract.WEB_CREDENTIAL_PATHS,
        login_rate_limit_per_5min=config.web_login_rate_limit_per_5min,
        log_encryption_key=log_key.key,
        log_retention=config.log_retention,
        description="SnapStream site at CloudFront: AWS managed rule groups, per-IP rate limits "
        "on all requests and on login, register and password-reset POSTs",
        # Players fetch a signed segment every few seconds; CloudFront checks the signature.
        rate_limit_exempt_prefixes=[VIDEO_PATH.rstrip("*")],
    )


def needs_edge_stack(config: EnvironmentConfig) -> bool:
    return (config.region or CLOUDFRONT_REGION) != CLOUDFRONT_REGION
