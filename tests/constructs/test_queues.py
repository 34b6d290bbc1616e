from __future__ import annotations

import json
from typing import Any

from tests.cdk_support import only_resource, resources_of_type


def test_queue_with_dead_letters_alone(pipeline_bare_templates: dict[str, dict[str, Any]]) -> None:
    template = pipeline_bare_templates["QueueAlone"]
    queues = resources_of_type(template, "AWS::SQS::Queue")
    assert len(queues) == 2
    [main] = [q for q in queues.values() if "RedrivePolicy" in q["Properties"]]
    assert main["Properties"]["RedrivePolicy"]["maxReceiveCount"] == 3
    assert main["Properties"]["VisibilityTimeout"] == 60
    for queue in queues.values():
        assert "KmsMasterKeyId" in queue["Properties"]


def test_bucket_notification_needs_no_custom_resource(
    pipeline_bare_templates: dict[str, dict[str, Any]],
) -> None:
    template = pipeline_bare_templates["QueueAlone"]
    assert resources_of_type(template, "AWS::Lambda::Function") == {}
    [uploads] = [
        b
        for lid, b in resources_of_type(template, "AWS::S3::Bucket").items()
        if lid.startswith("Uploads")
    ]
    [config] = uploads["Properties"]["NotificationConfiguration"]["QueueConfigurations"]
    assert config["Filter"]["S3Key"]["Rules"] == [{"Name": "prefix", "Value": "in/"}]


def test_bucket_and_queue_must_share_a_stack() -> None:
    import aws_cdk as cdk
    import pytest
    from aws_cdk import aws_s3 as s3
    from aws_cdk import aws_sqs as sqs

    from snapstream_constructs import notify_queue_of_object_created

    app = cdk.App()
    bucket = s3.Bucket(cdk.Stack(app, "A"), "B")
    queue = sqs.Queue(cdk.Stack(app, "C"), "Q")
    with pytest.raises(ValueError, match="same stack"):
        notify_queue_of_object_created(bucket, queue, key_prefix="x/")


def test_the_queue_admits_s3_only_for_the_bucket_it_names(
    pipeline_bare_templates: dict[str, dict[str, Any]],
) -> None:
    """The condition names the bucket's ARN from the pseudo parameters its name is made of, not
    from the bucket resource (that reference would be a dependency cycle)."""
    template = pipeline_bare_templates["QueueAlone"]
    [(uploads_id, uploads)] = [
        (lid, b)
        for lid, b in resources_of_type(template, "AWS::S3::Bucket").items()
        if lid.startswith("Uploads")
    ]
    name = uploads["Properties"]["BucketName"]
    assert name == {
        "Fn::Join": ["", ["alone-uploads-", {"Ref": "AWS::AccountId"}, "-", {"Ref": "AWS::Region"}]]
    }
    [policy] = [
        p["Properties"]["PolicyDocument"]
        for p in resources_of_type(template, "AWS::SQS::QueuePolicy").values()
        if any(
            s.get("Sid") == "AllowS3ObjectCreatedNotifications"
            for s in p["Properties"]["PolicyDocument"]["Statement"]
        )
    ]
    [allow] = [s for s in policy["Statement"] if s["Effect"] == "Allow"]
    source_arn = allow["Condition"]["ArnEquals"]["aws:SourceArn"]
    assert uploads_id not in json.dumps(source_arn)
    assert source_arn == {
        "Fn::Join": [
            "",
            [
                "arn:",
                {"Ref": "AWS::Partition"},
                ":s3:::alone-uploads-",
                {"Ref": "AWS::AccountId"},
                "-",
                {"Ref": "AWS::Region"},
            ],
        ]
    }
    assert allow["Condition"]["StringEquals"] == {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}


def test_a_bucket_without_a_fixed_name_cannot_notify_the_queue() -> None:
    import aws_cdk as cdk
    import pytest
    from aws_cdk import aws_s3 as s3
    from aws_cdk import aws_sqs as sqs

    from snapstream_constructs import notify_queue_of_object_created

    stack = cdk.Stack(cdk.App(), "A")
    bucket = s3.Bucket(stack, "B")
    with pytest.raises(ValueError, match="no name fixed at synthesis"):
        notify_queue_of_object_created(bucket, sqs.Queue(stack, "Q"), key_prefix="x/")


def test_event_bus_alone_routes_with_a_dead_letter_queue(
    pipeline_bare_templates: dict[str, dict[str, Any]],
) -> None:
    """Events EventBridge cannot deliver land in the function's own dead-letter queue, beside
    those the function failed: one queue per step of everything it never processed."""
    template = pipeline_bare_templates["BusAlone"]
    rule = only_resource(template, "AWS::Events::Rule")["Properties"]
    [target] = rule["Targets"]
    dlq_id = target["DeadLetterConfig"]["Arn"]["Fn::GetAtt"][0]
    function = only_resource(template, "AWS::Lambda::Function")["Properties"]
    assert function["DeadLetterConfig"]["TargetArn"] == {"Fn::GetAtt": [dlq_id, "Arn"]}
    assert len(resources_of_type(template, "AWS::SQS::Queue")) == 1
    dlq = template["Resources"][dlq_id]["Properties"]
    assert "KmsMasterKeyId" in dlq  # the key admits events.amazonaws.com of this account
    [dlq_policy] = [
        p
        for p in resources_of_type(template, "AWS::SQS::QueuePolicy").values()
        if p["Properties"]["Queues"] == [{"Ref": dlq_id}]
    ]
    statements = dlq_policy["Properties"]["PolicyDocument"]["Statement"]
    assert any(s.get("Principal") == {"Service": "events.amazonaws.com"} for s in statements)
    assert target["RetryPolicy"] == {"MaximumEventAgeInSeconds": 86400, "MaximumRetryAttempts": 8}
    assert rule["EventPattern"] == {"source": ["test.source"], "detail-type": ["Uploaded"]}
    archive = only_resource(template, "AWS::Events::Archive")["Properties"]
    assert archive["RetentionDays"] == 7


def test_async_function_sends_failures_to_its_dead_letter_queue(
    pipeline_bare_templates: dict[str, dict[str, Any]],
) -> None:
    template = pipeline_bare_templates["BusAlone"]
    function = only_resource(template, "AWS::Lambda::Function")["Properties"]
    assert "DeadLetterConfig" in function
    [policy] = [
        p["Properties"]["PolicyDocument"]
        for lid, p in resources_of_type(template, "AWS::IAM::ManagedPolicy").items()
        if lid.startswith("WorkerPolicy")
    ]
    actions = {
        a
        for s in policy["Statement"]
        for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
    }
    assert "sqs:SendMessage" in actions


def test_function_alone_consumes_a_queue(
    pipeline_bare_templates: dict[str, dict[str, Any]],
) -> None:
    template = pipeline_bare_templates["FunctionAlone"]
    mapping = only_resource(template, "AWS::Lambda::EventSourceMapping")["Properties"]
    assert mapping["BatchSize"] == 5
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    function = only_resource(template, "AWS::Lambda::Function")["Properties"]
    assert function["Runtime"] == "python3.14"
    assert function["ReservedConcurrentExecutions"] == 1
    assert "DependsOn" not in only_resource(template, "AWS::Lambda::Function")
