"""The ingest path as synthesized: bucket -> queue (+DLQ) -> function, bus with archive, IAM."""

from __future__ import annotations

from typing import Any

import pytest

from stacks.config import ENVIRONMENTS
from tests.cdk_support import named_resource, only_resource, resources_of_type

ENVS = list(ENVIRONMENTS)
Templates = dict[tuple[str, str], dict[str, Any]]


@pytest.mark.parametrize("env", ENVS)
def test_uploads_bucket_notifies_the_ingest_queue_without_a_custom_resource(
    templates: Templates, env: str
) -> None:
    data = templates[env, "Data"]
    queue_id, _ = named_resource(data, "AWS::SQS::Queue", "IngestQueue")
    _, uploads = named_resource(data, "AWS::S3::Bucket", "UploadsBucket")
    [config] = uploads["Properties"]["NotificationConfiguration"]["QueueConfigurations"]
    assert config == {
        "Event": "s3:ObjectCreated:*",
        "Filter": {"S3Key": {"Rules": [{"Name": "prefix", "Value": "uploads/"}]}},
        "Queue": {"Fn::GetAtt": [queue_id, "Arn"]},
    }
    policy_id, _ = named_resource(data, "AWS::SQS::QueuePolicy", "IngestQueuePolicy")
    assert policy_id in uploads["DependsOn"]
    assert resources_of_type(data, "Custom::S3BucketNotifications") == {}
    functions = resources_of_type(data, "AWS::Lambda::Function")
    assert not any("BucketNotificationsHandler" in logical_id for logical_id in functions)


#: The uploads bucket's name, fixed at synthesis from the environment and pseudo parameters.
def _uploads_bucket_name(env: str) -> dict[str, Any]:
    return {
        "Fn::Join": [
            "",
            [f"snapstream-{env}-uploads-", {"Ref": "AWS::AccountId"}, "-", {"Ref": "AWS::Region"}],
        ]
    }


@pytest.mark.parametrize("env", ENVS)
def test_the_uploads_bucket_is_named_from_the_environment_and_pseudo_parameters(
    templates: Templates, env: str
) -> None:
    _, uploads = named_resource(templates[env, "Data"], "AWS::S3::Bucket", "UploadsBucket")
    assert uploads["Properties"]["BucketName"] == _uploads_bucket_name(env)
    # S3's limit, with a 12-digit account and the longest Region codes (14 characters).
    assert len(f"snapstream-{env}-uploads-123456789012-ap-southeast-7") <= 63


@pytest.mark.parametrize("env", ENVS)
def test_only_this_environments_uploads_bucket_may_send_to_the_ingest_queue(
    templates: Templates, env: str
) -> None:
    data = templates[env, "Data"]
    _, policy = named_resource(data, "AWS::SQS::QueuePolicy", "IngestQueuePolicy")
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    [allow] = [s for s in statements if s["Effect"] == "Allow"]
    assert allow["Principal"] == {"Service": "s3.amazonaws.com"}
    assert allow["Action"] == "sqs:SendMessage"
    # The bucket's ARN from the same pieces as its name, not a reference to the bucket (which
    # would be a cycle: the bucket waits for this policy before it sends its test event).
    assert allow["Condition"] == {
        "ArnEquals": {
            "aws:SourceArn": {
                "Fn::Join": [
                    "",
                    [
                        f"arn:aws:s3:::snapstream-{env}-uploads-",
                        {"Ref": "AWS::AccountId"},
                        "-",
                        {"Ref": "AWS::Region"},
                    ],
                ]
            }
        },
        "StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}},
    }
    [deny] = [s for s in statements if s["Effect"] == "Deny"]
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


@pytest.mark.parametrize("env", ENVS)
def test_ingest_queue_is_encrypted_and_redrives_to_its_dlq(templates: Templates, env: str) -> None:
    data = templates[env, "Data"]
    dlq_id, dlq = named_resource(data, "AWS::SQS::Queue", "IngestQueueDeadLetters")
    _, queue = named_resource(data, "AWS::SQS::Queue", "IngestQueue")
    key_id = next(iter(resources_of_type(data, "AWS::KMS::Key")))
    props = queue["Properties"]
    assert props["KmsMasterKeyId"] == {"Fn::GetAtt": [key_id, "Arn"]}
    assert props["RedrivePolicy"] == {
        "deadLetterTargetArn": {"Fn::GetAtt": [dlq_id, "Arn"]},
        "maxReceiveCount": 5,
    }
    assert props["VisibilityTimeout"] == 6 * ENVIRONMENTS[env].ingest_timeout_seconds
    assert dlq["Properties"]["MessageRetentionPeriod"] == 14 * 24 * 3600
    assert dlq["Properties"]["KmsMasterKeyId"] == {"Fn::GetAtt": [key_id, "Arn"]}


@pytest.mark.parametrize("env", ENVS)
def test_event_bus_archives_media_events(templates: Templates, env: str) -> None:
    data = templates[env, "Data"]
    bus_id, _ = named_resource(data, "AWS::Events::EventBus", "EventBus")
    archive = only_resource(data, "AWS::Events::Archive")["Properties"]
    assert archive["SourceArn"] == {"Fn::GetAtt": [bus_id, "Arn"]}
    assert archive["EventPattern"] == {"source": ["snapstream.media"]}
    assert archive["RetentionDays"] == ENVIRONMENTS[env].event_archive_retention_days


