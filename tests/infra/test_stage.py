"""Every environment is one Stage, SnapStream-<env>, holding its stacks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from stacks.config import ENVIRONMENTS
from tests.cdk_support import resources_of_type
from tools.assembly import StackArtifact


def test_one_stage_per_environment(stack_artifacts: list[StackArtifact]) -> None:
    stages = {s.stage for s in stack_artifacts}
    assert stages == {f"SnapStream-{name}" for name in ENVIRONMENTS}


def test_each_stage_holds_a_data_stack_named_after_it(stack_artifacts: list[StackArtifact]) -> None:
    names = {s.stack_name for s in stack_artifacts}
    assert {f"SnapStream-{env}-Data" for env in ENVIRONMENTS} <= names


def _stack_property(cloud_assembly: Path, env: str, prop: str) -> object:
    manifest = json.loads(
        (cloud_assembly / f"assembly-SnapStream-{env}" / "manifest.json").read_text()
    )
    [stack] = [
        a
        for a in manifest["artifacts"].values()
        if a["type"] == "aws:cloudformation:stack" and a["displayName"].endswith("/Data")
    ]
    return stack["properties"].get(prop)


def test_termination_protection_only_where_data_is_retained(cloud_assembly: Path) -> None:
    for env, config in ENVIRONMENTS.items():
        assert (
            bool(_stack_property(cloud_assembly, env, "terminationProtection"))
            is config.retain_data
        )


def test_resources_are_tagged_with_project_and_environment(
    templates: dict[tuple[str, str], dict[str, Any]],
) -> None:
    for (env, _), template in templates.items():
        buckets = resources_of_type(template, "AWS::S3::Bucket").values()
        for bucket in buckets:
            tags = {t["Key"]: t["Value"] for t in bucket["Properties"]["Tags"]}
            assert tags == {"environment": env, "project": "snapstream"}
