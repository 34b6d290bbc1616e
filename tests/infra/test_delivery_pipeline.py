"""The optional delivery pipeline: off by default; with a delivery config, CDK Pipelines deploys
dev -> staging -> (approval) -> prod, and every gate still passes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from stacks.config import ENVIRONMENTS, resolve_environments
from stacks.delivery_config import (
    DeliveryConfig,
    check_pipeline_environments,
    delivery_from_context,
)
from tests.cdk_support import only_resource, resources_of_type
from tools.assembly import StackArtifact, open_violations, stacks, stale_acknowledgments
from tools.cfn_lint_gate import lint
from tools.synthesis import synthesize_all

PIPELINE_ACCOUNT = "111111111111"
ACCOUNTS = {"dev": "222222222222", "staging": "333333333333", "prod": "444444444444"}
#: Every environment with its account; staging and prod must say where their alarms go.
WITH_ACCOUNTS = {
    env: {"account": account} | ({} if env == "dev" else {"alarm_email": "ops@example.com"})
    for env, account in ACCOUNTS.items()
}
CONNECTION = (
    f"arn:aws:codeconnections:us-east-1:{PIPELINE_ACCOUNT}:connection/"
    "0123abcd-0000-4000-8000-0123456789ab"
)
SAMPLE = {
    "account": PIPELINE_ACCOUNT,
    "region": "us-east-1",
    "connection_arn": CONNECTION,
    "repository": "owner/snapstream",
    "branch": "main",
}


@pytest.fixture(scope="module")
def delivery_assembly(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The app with the sample delivery config, synthesized once (a failing nag gate raises).

    The Availability Zones are given as a committed cdk.context.json would hold them (the web
    VPC looks them up once accounts are explicit).
    """
    lookups = {
        f"availability-zones:account={account}:region=us-east-1": [
            "us-east-1a",
            "us-east-1b",
            "us-east-1c",
        ]
        for account in ACCOUNTS.values()
    }
    delivery = delivery_from_context(json.dumps(SAMPLE))
    assert delivery is not None
    return synthesize_all(
        tmp_path_factory.mktemp("cdk.out.delivery"),
        delivery=delivery,
        overrides=WITH_ACCOUNTS,
        extra_context=lookups,
    )


@pytest.fixture(scope="module")
def delivery_stacks(delivery_assembly: Path) -> list[StackArtifact]:
    return stacks(delivery_assembly)


@pytest.fixture(scope="module")
def pipeline_template(delivery_stacks: list[StackArtifact]) -> dict[str, Any]:
    [stack] = [s for s in delivery_stacks if s.stack_name == "SnapStream-Delivery"]
    assert stack.stage == ""  # directly under the app: `cdk deploy SnapStream-Delivery`
    return stack.template


def _stages(template: dict[str, Any]) -> list[dict[str, Any]]:
    pipeline = only_resource(template, "AWS::CodePipeline::Pipeline")
    stages: list[dict[str, Any]] = pipeline["Properties"]["Stages"]
    return stages


def test_pipeline_deploys_dev_then_staging_then_prod(pipeline_template: dict[str, Any]) -> None:
    names = [stage["Name"] for stage in _stages(pipeline_template)]
    assert names == [
        "Source",
        "Build",
        "UpdatePipeline",
        "Assets",
        "SnapStream-dev",
        "SnapStream-staging",
        "SnapStream-prod",
    ]


def test_each_environment_deploys_its_own_stacks_into_its_own_account(
    pipeline_template: dict[str, Any],
) -> None:
    for stage in _stages(pipeline_template)[4:]:
        env = stage["Name"].removeprefix("SnapStream-")
        deploys = [a for a in stage["Actions"] if a["ActionTypeId"]["Provider"] == "CloudFormation"]
        stack_names = {a["Configuration"]["StackName"] for a in deploys}
        # the same stack names as `cdk deploy 'SnapStream-<env>/*'` without the pipeline
        assert f"SnapStream-{env}-Data" in stack_names
        for action in deploys:
            role = json.dumps(action["RoleArn"])
            assert f"cdk-hnb659fds-deploy-role-{ACCOUNTS[env]}-us-east-1" in role


def test_a_manual_approval_precedes_the_prod_deployment(pipeline_template: dict[str, Any]) -> None:
    stages = {stage["Name"]: stage["Actions"] for stage in _stages(pipeline_template)}
    [approval] = [
        a for a in stages["SnapStream-prod"] if a["ActionTypeId"]["Category"] == "Approval"
    ]
    assert approval["ActionTypeId"]["Provider"] == "Manual"
    deploys = [a for a in stages["SnapStream-prod"] if a is not approval]
    assert deploys
    assert all(a["RunOrder"] > approval["RunOrder"] for a in deploys)
    for env in ("SnapStream-dev", "SnapStream-staging"):
        assert all(a["ActionTypeId"]["Category"] != "Approval" for a in stages[env])