@pytest.mark.parametrize("env", ENVS)
def test_ingest_function_runtime_settings(templates: Templates, env: str) -> None:
    config = ENVIRONMENTS[env]
    function = named_resource(
        templates[env, "Pipeline"], "AWS::Lambda::Function", "IngestFunction"
    )[1]["Properties"]
    assert function["Runtime"] == "python3.14"
    assert function["Architectures"] == ["arm64"]
    assert function["Handler"] == "snapstream_runtime.handlers.ingest.handler"
    assert function["TracingConfig"] == {"Mode": "Active"}
    assert function["ReservedConcurrentExecutions"] == config.ingest_reserved_concurrency
    assert function["Timeout"] == config.ingest_timeout_seconds
    assert function["MemorySize"] == config.ingest_memory_mb
    assert function["LoggingConfig"]["LogFormat"] == "JSON"
    variables = function["Environment"]["Variables"]
    assert variables["SNAPSTREAM_ENVIRONMENT"] == env
    assert variables["MAX_UPLOAD_BYTES"] == str(config.max_upload_bytes)
    assert variables["MAX_IMAGE_PIXELS"] == str(config.max_image_pixels)
    assert {"TABLE_NAME", "EVENT_BUS_NAME", "NOTIFICATIONS_TOPIC_ARN"} <= set(variables)
    log_group = named_resource(templates[env, "Pipeline"], "AWS::Logs::LogGroup", "IngestLogs")[1][
        "Properties"
    ]
    assert log_group["RetentionInDays"] == config.log_retention_days
    assert "KmsKeyId" in log_group


@pytest.mark.parametrize("env", ENVS)
def test_event_source_mapping_reports_partial_batch_failures(
    templates: Templates, env: str
) -> None:
    _, mapping = named_resource(
        templates[env, "Pipeline"], "AWS::Lambda::EventSourceMapping", "IngestQueueSource"
    )
    assert mapping["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["Properties"]["BatchSize"] == 10
    policy_id, _ = named_resource(
        templates[env, "Pipeline"], "AWS::IAM::ManagedPolicy", "IngestPolicy"
    )
    assert mapping["DependsOn"] == [policy_id]


def _policy(template: dict[str, Any], path: str) -> dict[str, Any]:
    return named_resource(template, "AWS::IAM::ManagedPolicy", path)[1]


def _statements(template: dict[str, Any], path: str = "IngestPolicy") -> dict[str, dict[str, Any]]:
    policy = _policy(template, path)
    result = {}
    for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
        actions = (
            statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        )
        result[",".join(sorted(actions))] = statement
    return result


@pytest.mark.parametrize("env", ENVS)
def test_ingest_role_has_exactly_these_permissions(templates: Templates, env: str) -> None:
    pipeline = templates[env, "Pipeline"]
    role = named_resource(pipeline, "AWS::IAM::Role", "IngestRole")[1]["Properties"]
    assert role["AssumeRolePolicyDocument"]["Statement"] == [
        {
            "Action": "sts:AssumeRole",
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
        }
    ]
    assert "Policies" not in role
    assert resources_of_type(pipeline, "AWS::IAM::Policy") == {}
    statements = _statements(pipeline)
    assert set(statements) == {
        "logs:CreateLogStream,logs:PutLogEvents",
        "s3:DeleteObjectVersion,s3:GetObject,s3:GetObjectVersion",
        "s3:ListBucketVersions",
        "dynamodb:GetItem,dynamodb:PutItem,dynamodb:UpdateItem",
        "dynamodb:PutItem",
        "events:PutEvents",
        "sns:Publish",
        "kms:Decrypt,kms:GenerateDataKey",
        "sqs:ChangeMessageVisibility,sqs:DeleteMessage,sqs:GetQueueAttributes,sqs:ReceiveMessage",
    }
    s3 = statements["s3:DeleteObjectVersion,s3:GetObject,s3:GetObjectVersion"]
    assert s3["Resource"] == {
        "Fn::Join": [
            "",
            [{"Fn::ImportValue": f"SnapStream-{env}-Data-UploadsBucketArn"}, "/uploads/*"],
        ]
    }
    # Listing versions (to delete every one of a key) only under uploads/.
    listing = statements["s3:ListBucketVersions"]
    assert listing["Resource"] == {"Fn::ImportValue": f"SnapStream-{env}-Data-UploadsBucketArn"}
    assert listing["Condition"] == {"StringLike": {"s3:prefix": ["uploads/*"]}}
    dynamodb = statements["dynamodb:GetItem,dynamodb:PutItem,dynamodb:UpdateItem"]
    assert dynamodb["Condition"] == {
        "ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["MEDIA#*", "USER#*"]}
    }
    # an arrived upload's title-word search items (written in the transition's transaction)
    assert statements["dynamodb:PutItem"]["Condition"] == {
        "ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["TITLE#*"]}
    }
    for name, statement in statements.items():
        assert statement["Effect"] == "Allow"
        assert statement["Resource"] != "*", name
    # Its own policy, and the environment's X-Ray policy (test_every_function_traces_through_...).
    assert len(role["ManagedPolicyArns"]) == 2


@pytest.mark.parametrize("env", ENVS)
def test_upload_issuer_policy_allows_exactly_the_upload_contract(
    templates: Templates, env: str
) -> None:
    # The web tier's instance role holds it (tests/infra/test_web_stack.py).
    statements = _statements(templates[env, "Web"], "UploadIssuerPolicy")
    assert set(statements) == {"s3:PutObject", "kms:GenerateDataKey", "dynamodb:PutItem"}
    assert statements["s3:PutObject"]["Resource"] == {
        "Fn::Join": [
            "",
            [{"Fn::ImportValue": f"SnapStream-{env}-Data-UploadsBucketArn"}, "/uploads/*"],
        ]
    }
    assert statements["dynamodb:PutItem"]["Condition"] == {
        "ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["MEDIA#*"]}
    }
