"""Resource policies: KMS key policies, trust policies, service principals, delegation."""

from __future__ import annotations

from typing import Any

from tools.authority import Request, ServicePrincipal

from .support import ACCOUNT, ROOT, allow, environment, role

S3 = ServicePrincipal("s3.amazonaws.com")


def key(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Type": "AWS::KMS::Key", "Properties": {"KeyPolicy": {"Statement": list(statements)}}}


def kms_world(key_statements: list[dict[str, Any]], identity: list[dict[str, Any]]) -> Any:
    env = environment({"DataKey": key(*key_statements), "Worker": role(statements=identity)})
    return env, env.role("App", "Worker"), env.arn("App", "DataKey")


ROOT_STATEMENT = {"Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "kms:*", "Resource": "*"}


def test_kms_root_delegation_needs_an_identity_allow() -> None:
    env, worker, key_arn = kms_world([ROOT_STATEMENT], [allow("kms:Decrypt", "*")])
    decision = env.evaluate(Request(worker, "kms:Decrypt", key_arn))
    assert decision.allowed and "key policy delegates to IAM" in decision.reason
    assert len(decision.allowed_by) == 1
    assert not env.evaluate(Request(worker, "kms:Encrypt", key_arn)).allowed  # no identity allow


def test_kms_identity_allow_alone_is_not_enough() -> None:
    other = {
        "Effect": "Allow",
        "Principal": {"Service": "s3.amazonaws.com"},
        "Action": "kms:*",
        "Resource": "*",
    }
    env, worker, key_arn = kms_world([other], [allow("kms:Decrypt", "*")])
    decision = env.evaluate(Request(worker, "kms:Decrypt", key_arn))
    assert not decision.allowed and "key policy does not allow" in decision.reason
    # ... and a key the templates do not define has no known policy
    unknown = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/elsewhere"
    assert not env.evaluate(Request(worker, "kms:Decrypt", unknown)).allowed


def test_a_key_policy_naming_the_role_allows_without_identity_policy() -> None:
    role_arn = f"arn:aws:iam::{ACCOUNT}:role/snapstream-test-worker"
    named = {
        "Effect": "Allow",
        "Principal": {"AWS": role_arn},
        "Action": "kms:Decrypt",
        "Resource": "*",
    }
    env = environment({"Worker": role(statements=[]), "DataKey": key(named)})
    worker = env.role("App", "Worker")
    assert worker.arn == role_arn
    decision = env.evaluate(Request(worker, "kms:Decrypt", env.arn("App", "DataKey")))
    assert decision.allowed and decision.allowed_by == ()


def test_kms_via_service_condition_on_the_root_statement() -> None:
    via = {
        **ROOT_STATEMENT,
        "Condition": {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}},
    }
    env, worker, key_arn = kms_world([via], [allow("kms:GenerateDataKey", "*")])
    direct = Request(worker, "kms:GenerateDataKey", key_arn)
    assert not env.evaluate(direct).allowed
    through_s3 = Request(
        worker, "kms:GenerateDataKey", key_arn, {"kms:ViaService": "s3.us-east-1.amazonaws.com"}
    )
    assert env.evaluate(through_s3).allowed


def test_kms_for_a_service_principal() -> None:
    statement = {
        "Effect": "Allow",
        "Principal": {"Service": "s3.amazonaws.com"},
        "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
        "Resource": "*",
        "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
    }
    env, _, key_arn = kms_world([ROOT_STATEMENT, statement], [])
    context = {"aws:SourceAccount": ACCOUNT}
    assert env.evaluate(Request(S3, "kms:GenerateDataKey", key_arn, context)).allowed
    assert not env.evaluate(Request(S3, "kms:GenerateDataKey", key_arn)).allowed
    assert not env.evaluate(Request(S3, "kms:Encrypt", key_arn, context)).allowed
    # the root statement names the account, which a service principal is not part of
    assert not env.evaluate(
        Request(ServicePrincipal("sns.amazonaws.com"), "kms:Decrypt", key_arn)
    ).allowed


def test_trust_policy_for_a_service() -> None:
    env = environment({"Transcoding": role(service="mediaconvert.amazonaws.com", statements=[])})
    transcoding = env.role("App", "Transcoding")
    mediaconvert = ServicePrincipal("mediaconvert.amazonaws.com")
    decision = env.evaluate(Request(mediaconvert, "sts:AssumeRole", transcoding.arn))
    assert decision.allowed and "trust policy allows" in decision.reason
    lambda_service = ServicePrincipal("lambda.amazonaws.com")
    assert not env.evaluate(Request(lambda_service, "sts:AssumeRole", transcoding.arn)).allowed


def test_assuming_a_role_needs_its_trust_policy_even_with_an_identity_allow() -> None:
    env = environment(
        {
            "Target": role(statements=[]),
            "Caller": role(statements=[allow("sts:AssumeRole", "*")]),
        }
    )
    caller, target = env.role("App", "Caller"), env.role("App", "Target")
    decision = env.evaluate(Request(caller, "sts:AssumeRole", target.arn))
    assert not decision.allowed and "trust policy does not allow" in decision.reason
    elsewhere = f"arn:aws:iam::{ACCOUNT}:role/not-in-the-templates"
    decision = env.evaluate(Request(caller, "sts:AssumeRole", elsewhere))
    assert not decision.allowed and "no trust policy is known" in decision.reason


def queue_world(conditions: dict[str, Any]) -> Any:
    statement = {
        "Effect": "Allow",
        "Principal": {"Service": "s3.amazonaws.com"},
        "Action": "sqs:SendMessage",
        "Resource": {"Fn::GetAtt": ["Queue", "Arn"]},
        "Condition": conditions,
    }
    insecure = {
        "Effect": "Deny",
        "Principal": {"AWS": "*"},
        "Action": "sqs:*",
        "Resource": {"Fn::GetAtt": ["Queue", "Arn"]},
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
    env = environment(
        {
            "Bucket": {"Type": "AWS::S3::Bucket"},
            "Queue": {"Type": "AWS::SQS::Queue"},
            "QueuePolicy": {
                "Type": "AWS::SQS::QueuePolicy",
                "Properties": {
                    "Queues": [{"Ref": "Queue"}],
                    "PolicyDocument": {"Statement": [insecure, statement]},
                },
            },
        }
    )
    return env, env.arn("App", "Queue"), env.arn("App", "Bucket")


def test_a_resource_policy_alone_allows_a_service_principal() -> None:
    conditions = {
        "ArnEquals": {"aws:SourceArn": {"Fn::GetAtt": ["Bucket", "Arn"]}},
        "StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}},
    }
    env, queue, bucket = queue_world(conditions)
    good = {"aws:SourceAccount": ACCOUNT, "aws:SourceArn": bucket}
    decision = env.evaluate(Request(S3, "sqs:SendMessage", queue, good))
    assert decision.allowed and decision.allowed_by == ()
    assert "AWS::SQS::QueuePolicy App/QueuePolicy[1]" in decision.reason
    assert not env.evaluate(
        Request(S3, "sqs:SendMessage", queue, {**good, "aws:SourceArn": "arn:aws:s3:::other"})
    ).allowed
    assert not env.evaluate(
        Request(S3, "sqs:SendMessage", queue, {"aws:SourceArn": bucket})
    ).allowed
    assert not env.evaluate(
        Request(ServicePrincipal("sns.amazonaws.com"), "sqs:SendMessage", queue, good)
    ).allowed
    insecure = {**good, "aws:SecureTransport": False}
    denied = env.evaluate(Request(S3, "sqs:SendMessage", queue, insecure))
    assert not denied.allowed and "explicitly denied" in denied.reason


def bucket_world(principal: Any) -> Any:
    statement = {
        "Effect": "Allow",
        "Principal": principal,
        "Action": "s3:GetObject",
        "Resource": {"Fn::Join": ["", [{"Fn::GetAtt": ["Bucket", "Arn"]}, "/*"]]},
    }
    env = environment(
        {
            "Worker": role(statements=[]),
            "Bucket": {"Type": "AWS::S3::Bucket"},
            "BucketPolicy": {
                "Type": "AWS::S3::BucketPolicy",
                "Properties": {
                    "Bucket": {"Ref": "Bucket"},
                    "PolicyDocument": {"Statement": [statement]},
                },
            },
        }
    )
    return env, env.role("App", "Worker"), env.arn("App", "Bucket") + "/key"


def test_a_resource_policy_naming_the_account_delegates_to_iam() -> None:
    for principal in ({"AWS": ROOT}, {"AWS": ACCOUNT}):
        env, worker, obj = bucket_world(principal)
        decision = env.evaluate(Request(worker, "s3:GetObject", obj))
        assert not decision.allowed and "delegates to IAM" in decision.reason


def test_a_resource_policy_naming_the_role_or_everyone_allows() -> None:
    env, worker, obj = bucket_world(
        {"AWS": "arn:aws:iam::123456789012:role/snapstream-test-worker"}
    )
    assert env.evaluate(Request(worker, "s3:GetObject", obj)).allowed
    for everyone in ("*", {"AWS": "*"}):
        env, worker, obj = bucket_world(everyone)
        assert env.evaluate(Request(worker, "s3:GetObject", obj)).allowed
        assert env.evaluate(Request(S3, "s3:GetObject", obj)).allowed


def test_lambda_permissions_and_event_bus_policies() -> None:
    env = environment(
        {
            "Fn": {"Type": "AWS::Lambda::Function"},
            "Rule": {"Type": "AWS::Events::Rule"},
            "Invoke": {
                "Type": "AWS::Lambda::Permission",
                "Properties": {
                    "Action": "lambda:InvokeFunction",
                    "FunctionName": {"Fn::GetAtt": ["Fn", "Arn"]},
                    "Principal": "events.amazonaws.com",
                    "SourceArn": {"Fn::GetAtt": ["Rule", "Arn"]},
                },
            },
            "Bus": {"Type": "AWS::Events::EventBus", "Properties": {"Name": "bus"}},
            "BusPolicy": {
                "Type": "AWS::Events::EventBusPolicy",
                "Properties": {
                    "EventBusName": {"Ref": "Bus"},
                    "StatementId": "s3",
                    "Statement": {
                        "Effect": "Allow",
                        "Principal": {"Service": "s3.amazonaws.com"},
                        "Action": "events:PutEvents",
                        "Resource": {"Fn::GetAtt": ["Bus", "Arn"]},
                    },
                },
            },
        }
    )
    events = ServicePrincipal("events.amazonaws.com")
    function, rule = env.arn("App", "Fn"), env.arn("App", "Rule")
    assert env.evaluate(
        Request(events, "lambda:InvokeFunction", function, {"aws:SourceArn": rule})
    ).allowed
    assert not env.evaluate(
        Request(events, "lambda:InvokeFunction", function, {"aws:SourceArn": f"{rule}x"})
    ).allowed
    assert env.evaluate(Request(S3, "events:PutEvents", env.arn("App", "Bus"))).allowed
    assert not env.evaluate(Request(events, "events:PutEvents", env.arn("App", "Bus"))).allowed