def test_the_build_step_runs_the_tests_then_synthesizes(pipeline_template: dict[str, Any]) -> None:
    projects = resources_of_type(pipeline_template, "AWS::CodeBuild::Project").values()
    [synth] = [p for p in projects if p["Properties"]["Description"].endswith("/Build/Synth")]
    spec = json.loads(synth["Properties"]["Source"]["BuildSpec"])
    commands = spec["phases"]["build"]["commands"]
    assert commands[:2] == ["make test", "make synth"]
    assert spec["artifacts"]["base-directory"] == "cdk.out"
    environment = synth["Properties"]["Environment"]
    assert environment["PrivilegedMode"] is False  # no Docker
    assert "bookworm" in environment["Image"]  # Debian, as the README's make targets expect


def test_artifacts_are_kms_encrypted_with_a_rotated_key(pipeline_template: dict[str, Any]) -> None:
    pipeline = only_resource(pipeline_template, "AWS::CodePipeline::Pipeline")
    store = pipeline["Properties"]["ArtifactStore"]
    assert store["EncryptionKey"]["Type"] == "KMS"
    [key] = resources_of_type(pipeline_template, "AWS::KMS::Key").values()
    assert key["Properties"]["EnableKeyRotation"] is True
    for project in resources_of_type(pipeline_template, "AWS::CodeBuild::Project").values():
        assert "EncryptionKey" in project["Properties"]


def test_the_pipeline_stack_holds_every_environment_once(
    delivery_stacks: list[StackArtifact],
) -> None:
    assert {s.stage for s in delivery_stacks} == {
        "",
        *(f"SnapStream-Delivery-SnapStream-{env}" for env in ENVIRONMENTS),
    }
    names = [s.stack_name for s in delivery_stacks]
    assert len(names) == len(set(names))


def test_gates_pass_with_the_pipeline(delivery_assembly: Path) -> None:
    assert open_violations(delivery_assembly) == []
    assert stale_acknowledgments(delivery_assembly) == []
    assert lint(delivery_assembly) == []


def test_pipeline_acknowledgments_are_per_resource(delivery_stacks: list[StackArtifact]) -> None:
    [stack] = [s for s in delivery_stacks if s.stack_name == "SnapStream-Delivery"]
    acks = list(stack.acknowledgments())
    assert acks
    for path, ack_id, reason in acks:
        _stack, *below = path.split("/")
        assert len(below) >= 2, f"{ack_id} acknowledged on a whole stack or pipeline ({path})"
        if "-IAM5" in ack_id:
            assert ack_id.endswith("]"), f"IAM5 must name its finding: {ack_id}"
        assert len(reason) >= 40


def test_no_pipeline_without_delivery_context(
    templates: dict[tuple[str, str], dict[str, Any]],
) -> None:
    for template in templates.values():
        assert not resources_of_type(template, "AWS::CodePipeline::Pipeline")
    assert delivery_from_context(None) is None
    assert delivery_from_context("") is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"account": "12"}, "account '12' must be 12 digits"),
        ({"region": "US East"}, "region 'US East' must be a Region name"),
        ({"connection_arn": "arn:aws:s3:::bucket"}, "must be a CodeConnections connection ARN"),
        ({"repository": "snapstream"}, "repository 'snapstream' must be owner/name"),
        ({"branch": "a..b"}, "not a valid branch name"),
        ({"colour": "blue"}, r"unknown settings \['colour'\]"),
    ],
)
def test_bad_delivery_config_is_refused_with_a_clear_message(
    change: dict[str, str], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        delivery_from_context({**SAMPLE, **change})


def test_delivery_context_must_be_a_complete_json_object() -> None:
    with pytest.raises(ValueError, match="not valid JSON"):
        delivery_from_context("{account: 1}")
    with pytest.raises(ValueError, match="must be a JSON object"):
        delivery_from_context("[]")
    with pytest.raises(ValueError, match=r"missing settings \['connection_arn', 'repository'\]"):
        delivery_from_context({"account": PIPELINE_ACCOUNT, "region": "us-east-1"})
    config = delivery_from_context({k: v for k, v in SAMPLE.items() if k != "branch"})
    assert config == DeliveryConfig(**{**SAMPLE, "branch": "main"})


def test_the_pipeline_needs_every_environment_with_an_account() -> None:
    with_accounts = resolve_environments(
        overrides=WITH_ACCOUNTS,
        default_account=None,
        default_region=None,
    )
    check_pipeline_environments(with_accounts)
    with pytest.raises(ValueError, match="deploys every environment"):
        check_pipeline_environments(with_accounts[:1])
    without = resolve_environments(overrides={}, default_account=None, default_region=None)
    with pytest.raises(ValueError, match=r"needs an account for every environment.*'dev'"):
        check_pipeline_environments(without)
