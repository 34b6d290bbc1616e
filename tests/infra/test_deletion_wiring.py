"""The deletion workflow as synthesized: queue (+DLQ, bounded retries) -> deletion function, the
only role that may delete media objects and VOD assets, scoped to its own environment."""

from __future__ import annotations

import json
from typing import Any

import pytest

from stacks.config import ENVIRONMENTS
from stacks.runtime_contract import contract
from tests.cdk_support import named_resource, resources_of_type

ENVS = list(ENVIRONMENTS)
Templates = dict[tuple[str, str], dict[str, Any]]
SWEEPERS = ("TranscodeState", "TranscriptionState", "Package", "Analysis")


def _statements(template: dict[str, Any], path: str) -> dict[str, dict[str, Any]]:
    policy = named_resource(template, "AWS::IAM::ManagedPolicy", path)[1]
    found = {}
    for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
        actions = statement["Action"]
        actions = actions if isinstance(actions, list) else [actions]
        found[",".join(sorted(actions)) + "@" + json.dumps(statement["Resource"])] = statement
    return found


def _actions(statements: dict[str, dict[str, Any]]) -> set[str]:
    return {a for key in statements for a in key.split("@", 1)[0].split(",")}


@pytest.mark.parametrize("env", ENVS)
def test_the_deletion_queue_retries_a_bounded_number_of_times_into_its_dlq(
    templates: Templates, env: str
) -> None:
    pipeline = templates[env, "Pipeline"]
    queue = named_resource(pipeline, "AWS::SQS::Queue", "DeletionQueue")[1]["Properties"]
    dead_id, dead = named_resource(pipeline, "AWS::SQS::Queue", "DeletionQueueDeadLetters")
    assert queue["RedrivePolicy"] == {
        "deadLetterTargetArn": {"Fn::GetAtt": [dead_id, "Arn"]},
        "maxReceiveCount": contract.DELETION_MAX_ATTEMPTS,
    }
    assert dead["Properties"]["MessageRetentionPeriod"] == 14 * 86400
    key = "PublishOutputFnGetAttDataKey2A0DE9E6Arn"
    for properties in (queue, dead["Properties"]):
        assert key in json.dumps(properties["KmsMasterKeyId"])
    function = named_resource(pipeline, "AWS::Lambda::Function", "DeletionFunction")[1]
    timeout = function["Properties"]["Timeout"]
    assert queue["VisibilityTimeout"] == 6 * timeout
    assert function["Properties"]["Handler"] == contract.DELETION_HANDLER
    reserved = ENVIRONMENTS[env].deletion_reserved_concurrency
    assert function["Properties"]["ReservedConcurrentExecutions"] == reserved
    _, mapping = named_resource(pipeline, "AWS::Lambda::EventSourceMapping", "DeletionQueueSource")
    assert mapping["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]


@pytest.mark.parametrize("env", ENVS)
def test_the_deletion_role_holds_exactly_the_deleting(templates: Templates, env: str) -> None:
    pipeline = templates[env, "Pipeline"]
    statements = _statements(pipeline, "DeletionPolicy")
    assert _actions(statements) == {
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "sns:Unsubscribe",
        "sns:Publish",
        "dynamodb:BatchWriteItem",
        "dynamodb:DeleteItem",
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:Query",
        "dynamodb:UpdateItem",
        "s3:ListBucketVersions",
        "s3:DeleteObjectVersion",
        "mediapackage-vod:DeleteAsset",
        "sqs:ChangeMessageVisibility",
        "sqs:DeleteMessage",
        "sqs:GetQueueAttributes",
        "sqs:ReceiveMessage",
        "sqs:SendMessage",
        "kms:Decrypt",
        "kms:GenerateDataKey",
    }
    by_action = {a: s for key, s in statements.items() for a in key.split("@")[0].split(",")}
    asset = by_action["mediapackage-vod:DeleteAsset"]["Resource"]
    assert json.dumps(asset).endswith(f':assets/snapstream-{env}-*"]]}}')
    resources = json.dumps(by_action["s3:DeleteObjectVersion"]["Resource"])
    assert '"/uploads/*"' in resources and '"/media/*"' in resources
    listing = [s for k, s in statements.items() if k.startswith("s3:ListBucketVersions@")]
    assert sorted(s["Condition"]["StringLike"]["s3:prefix"][0] for s in listing) == [
        "media/*",
        "uploads/*",
    ]
    table = by_action["dynamodb:DeleteItem"]
    assert table["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"] == [
        "MEDIA#*",
        "USER#*",
        "TAG#*",
        "TITLE#*",
        "HASH#*",
        "EMAIL#*",
        "USERNAME#*",
        "LOGIN#*",
        "SESSION#*",
    ]
    star = {a for a, s in by_action.items() if s["Resource"] == "*"}
    assert star == {"sns:Unsubscribe"}  # X-Ray: the shared FunctionTracing policy


@pytest.mark.parametrize("env", ENVS)
def test_no_other_role_deletes_media_files_or_assets(templates: Templates, env: str) -> None:
    """Ingest may remove an upload it refuses; nothing but the deletion function deletes
    anything under media/ or any VOD asset."""
    for (template_env, stack), template in templates.items():
        if template_env != env:
            continue
        for logical_id, policy in resources_of_type(template, "AWS::IAM::ManagedPolicy").items():
            if logical_id.startswith("DeletionPolicy"):
                continue
            for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
                actions = statement["Action"]
                actions = actions if isinstance(actions, list) else [actions]
                resources = json.dumps(statement["Resource"])
                assert "mediapackage-vod:DeleteAsset" not in actions, (stack, logical_id)
                if any(a.startswith("s3:Delete") for a in actions):
                    assert "/media/" not in resources, (stack, logical_id)
                    assert logical_id.startswith("IngestPolicy"), (stack, logical_id)


@pytest.mark.parametrize("env", ENVS)
def test_functions_whose_jobs_finish_late_may_ask_for_a_sweep(
    templates: Templates, env: str
) -> None:
    pipeline = templates[env, "Pipeline"]
    queue_id, _ = named_resource(pipeline, "AWS::SQS::Queue", "DeletionQueue")
    senders = set()
    for logical_id, function in resources_of_type(pipeline, "AWS::Lambda::Function").items():
        variables = function["Properties"].get("Environment", {}).get("Variables", {})
        if contract.ENV_DELETION_QUEUE in variables:
            assert variables[contract.ENV_DELETION_QUEUE] == {"Ref": queue_id}
            senders.add(logical_id.removesuffix(logical_id[-8:]).removesuffix("Function"))
    # The deletion function re-sends an account's; the stuck-media sweeper a stuck deletion's.
    assert senders == {*SWEEPERS, "Deletion", "StuckMedia"}
    queue_arn = json.dumps({"Fn::GetAtt": [queue_id, "Arn"]})
    for name in SWEEPERS:
        statements = _statements(pipeline, f"{name}Policy")
        assert any(key.startswith("sqs:SendMessage@") and queue_arn in key for key in statements), (
            name
        )
