from __future__ import annotations

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


def test_event_bus_alone_routes_with_a_dead_letter_queue(
    pipeline_bare_templates: dict[str, dict[str, Any]],
) -> None:
    template = pipeline_bare_templates["BusAlone"]
    rule = only_resource(template, "AWS::Events::Rule")["Properties"]
    [target] = rule["Targets"]
    dlq_id = target["DeadLetterConfig"]["Arn"]["Fn::GetAtt"][0]
    dlq = template["Resources"][dlq_id]["Properties"]
    assert dlq["SqsManagedSseEnabled"] is True
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
    policy = only_resource(template, "AWS::IAM::ManagedPolicy")["Properties"]["PolicyDocument"]
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
