"""Identity statements checked against the Service Authorization Reference."""

from __future__ import annotations

from typing import Any

from tools.authority import environment_of, findings

from .support import ACCOUNT, allow, deny, environment, role

JOB = f"arn:aws:transcribe:us-east-1:{ACCOUNT}:transcription-job/snapstream-test-*"
GROUP = f"arn:aws:mediapackage-vod:us-east-1:{ACCOUNT}:packaging-groups/group"
BUCKET = "arn:aws:s3:::media"


def kinds(statements: list[dict[str, Any]]) -> set[tuple[str, str, str]]:
    env = environment({"Worker": role(statements=statements)})
    found = findings(env)
    assert all(f.role == env.role("App", "Worker") and str(f) for f in found)
    return {(f.kind, f.action, f.subject) for f in found}


def test_actions_without_resource_level_permissions_scoped_to_arns() -> None:
    statements = [
        allow(["transcribe:StartTranscriptionJob", "transcribe:TagResource"], JOB),
        allow(
            "mediapackage-vod:CreateAsset",
            [GROUP, GROUP.replace("packaging-groups/group", "assets/*")],
        ),
    ]
    assert kinds(statements) == {
        ("no-resource-level", "transcribe:StartTranscriptionJob", JOB),
        ("no-resource-level", "transcribe:TagResource", JOB),
        ("no-resource-level", "mediapackage-vod:CreateAsset", GROUP),
        (
            "no-resource-level",
            "mediapackage-vod:CreateAsset",
            GROUP.replace("packaging-groups/group", "assets/*"),
        ),
    }
    assert kinds([allow("transcribe:StartTranscriptionJob", "*")]) == set()


def test_resources_that_fit_none_of_the_action_arn_formats() -> None:
    statements = [
        allow("s3:GetObject", [BUCKET, f"{BUCKET}/media/*"]),
        allow("mediapackage-vod:DescribeAsset", GROUP),
        allow("mediaconvert:CreateJob", f"arn:aws:mediaconvert:us-east-1:{ACCOUNT}:jobs/*"),
    ]
    assert kinds(statements) == {
        ("resource-format", "s3:GetObject", BUCKET),
        ("resource-format", "mediapackage-vod:DescribeAsset", GROUP),
        (
            "resource-format",
            "mediaconvert:CreateJob",
            f"arn:aws:mediaconvert:us-east-1:{ACCOUNT}:jobs/*",
        ),
    }


def test_unknown_and_wildcard_actions() -> None:
    assert kinds([allow(["s3:GetObjekt", "nosuch:Thing"], "*")]) == {
        ("unknown-action", "s3:GetObjekt", "s3:GetObjekt"),
        ("unknown-action", "nosuch:Thing", "nosuch:Thing"),
    }
    found = kinds([allow(["sqs:*"], "*"), allow("*", "*")])
    assert ("wildcard-action", "sqs:*", "sqs:*") in found
    assert ("wildcard-action", "*", "*") in found
    assert {kind for kind, _, _ in found} == {"wildcard-action"}
    # a partial wildcard is expanded and checked action by action, not flagged as such
    assert kinds([allow("s3:GetObject*", f"{BUCKET}/*")]) == set()


def test_condition_keys_the_action_does_not_list() -> None:
    leading = {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["MEDIA#*"]}}
    tag = {"StringEquals": {"s3:ExistingObjectTag/owner": "me", "aws:SourceVpc": "vpc-1"}}
    statements = [
        allow("s3:GetObject", f"{BUCKET}/*", Condition=leading),
        allow("s3:GetObject", f"{BUCKET}/*", Condition=tag),
    ]
    assert kinds(statements) == {("condition-key", "s3:GetObject", "dynamodb:LeadingKeys")}


def test_deny_statements_are_not_checked_and_not_action_allows_are_flagged() -> None:
    assert kinds([deny("*", "*"), deny("transcribe:StartTranscriptionJob", JOB)]) == set()
    flagged = kinds([{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}])
    assert flagged == {("not-action", "*", "iam:*")}


def test_no_findings_in_any_environment(templates: dict[tuple[str, str], dict[str, Any]]) -> None:
    """Every identity grant of every environment is one AWS honours as written."""
    found = [
        f"{env}: {finding}"
        for env in ("dev", "staging", "prod")
        for finding in findings(environment_of(templates, env))
    ]
    assert found == [], "\n".join(found)
