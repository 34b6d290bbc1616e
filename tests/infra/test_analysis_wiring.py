"""Analysis as synthesized: the buffering queue, completions, the Rekognition role, exact IAM."""

from __future__ import annotations

import re
from typing import Any

import pytest

from stacks.config import ENVIRONMENTS
from tests.cdk_support import named_resource, resources_of_type
from tools.authority import environment_of, sar

ENVS = list(ENVIRONMENTS)
Templates = dict[tuple[str, str], dict[str, Any]]


def _custom_models_only(action: str) -> bool:
    """Actions whose only resource type is a custom model (a Rekognition project version, a
    Comprehend endpoint): a call on the service's own model names no resource, so IAM
    authorizes it on "*"."""
    return all(
        re.search(r":project/|-endpoint/", arn_format) for arn_format in sar.arn_formats(action)
    )


@pytest.mark.parametrize("env", ENVS)
def test_resource_star_only_for_actions_without_resource_level_permissions(
    templates: Templates, env: str
) -> None:
    """Whichever role: ``Resource: "*"`` only for actions the Service Authorization Reference
    lists with no resource-level permissions (the reverse is tools.authority.findings)."""
    environment = environment_of(templates, env)
    too_wide = {
        (role.logical_id, grant.action)
        for role in environment.roles()
        for grant in environment.grants(role)
        if "*" in grant.resources
        and sar.supports_resource_level(grant.action)
        and not _custom_models_only(grant.action)
    }
    assert not too_wide
    analysis = environment.find("Pipeline", "AnalysisRole", "AWS::IAM::Role")
    unscoped = {
        grant.action
        for grant in environment.grants(environment.role("Pipeline", analysis))
        if "*" in grant.resources
    }
    assert {"transcribe:StartTranscriptionJob", "rekognition:DetectLabels"} <= unscoped
    assert "rekognition:RecognizeCelebrities" not in unscoped  # switched off in every env


@pytest.mark.parametrize("env", ENVS)
def test_rekognition_role_is_trusted_by_rekognition_only(templates: Templates, env: str) -> None:
    role = named_resource(templates[env, "Pipeline"], "AWS::IAM::Role", "VideoAnalysisRole")[1][
        "Properties"
    ]
    assert role["AssumeRolePolicyDocument"]["Statement"] == [
        {
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}},
            "Effect": "Allow",
            "Principal": {"Service": "rekognition.amazonaws.com"},
        }
    ]


@pytest.mark.parametrize("env", ENVS)
def test_uploads_queue_up_for_analysis_and_transcripts_come_back_by_event(
    templates: Templates, env: str
) -> None:
    pipeline = templates[env, "Pipeline"]
    rules = [
        r["Properties"]
        for r in resources_of_type(pipeline, "AWS::Events::Rule").values()
        if "EventPattern" in r["Properties"]
    ]
    [to_queue] = [
        r
        for r in rules
        if "SqsParameters" in r["Targets"][0]
        or r["Targets"][0]["Arn"].get("Fn::GetAtt", [""])[0].startswith("AnalysisQueue")
    ]
    assert to_queue["EventPattern"]["detail"] == {"environment": [env]}
    [transcribe] = [r for r in rules if r["EventPattern"]["source"] == ["aws.transcribe"]]
    assert transcribe["EventPattern"]["detail"]["TranscriptionJobName"] == [
        {"prefix": f"snapstream-{env}-"}
    ]
    queue = named_resource(pipeline, "AWS::SQS::Queue", "AnalysisQueue")[1]["Properties"]
    assert queue["RedrivePolicy"]["maxReceiveCount"] == 5
    subscription = next(iter(resources_of_type(pipeline, "AWS::SNS::Subscription").values()))[
        "Properties"
    ]
    assert subscription["Protocol"] == "lambda" and "RedrivePolicy" in subscription
