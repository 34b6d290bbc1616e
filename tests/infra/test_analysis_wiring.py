"""Analysis as synthesized: the buffering queue, completions, the Rekognition role, exact IAM."""

from __future__ import annotations

from typing import Any

import pytest

from stacks.config import ENVIRONMENTS
from stacks.pipeline_stack import PipelineStack
from tests.cdk_support import named_resource, resources_of_type

ENVS = list(ENVIRONMENTS)
Templates = dict[tuple[str, str], dict[str, Any]]


def _unscoped_actions(template: dict[str, Any], policy: str) -> set[str]:
    statements = named_resource(template, "AWS::IAM::ManagedPolicy", policy)[1]["Properties"][
        "PolicyDocument"
    ]["Statement"]
    actions: set[str] = set()
    for statement in statements:
        if statement["Resource"] == "*":
            action = statement["Action"]
            actions |= {action} if isinstance(action, str) else set(action)
    return actions


@pytest.mark.parametrize("env", ENVS)
def test_resource_star_only_for_actions_without_resource_level_permissions(
    templates: Templates, env: str
) -> None:
    pipeline = templates[env, "Pipeline"]
    xray = {"xray:PutTraceSegments", "xray:PutTelemetryRecords"}
    assert _unscoped_actions(pipeline, "AnalysisPolicy") == xray | set(
        PipelineStack.NO_RESOURCE_LEVEL_ANALYSIS_ACTIONS
    )
    assert _unscoped_actions(pipeline, "TranscriptionStatePolicy") == xray | set(
        PipelineStack.COMPREHEND_ACTIONS
    )
    assert _unscoped_actions(pipeline, "VideoLabelsPolicy") == xray | set(
        PipelineStack.VIDEO_RESULT_ACTIONS
    )
    assert _unscoped_actions(pipeline, "IngestPolicy") == xray


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
    rules = [r["Properties"] for r in resources_of_type(pipeline, "AWS::Events::Rule").values()]
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
