"""Regions and accounts: every exported construct's example synthesizes (nag packs, cfn-lint in
its Region) in an eu-west-1 stack of a known account and in an environment-agnostic stack, or
is refused with a message that says why."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.cdk_support import only_resource
from tests.constructs.bare_stacks import Templates, bare_stack
from tools.assembly import open_violations, stacks, stale_acknowledgments
from tools.cfn_lint_gate import lint

if TYPE_CHECKING:
    import aws_cdk as cdk

#: (construct, stack kind) -> what its refusal must say. Every other combination synthesizes.
EXPECTED_REFUSALS = {
    ("SiteWebAcl", "InEu"): r"a CLOUDFRONT web ACL must be created in us-east-1, not eu-west-1",
    ("WebHosting", "Agnostic"): r"WebHosting needs a stack with a concrete Region",
    # Its load balancer must be an internal one of this app: WebHosting's, which needs a Region.
    ("SiteDistribution", "Agnostic"): r"WebHosting needs a stack with a concrete Region",
}
KINDS = ("", "InEu", "Agnostic")


def test_each_construct_synthesizes_or_is_refused_clearly(
    construct_catalog: tuple[Path, dict[str, Any]],
) -> None:
    _, documented = construct_catalog
    outcomes = {
        (name, kind): entry.refusals[kind] for name, entry in documented.items() for kind in KINDS
    }
    unexpected = {
        where: refusal
        for where, refusal in outcomes.items()
        if refusal is not None and not re.search(EXPECTED_REFUSALS.get(where, "^$"), refusal)
    }
    assert unexpected == {}
    no_longer_refused = [where for where in EXPECTED_REFUSALS if outcomes[where] is None]
    assert no_longer_refused == [], "update EXPECTED_REFUSALS (and the pages: make docs)"


def test_the_stacks_are_where_they_were_asked_and_pass_the_gates(
    construct_catalog: tuple[Path, dict[str, Any]],
) -> None:
    outdir, documented = construct_catalog
    regions = {artifact.stack_name: artifact.region for artifact in stacks(outdir)}
    for name, entry in documented.items():
        expected = {"": "us-east-1", "InEu": "eu-west-1", "Agnostic": "unknown-region"}
        for kind, region in expected.items():
            if entry.refusals[kind] is None:
                assert regions[f"{name}{kind}"] == region
    assert open_violations(outdir) == []
    assert stale_acknowledgments(outdir) == []


def test_cfn_lint_passes_in_each_region(construct_catalog: tuple[Path, dict[str, Any]]) -> None:
    outdir, _ = construct_catalog
    assert [(m["Rule"]["Id"], Path(m["Filename"]).name, m["Message"]) for m in lint(outdir)] == []


def _eu_stack(app: Any) -> Any:
    import aws_cdk as cdk

    return cdk.Stack(app, "Eu", env=cdk.Environment(account="123456789012", region="eu-west-1"))


@bare_stack("RegionalWebAclInEu", account="123456789012", region="eu-west-1")
def _regional_web_acl_in_eu(stack: cdk.Stack) -> None:
    from aws_cdk import aws_logs as logs

    from snapstream_constructs import SiteWebAcl, WebAclScope
    from tools.construct_catalog import resolve_inputs

    SiteWebAcl(
        stack,
        "WebAcl",
        web_acl_scope=WebAclScope.REGIONAL,
        rate_limit_per_5min=500,
        log_encryption_key=resolve_inputs(stack, ["key"])["key"],
        log_retention=logs.RetentionDays.ONE_WEEK,
    )


def test_a_regional_web_acl_synthesizes_outside_us_east_1(bare_templates: Templates) -> None:
    template = bare_templates["RegionalWebAclInEu"]
    assert only_resource(template, "AWS::WAFv2::WebACL")["Properties"]["Scope"] == "REGIONAL"


@pytest.mark.parametrize(
    "certificate_arn",
    ["arn:aws:acm:eu-west-1:123456789012:certificate/abc", "arn:aws:acm:us-west-2:1:certificate/x"],
)
def test_cloudfront_certificates_outside_us_east_1_are_refused(
    tmp_path: Path, certificate_arn: str
) -> None:
    import aws_cdk as cdk

    from snapstream_constructs import SiteDistribution
    from tools.construct_catalog import resolve_inputs

    stack = _eu_stack(cdk.App())
    inputs = resolve_inputs(stack, ["site", "access_logs", "web_acl_arn"])
    with pytest.raises(ValueError, match="CloudFront needs an ACM certificate in us-east-1"):
        SiteDistribution(
            stack,
            "Edge",
            load_balancer=inputs["site"].load_balancer,
            web_acl_arn=inputs["web_acl_arn"],
            access_logs=inputs["access_logs"],
            log_retention=cdk.Duration.days(5),
            removal_policy=cdk.RemovalPolicy.DESTROY,
            domain_name="www.example.com",
            certificate_arn=certificate_arn,
        )
