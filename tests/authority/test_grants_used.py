"""Least privilege both ways, over the whole test session's recorded calls.

Every test records the AWS calls the product makes and fails if a policy would refuse one
(tests/conftest.py). This module runs last and proves the other direction: every grant of every
role is used by some recorded call or platform request, or has a written reason
(tools/authority/unreached.py). It also shows the proof has teeth: a planted over-broad grant is
reported unused, and a needed action taken away makes recorded calls fail.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from tests.authority.session import COMPLETE_RUN
from tools.authority import Environment
from tools.authority.proof import Authority, Ledger, describe, local_names
from tools.authority.report import write_journey

pytestmark = pytest.mark.after_all


@pytest.fixture(scope="module")
def ledger(
    request: pytest.FixtureRequest, authority_ledger: Ledger, dev_authority: Authority
) -> Ledger:
    if not request.config.stash.get(COMPLETE_RUN, False):
        pytest.skip("needs the whole suite's recorded calls (run `make test`)")
    authority_ledger.add(dev_authority.platform())
    write_journey(authority_ledger, dev_authority.env)
    return authority_ledger


def _dev(templates: dict[tuple[str, str], dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {stack: t for (env, stack), t in templates.items() if env == "dev"}


def test_every_platform_request_is_allowed(dev_authority: Authority, ledger: Ledger) -> None:
    denied = [describe(v) for v in dev_authority.platform() if not v.decision.allowed]
    assert not denied, "\n".join(denied)


def test_every_grant_is_used_or_has_a_reason(dev_authority: Authority, ledger: Ledger) -> None:
    unexplained = [
        f"{role.logical_id}: {grant.action} on {list(grant.resources)} ({grant.ref})"
        for role, grant, reason in ledger.unused(dev_authority.env)
        if reason is None
    ]
    assert not unexplained, "granted but never used, and no reason why:\n" + "\n".join(unexplained)


def _policy_of(template: dict[str, Any], prefix: str) -> dict[str, Any]:
    [policy] = [
        r
        for lid, r in template["Resources"].items()
        if lid.startswith(prefix) and r["Type"] == "AWS::IAM::ManagedPolicy"
    ]
    document: dict[str, Any] = policy["Properties"]["PolicyDocument"]
    return document


def test_a_planted_over_broad_grant_is_reported(
    templates: dict[tuple[str, str], dict[str, Any]], ledger: Ledger
) -> None:
    planted = copy.deepcopy(_dev(templates))
    statements = _policy_of(planted["Pipeline"], "IngestPolicy")["Statement"]
    uploads = json.loads(json.dumps(statements[-1]))  # any statement: reuse its shape
    uploads.update(
        Action="s3:*", Resource={"Fn::ImportValue": "SnapStream-dev-Data-UploadsBucketArn"}
    )
    uploads.pop("Condition", None)
    statements.append(uploads)
    env = Environment.from_templates(planted, env_name="dev", physical_name=local_names)
    unused = {
        grant.action
        for role, grant, reason in ledger.unused(env)
        if role.logical_id.startswith("IngestRole") and reason is None
    }
    assert {"s3:PutBucketPolicy", "s3:DeleteBucket", "s3:PutObject"} <= unused


def test_removing_a_needed_action_refuses_recorded_calls(
    templates: dict[tuple[str, str], dict[str, Any]], ledger: Ledger
) -> None:
    stripped = copy.deepcopy(_dev(templates))
    for statement in _policy_of(stripped["Web"], "SitePolicy")["Statement"]:
        actions = (
            statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        )
        statement["Action"] = [a for a in actions if a != "dynamodb:Query"] or [
            "dynamodb:DescribeLimits"
        ]
    env = Environment.from_templates(stripped, env_name="dev", physical_name=local_names)
    refused = [
        v
        for v in ledger.verdicts
        if v.source == "call"
        and v.request.action == "dynamodb:Query"
        and v.label.startswith("site")
        and not env.evaluate(v.request).allowed
    ]
    assert refused, "the site's recorded queries should need dynamodb:Query"
