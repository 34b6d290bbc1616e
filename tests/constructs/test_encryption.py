"""DataKey alone: a rotating key with a deletion window; services admitted for this account."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.cdk_support import only_resource
from tests.constructs.bare_stacks import Templates, bare_stack

if TYPE_CHECKING:
    import aws_cdk as cdk


@bare_stack("KeyAlone")
def _key_alone(stack: cdk.Stack) -> None:
    import aws_cdk as cdk

    from snapstream_constructs import DataKey

    DataKey(stack, "Key", description="alone", removal_policy=cdk.RemovalPolicy.DESTROY)


@bare_stack("KeyForServicesAlone", region="eu-west-1")
def _key_for_services_alone(stack: cdk.Stack) -> None:
    import aws_cdk as cdk

    from snapstream_constructs import DataKey

    key = DataKey(
        stack,
        "Key",
        description="for services",
        removal_policy=cdk.RemovalPolicy.RETAIN,
        pending_window=cdk.Duration.days(7),
    )
    key.allow_service("s3.amazonaws.com")
    key.allow_cloudwatch_logs()


def test_data_key_alone_rotates_and_keeps_a_deletion_window(bare_templates: Templates) -> None:
    key = only_resource(bare_templates["KeyAlone"], "AWS::KMS::Key")
    assert key["Properties"]["EnableKeyRotation"] is True
    assert key["Properties"]["PendingWindowInDays"] == 30
    assert key["DeletionPolicy"] == "Delete"


def test_services_use_the_key_only_for_this_account(bare_templates: Templates) -> None:
    key = only_resource(bare_templates["KeyForServicesAlone"], "AWS::KMS::Key")
    assert key["Properties"]["PendingWindowInDays"] == 7
    assert key["DeletionPolicy"] == "Retain"
    statements = {s["Sid"]: s for s in key["Properties"]["KeyPolicy"]["Statement"] if "Sid" in s}
    s3 = statements["AllowUseByS3"]
    assert s3["Principal"] == {"Service": "s3.amazonaws.com"}
    assert sorted(s3["Action"]) == ["kms:Decrypt", "kms:GenerateDataKey*"]
    assert s3["Condition"] == {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}
    logs = statements["AllowCloudWatchLogs"]
    # The Region's own CloudWatch Logs principal, for this account's log groups only.
    assert logs["Principal"] == {"Service": "logs.eu-west-1.amazonaws.com"}
    [context] = logs["Condition"]["ArnLike"].values()
    assert context == {
        "Fn::Join": ["", ["arn:aws:logs:eu-west-1:", {"Ref": "AWS::AccountId"}, ":log-group:*"]]
    }
