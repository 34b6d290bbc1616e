"""MediaConvertTranscoding alone: a queue, a job template, and a role that reads and writes only
the prefixes it is given."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tests.cdk_support import only_resource, resources_of_type
from tests.constructs.bare_stacks import Templates, bare_stack
from tests.constructs.builders import media_bucket

if TYPE_CHECKING:
    import aws_cdk as cdk


@bare_stack("TranscodingAlone")
def _transcoding_alone(stack: cdk.Stack) -> None:
    import aws_cdk as cdk
    from aws_cdk import aws_iam as iam

    from snapstream_constructs import (
        DataKey,
        MediaConvertTranscoding,
        Pack,
        acknowledge,
        resource_finding,
    )

    destroy = cdk.RemovalPolicy.DESTROY
    key = DataKey(stack, "Key", description="k", removal_policy=destroy)
    media = media_bucket(stack, key.key)
    transcoding = MediaConvertTranscoding(
        stack,
        "Transcoding",
        read_objects_arn=media.arn_for_objects("in/*"),
        write_objects_arn=media.arn_for_objects("out/*"),
        encryption_key=key.key,
        job_template_settings={"OutputGroups": []},
        accelerated=True,
    )
    acknowledge(
        transcoding.policy,
        pack=Pack.AWS_SOLUTIONS,
        rule="IAM5",
        findings=[
            resource_finding(stack, media.arn_for_objects("in/*")),
            resource_finding(stack, media.arn_for_objects("out/*")),
        ],
        reason="Test stack: objects under the in/ and out/ prefixes of the test bucket.",
    )
    transcoding.allow_submit(
        iam.ManagedPolicy(stack, "Submitter", description="submits transcode jobs")
    )


def _policy(template: dict[str, Any], prefix: str) -> list[dict[str, Any]]:
    [policy] = [
        p["Properties"]["PolicyDocument"]["Statement"]
        for lid, p in resources_of_type(template, "AWS::IAM::ManagedPolicy").items()
        if lid.startswith(prefix)
    ]
    statements: list[dict[str, Any]] = policy
    return statements


def test_transcoding_alone(bare_templates: Templates) -> None:
    template = bare_templates["TranscodingAlone"]
    job_template = only_resource(template, "AWS::MediaConvert::JobTemplate")["Properties"]
    assert job_template["AccelerationSettings"] == {"Mode": "PREFERRED"}
    assert job_template["StatusUpdateInterval"] == "SECONDS_60"
    roles = resources_of_type(template, "AWS::IAM::Role")
    [mediaconvert] = [r for lid, r in roles.items() if lid.startswith("TranscodingRole")]
    [trust] = mediaconvert["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "mediaconvert.amazonaws.com"}


def test_jobs_read_and_write_only_their_prefixes(bare_templates: Templates) -> None:
    template = bare_templates["TranscodingAlone"]
    queue = only_resource(template, "AWS::MediaConvert::Queue")["Properties"]
    assert (queue["PricingPlan"], queue["Status"]) == ("ON_DEMAND", "ACTIVE")
    [queue_id] = resources_of_type(template, "AWS::MediaConvert::Queue")
    job_template = only_resource(template, "AWS::MediaConvert::JobTemplate")["Properties"]
    assert job_template["Queue"] == {"Fn::GetAtt": [queue_id, "Arn"]}
    read, write, key = _policy(template, "TranscodingPolicy")
    [media_id] = [
        lid for lid in resources_of_type(template, "AWS::S3::Bucket") if lid.startswith("Media")
    ]
    for statement, action, prefix in ((read, "s3:GetObject", "in"), (write, "s3:PutObject", "out")):
        assert statement["Action"] == action
        assert statement["Resource"] == {
            "Fn::Join": ["", [{"Fn::GetAtt": [media_id, "Arn"]}, f"/{prefix}/*"]]
        }
    assert key["Action"] == ["kms:Decrypt", "kms:GenerateDataKey"]
    roles = resources_of_type(template, "AWS::IAM::Role")
    [trust] = next(iter(roles.values()))["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    # Only MediaConvert acting for this account may take the role (no confused deputy).
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}


def test_a_submitter_may_create_jobs_on_this_queue_and_pass_only_this_role(
    bare_templates: Templates,
) -> None:
    template = bare_templates["TranscodingAlone"]
    [queue_id] = resources_of_type(template, "AWS::MediaConvert::Queue")
    [template_id] = resources_of_type(template, "AWS::MediaConvert::JobTemplate")
    [role_id] = resources_of_type(template, "AWS::IAM::Role")
    create, pass_role = _policy(template, "Submitter")
    assert create["Action"] == "mediaconvert:CreateJob"
    assert sorted(r["Fn::GetAtt"][0] for r in create["Resource"]) == sorted([queue_id, template_id])
    assert {r["Fn::GetAtt"][1] for r in create["Resource"]} == {"Arn"}
    assert pass_role["Action"] == "iam:PassRole"
    assert pass_role["Resource"] == {"Fn::GetAtt": [role_id, "Arn"]}
    assert pass_role["Condition"] == {
        "StringEquals": {"iam:PassedToService": "mediaconvert.amazonaws.com"}
    }
