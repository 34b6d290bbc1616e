"""`make audit`: the auditor's report covers every role, wildcard, store and acknowledgment."""

from __future__ import annotations

import json
import re
from collections import Counter
from html import escape
from pathlib import Path
from typing import Any

import pytest

from tests.cdk_support import environment_templates
from tools.assembly import StackArtifact
from tools.audit.__main__ import audit
from tools.audit.checkov import load_skips
from tools.audit.iam import roles, unjustified
from tools.audit.loading import Environment, Stack, load_environments
from tools.audit.report import Outcome


@pytest.fixture(scope="session")
def audited(
    cloud_assembly: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, list[Outcome], list[tuple[str, str]]]:
    """One audit (one checkov run) over the session's assembly."""
    destination = tmp_path_factory.mktemp("audit")
    outcomes, stale = audit(cloud_assembly, destination)
    return destination, outcomes, stale


def _report(audited: tuple[Path, list[Outcome], Any], env: str, kind: str = "md") -> str:
    return (audited[0] / env / f"report.{kind}").read_text(encoding="utf-8")


def _envs(templates: dict[tuple[str, str], dict[str, Any]]) -> set[str]:
    return {env for env, _ in templates}


def test_every_role_is_in_the_iam_matrix(templates, audited) -> None:
    for (env, _), template in templates.items():
        report = _report(audited, env)
        for logical_id, resource in template["Resources"].items():
            if resource["Type"] == "AWS::IAM::Role":
                assert f"`{logical_id}`" in report


def test_every_wildcard_is_highlighted_and_justified(
    stack_artifacts, cloud_assembly, audited
) -> None:
    for env in load_environments(cloud_assembly):
        found = roles(env)
        assert unjustified(found) == []
        report = _report(audited, env.name)
        for role in found:
            for wildcard in role.wildcards:
                assert wildcard.justification
                assert f"**`{wildcard.value.replace('`', '')}`** ⚠" in report
                assert escape(wildcard.justification) in _report(audited, env.name, "html")
    assert sum(len(r.wildcards) for r in roles(load_environments(cloud_assembly)[0])) > 0


def test_resource_counts_match_the_templates(templates, audited) -> None:
    for (env, stack_id), template in templates.items():
        report = _report(audited, env)
        counts = Counter(r["Type"] for r in template["Resources"].values())
        section = report.split(f"-{stack_id} ({sum(counts.values())} resources)", 1)[1]
        for kind, count in counts.items():
            assert f"| `{kind}` | {count} |" in section


def test_every_nag_acknowledgment_appears(stack_artifacts: list[StackArtifact], audited) -> None:
    for artifact in stack_artifacts:
        env = artifact.stage.removeprefix("SnapStream-")
        report = _report(audited, env, "html")
        for _, ack_id, reason in artifact.acknowledgments():
            rule = ack_id.split("[", 1)[0]
            assert f'<code class="code">{escape(rule)}</code>' in report, ack_id
            assert escape(reason) in report


def test_data_stores_list_every_bucket_table_and_queue(templates, audited) -> None:
    stores = {"AWS::S3::Bucket", "AWS::DynamoDB::Table", "AWS::SQS::Queue", "AWS::SNS::Topic"}
    for (env, _), template in templates.items():
        section = _report(audited, env).split("## 3. Data stores", 1)[1].split("\n## ", 1)[0]
        for logical_id, resource in template["Resources"].items():
            if resource["Type"] in stores:
                assert f"`{logical_id}`" in section


def test_html_is_self_contained_with_the_diagram(templates, audited) -> None:
    for env in _envs(templates):
        html = _report(audited, env, "html")
        assert "<svg" in html and "</svg>" in html
        assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html, re.IGNORECASE)
        assert "<link" not in html and "<script" not in html
        assert (audited[0] / env / "architecture.svg").read_text().startswith("<svg")


def test_checkov_reports_no_unjustified_failure_and_no_stale_skip(audited) -> None:
    _, outcomes, stale = audited
    for outcome in outcomes:
        assert outcome.checkov.passed > 0
        assert outcome.unjustified_checkov == 0, outcome.checkov.unjustified
    assert stale == []
    assert all(reason.strip() for patterns in load_skips().values() for reason in patterns.values())


