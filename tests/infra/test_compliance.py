"""The compliance gates: cdk-nag (three packs) and cfn-lint over every synthesized template."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from stacks.config import ENVIRONMENTS
from tests.cdk_support import new_app
from tools.assembly import (
    AWS_SOLUTIONS_PER_100_RESOURCES,
    StackArtifact,
    acknowledgment_density,
    construct_path,
    open_violations,
    stale_acknowledgments,
    suppressed_violations,
)
from tools.authority import environment_of
from tools.cfn_lint_gate import lint


def test_no_unacknowledged_nag_finding(cloud_assembly: Path) -> None:
    assert open_violations(cloud_assembly) == []


def test_every_acknowledgment_still_matches_a_finding(cloud_assembly: Path) -> None:
    # cdk-nag silently ignores an acknowledgment that matches nothing; we do not.
    assert suppressed_violations(cloud_assembly), "expected some acknowledged findings"
    assert stale_acknowledgments(cloud_assembly) == []


def test_acknowledgments_are_per_resource_with_a_prefixed_id(
    stack_artifacts: list[StackArtifact],
) -> None:
    acks = [a for s in stack_artifacts for a in s.acknowledgments()]
    assert acks
    for path, ack_id, reason in acks:
        _stage, _stack, *below = path.split("/")
        assert below, f"{ack_id} acknowledged on a whole stack or stage ({path})"
        pack, _, rule = ack_id.partition("::")
        assert pack in {"AwsSolutions", "NIST.800.53.R5", "Serverless"}
        assert rule.startswith(f"{pack}-")
        if rule.startswith("AwsSolutions-IAM5"):
            assert rule.endswith("]"), f"IAM5 must name its finding: {ack_id}"
        assert len(reason) >= 40


def test_every_acknowledgment_and_its_reason_is_written_into_its_one_resource(
    stack_artifacts: list[StackArtifact],
) -> None:
    """Each acknowledgment is made on the one resource its finding is reported on (never on a
    construct whose other resources would inherit it) and written into that resource's template
    ``Metadata`` with its reason."""
    for stack in stack_artifacts:
        resources = stack.resources.values()
        for path, ack_id, reason in stack.acknowledgments():
            covered = [
                r
                for r in resources
                if construct_path(r) == path or construct_path(r).startswith(f"{path}/")
            ]
            assert [construct_path(r) for r in covered] == [path], (ack_id, path)
            rules = covered[0]["Metadata"]["cdk_nag"]["rules_to_suppress"]
            assert {"id": ack_id, "reason": reason} in rules


def test_aws_solutions_acknowledgments_stay_within_15_per_100_resources(
    stack_artifacts: list[StackArtifact],
) -> None:
    """Counted as the templates list them (one per acknowledged finding and resource)."""
    densities = {d.stage: d for d in acknowledgment_density(stack_artifacts)}
    assert set(densities) == {f"SnapStream-{env}" for env in ENVIRONMENTS}
    for stage, density in densities.items():
        per_100 = density.per_100("AwsSolutions")
        assert 0 < per_100 <= AWS_SOLUTIONS_PER_100_RESOURCES, (stage, density)


def test_every_function_traces_through_one_shared_tracing_policy(
    templates: dict[tuple[str, str], dict[str, Any]],
) -> None:
    """X-Ray's "*" grant is written (and acknowledged) once, in a FunctionTracing policy, never
    in a function's own policy; every SnapStream function's role attaches one."""
    for env in ENVIRONMENTS:
        authority = environment_of(templates, env)
        for (template_env, stack), template in templates.items():
            if template_env != env:
                continue
            for logical_id, resource in template["Resources"].items():
                handler = resource.get("Properties", {}).get("Handler", "")
                if resource["Type"] != "AWS::Lambda::Function" or "snapstream_" not in handler:
                    continue
                role = authority.function_role(stack, logical_id)
                tracing = [
                    statement
                    for statement in authority.documents(role).identity
                    if any(action.startswith("xray:") for action in statement.actions)
                ]
                assert [s.ref.policy[: len("FunctionTracingPolicy")] for s in tracing] == [
                    "FunctionTracingPolicy"
                ], (env, logical_id)
                assert set(tracing[0].actions) == {
                    "xray:PutTraceSegments",
                    "xray:PutTelemetryRecords",
                }
                assert tracing[0].resources == ("*",)


def test_cfn_lint_reports_nothing(cloud_assembly: Path) -> None:
    assert lint(cloud_assembly) == []


def test_the_gate_fails_a_non_compliant_app(tmp_path: Path) -> None:
    """A bare bucket and a bare function trip all three packs and fail the synth."""
    import aws_cdk as cdk
    from aws_cdk import aws_lambda as lambda_
    from aws_cdk import aws_s3 as s3

    from snapstream_constructs import register_compliance_packs

    app = new_app(tmp_path)
    register_compliance_packs(app)
    stack = cdk.Stack(app, "NonCompliant")
    s3.Bucket(stack, "Bucket")
    lambda_.Function(
        stack,
        "Function",
        runtime=lambda_.Runtime.PYTHON_3_13,
        handler="index.handler",
        code=lambda_.Code.from_inline("def handler(event, context):\n    return None\n"),
    )
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()
    rules = {rule for _, rule, _ in open_violations(tmp_path)}
    assert "AwsSolutions-S1" in rules
    assert "NIST.800.53.R5-S3DefaultEncryptionKMS" in rules
    assert any(rule.startswith("Serverless-") for rule in rules)
