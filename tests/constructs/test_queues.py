"""QueueWithDeadLetters alone, and a bucket notifying it of new objects without a custom
resource."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from tests.cdk_support import resources_of_type
from tests.constructs.bare_stacks import Templates, bare_stack

if TYPE_CHECKING:
    import aws_cdk as cdk


@bare_stack("QueueAlone")
def _queue_alone(stack: cdk.Stack) -> None:
    import aws_cdk as cdk

    from snapstream_constructs import (
        AccessLogBucket,
        DataKey,
        QueueWithDeadLetters,
        SecureBucket,
        notify_queue_of_object_created,
    )
    from snapstream_constructs.storage import account_bucket_name

    destroy = cdk.RemovalPolicy.DESTROY
    key = DataKey(stack, "Key", description="k", removal_policy=destroy)
    key.allow_service("s3.amazonaws.com")
    logs = AccessLogBucket(stack, "Logs", retention=cdk.Duration.days(5), removal_policy=destroy)
    bucket = SecureBucket(
        stack,
        "Uploads",
        encryption_key=key.key,
        access_logs=logs.bucket,
        access_log_prefix="u/",
        bucket_name=account_bucket_name("alone", "uploads"),
        removal_policy=destroy,
        noncurrent_version_expiration=cdk.Duration.days(3),
    ).bucket
    queue = QueueWithDeadLetters(
        stack,
        "Ingest",
        encryption_key=key.key,
        visibility_timeout=cdk.Duration.seconds(60),
        max_receive_count=3,
    )
    notify_queue_of_object_created(bucket, queue.queue, key_prefix="in/")


def test_queue_with_dead_letters_alone(bare_templates: Templates) -> None:
    template = bare_templates["QueueAlone"]
    queues = resources_of_type(template, "AWS::SQS::Queue")
    assert len(queues) == 2
    [main] = [q for q in queues.values() if "RedrivePolicy" in q["Properties"]]
    assert main["Properties"]["RedrivePolicy"]["maxReceiveCount"] == 3
    assert main["Properties"]["VisibilityTimeout"] == 60
    for queue in queues.values():
        assert "KmsMasterKeyId" in queue["Properties"]


def test_bucket_notification_needs_no_custom_resource(
    bare_templates: Templates,
) -> None:
    template = bare_templates["QueueAlone"]
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
    bare_templates: Templates,
) -> None:
    """The condition names the bucket's ARN from the pseudo parameters its name is made of, not
    from the bucket resource (that reference would be a dependency cycle)."""
    template = bare_templates["QueueAlone"]
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


def test_only_dead_letter_queues_are_known_as_such() -> None:
    """Monitoring alarms on every queue :func:`dead_letter_queue` made, and on no other."""
    import aws_cdk as cdk
    from aws_cdk import aws_sqs as sqs

    from snapstream_constructs import (
        QueueWithDeadLetters,
        dead_letter_queue,
        delivery_dead_letter_queue,
        is_dead_letter_queue,
    )

    stack = cdk.Stack(cdk.App(), "S")
    work = QueueWithDeadLetters(
        stack, "Work", encryption_key=None, visibility_timeout=cdk.Duration.seconds(30)
    )
    assert is_dead_letter_queue(work.dead_letter_queue)
    assert not is_dead_letter_queue(work.queue)
    assert is_dead_letter_queue(dead_letter_queue(stack, "Failures", encryption_key=None))
    assert is_dead_letter_queue(delivery_dead_letter_queue(stack, "Lost", named_in="a test"))
    assert not is_dead_letter_queue(sqs.Queue(stack, "Plain"))
    assert not is_dead_letter_queue(work)