def test_an_unjustified_wildcard_is_flagged(stack_artifacts: list[StackArtifact]) -> None:
    template = {
        "Resources": {
            "Role": {
                "Type": "AWS::IAM::Role",
                "Properties": {"AssumeRolePolicyDocument": {"Statement": []}},
            },
            "Policy": {
                "Type": "AWS::IAM::Policy",
                "Properties": {
                    "Roles": [{"Ref": "Role"}],
                    "PolicyDocument": {
                        "Statement": [
                            {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
                        ]
                    },
                },
                "Metadata": {
                    "cdk_nag": {
                        "rules_to_suppress": [
                            {"id": "AwsSolutions::AwsSolutions-IAM5[Resource::*]", "reason": "x"}
                        ]
                    }
                },
            },
        }
    }
    env = Environment(
        name="synthetic", stage="synthetic", stacks=[Stack(stack_artifacts[0], template)]
    )
    flagged = [w.finding for _, w in unjustified(roles(env))]
    assert flagged == ["Action::s3:*"]


def _raw_wildcards(templates: dict[tuple[str, str], dict[str, Any]], env: str) -> int:
    """Action and Resource values containing ``*`` in every identity policy of ``env``, counted
    from the templates alone (not by the audit's own parser)."""
    count = 0
    for _, template in environment_templates(templates, env):
        for resource in template["Resources"].values():
            props = resource.get("Properties", {})
            if resource["Type"] in {"AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"}:
                documents = [props["PolicyDocument"]]
            elif resource["Type"] == "AWS::IAM::Role":
                documents = [p["PolicyDocument"] for p in props.get("Policies", [])]
            else:
                continue
            for document in documents:
                for statement in document["Statement"]:
                    for key in ("Action", "Resource"):
                        values = statement.get(key, [])
                        for value in values if isinstance(values, list) else [values]:
                            count += "*" in json.dumps(value)
    return count


def test_wildcard_count_matches_an_independent_count(templates, cloud_assembly) -> None:
    for env in load_environments(cloud_assembly):
        short = env.name.removeprefix("SnapStream-")
        assert sum(len(r.wildcards) for r in roles(env)) == _raw_wildcards(templates, short) > 0


def test_the_authority_section_shows_calls_grants_and_reasons(
    cloud_assembly: Path, tmp_path: Path
) -> None:
    from tools.audit.authority import authority_section
    from tools.audit.model import Report
    from tools.audit.render_markdown import render_markdown

    [dev] = [env for env in load_environments(cloud_assembly) if env.name == "dev"]
    missing = authority_section(dev, tmp_path / "none.json")
    assert "run `make test` first" in json.dumps(missing.blocks, default=str)
    journey = tmp_path / "journey.json"
    journey.write_text(
        json.dumps(
            {
                "environment": "dev",
                "requests": 3,
                "denied": 0,
                "unattributed_calls": [],
                "roles": {
                    "IngestRoleX": {
                        "stack": "Pipeline",
                        "calls": [
                            {
                                "action": "s3:GetObject",
                                "resource": "arn:aws:s3:::b/uploads/k",
                                "allowed_by": "IngestPolicy#5",
                                "count": 3,
                            }
                        ],
                        "unused": [
                            {
                                "policy": "IngestPolicy",
                                "statement": 2,
                                "action": "sns:Publish",
                                "resources": ["arn:aws:sns:us-east-1:1:t"],
                                "reason": None,
                            }
                        ],
                    }
                },
            }
        )
    )
    text = render_markdown(
        Report(title="t", summary=[], sections=[authority_section(dev, journey)])
    )
    assert "0 findings" in text
    assert "3 authorization requests, 0 denied; 1 grants not used by the journey, 1 of them" in text
    assert "IngestPolicy#5" in text and "NO REASON" in text


def test_the_audit_report_carries_the_authority_proof(audited) -> None:
    for env in ("dev", "staging", "prod"):
        assert "9. Authority proof" in _report(audited, env)
