"""Identity-policy semantics: deny wins, NotAction, NotResource, wildcards, grants, unmodeled."""

from __future__ import annotations

import pytest

from tools.authority import Request, ServicePrincipal, UnknownAction, Unmodeled

from .support import ACCOUNT, allow, deny, environment, managed_policy, role

BUCKET = "arn:aws:s3:::media"
TABLE = f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/media"


def test_an_identity_allow_allows_and_names_the_grant() -> None:
    env = environment({"Worker": role(statements=[allow("s3:GetObject", f"{BUCKET}/media/*")])})
    worker = env.role("App", "Worker")
    decision = env.evaluate(Request(worker, "s3:GetObject", f"{BUCKET}/media/a.mp4"))
    assert decision.allowed, decision.reason
    [grant] = decision.allowed_by
    assert grant in env.grants(worker)
    assert (grant.ref.stack, grant.ref.policy, grant.ref.index) == ("App", "Worker", 0)
    assert not env.evaluate(Request(worker, "s3:GetObject", f"{BUCKET}/uploads/a.mp4")).allowed
    assert not env.evaluate(Request(worker, "s3:PutObject", f"{BUCKET}/media/a.mp4")).allowed


def test_actions_match_case_insensitively_and_resources_case_sensitively() -> None:
    env = environment({"Worker": role(statements=[allow("S3:getobject", f"{BUCKET}/Media/*")])})
    worker = env.role("App", "Worker")
    assert env.evaluate(Request(worker, "s3:GetObject", f"{BUCKET}/Media/a")).allowed
    assert not env.evaluate(Request(worker, "s3:GetObject", f"{BUCKET}/media/a")).allowed


def test_an_explicit_deny_wins() -> None:
    statements = [allow("s3:*", f"{BUCKET}/*"), deny("s3:DeleteObject", f"{BUCKET}/media/*")]
    env = environment({"Worker": role(statements=statements)})
    worker = env.role("App", "Worker")
    assert env.evaluate(Request(worker, "s3:DeleteObject", f"{BUCKET}/uploads/a")).allowed
    decision = env.evaluate(Request(worker, "s3:DeleteObject", f"{BUCKET}/media/a"))
    assert not decision.allowed
    assert "explicitly denied by identity App/Worker[1]" in decision.reason
    assert decision.allowed_by == ()


def test_not_action() -> None:
    statements = [
        allow("s3:*", f"{BUCKET}/*"),
        {"Effect": "Deny", "NotAction": ["s3:GetObject"], "Resource": "*"},
    ]
    env = environment({"Reader": role(statements=statements)})
    reader = env.role("App", "Reader")
    assert env.evaluate(Request(reader, "s3:GetObject", f"{BUCKET}/a")).allowed
    assert not env.evaluate(Request(reader, "s3:PutObject", f"{BUCKET}/a")).allowed
    broad = environment(
        {"Any": role(statements=[{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}])}
    )
    anyone = broad.role("App", "Any")
    assert broad.evaluate(Request(anyone, "s3:GetObject", f"{BUCKET}/a")).allowed
    assert not broad.evaluate(
        Request(anyone, "iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/r")
    ).allowed
    with pytest.raises(Unmodeled):
        broad.grants(anyone)


def test_not_resource() -> None:
    statement = {"Effect": "Allow", "Action": "s3:GetObject", "NotResource": f"{BUCKET}/private/*"}
    env = environment({"Reader": role(statements=[statement])})
    reader = env.role("App", "Reader")
    assert env.evaluate(Request(reader, "s3:GetObject", f"{BUCKET}/public/a")).allowed
    assert not env.evaluate(Request(reader, "s3:GetObject", f"{BUCKET}/private/a")).allowed
    [grant] = env.grants(reader)
    assert grant.not_resource and grant.resources == (f"{BUCKET}/private/*",)


def test_wildcard_actions_are_expanded_into_grants() -> None:
    env = environment({"Reader": role(statements=[allow("s3:Get*", f"{BUCKET}/*")])})
    reader = env.role("App", "Reader")
    actions = {grant.action for grant in env.grants(reader)}
    assert {"s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectTagging"} <= actions
    assert all(action.startswith("s3:Get") for action in actions)
    decision = env.evaluate(Request(reader, "s3:GetObjectVersion", f"{BUCKET}/a"))
    [grant] = decision.allowed_by
    assert grant.action == "s3:GetObjectVersion" and grant in env.grants(reader)


def test_conditions_and_default_context() -> None:
    leading = {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["MEDIA#*", "USER#*"]}}
    statements = [
        allow(["dynamodb:GetItem", "dynamodb:PutItem"], TABLE, Condition=leading),
        allow("sqs:SendMessage", "*", Condition={"Bool": {"aws:SecureTransport": "true"}}),
    ]
    env = environment({"Writer": role(statements=statements)})
    writer = env.role("App", "Writer")

    def put(*keys: str) -> bool:
        context = {"dynamodb:LeadingKeys": list(keys)}
        return env.evaluate(Request(writer, "dynamodb:PutItem", TABLE, context)).allowed

    assert put("MEDIA#1") and put("MEDIA#1", "USER#2")
    assert not put("TAG#u#t") and not put("MEDIA#1", "TAG#u#t")
    queue = f"arn:aws:sqs:us-east-1:{ACCOUNT}:q"
    assert env.evaluate(
        Request(writer, "sqs:SendMessage", queue)
    ).allowed  # SecureTransport default
    insecure = {"aws:SecureTransport": False}
    assert not env.evaluate(Request(writer, "sqs:SendMessage", queue, insecure)).allowed
    assert env.context(Request(writer, "sqs:SendMessage", queue))["aws:PrincipalArn"] == writer.arn


def test_pass_role_with_passed_to_service() -> None:
    target = f"arn:aws:iam::{ACCOUNT}:role/transcoding"
    condition = {"StringEquals": {"iam:PassedToService": "mediaconvert.amazonaws.com"}}
    env = environment(
        {"Submit": role(statements=[allow("iam:PassRole", target, Condition=condition)])}
    )
    submit = env.role("App", "Submit")
    to_mediaconvert = {"iam:PassedToService": "mediaconvert.amazonaws.com"}
    assert env.evaluate(Request(submit, "iam:PassRole", target, to_mediaconvert)).allowed
    to_ec2 = {"iam:PassedToService": "ec2.amazonaws.com"}
    assert not env.evaluate(Request(submit, "iam:PassRole", target, to_ec2)).allowed


def test_an_action_without_resource_level_permissions_is_evaluated_on_star() -> None:
    job = f"arn:aws:transcribe:us-east-1:{ACCOUNT}:transcription-job/snapstream-test-*"
    scoped = environment(
        {"Analysis": role(statements=[allow("transcribe:StartTranscriptionJob", job)])}
    )
    analysis = scoped.role("App", "Analysis")
    request = Request(analysis, "transcribe:StartTranscriptionJob", job.replace("*", "m1"))
    decision = scoped.evaluate(request)
    assert not decision.allowed and "no resource-level permissions" in decision.reason
    star = environment(
        {"Analysis": role(statements=[allow("transcribe:StartTranscriptionJob", "*")])}
    )
    assert star.evaluate(
        Request(star.role("App", "Analysis"), request.action, request.resource)
    ).allowed


def test_managed_and_attached_policies_are_identity_policies() -> None:
    worker_role = role()
    worker_role["Properties"]["ManagedPolicyArns"] = [
        {"Ref": "Managed"},
        {"Fn::ImportValue": "other"},
    ]
    other = {
        "Resources": {
            "Shared": {
                "Type": "AWS::IAM::ManagedPolicy",
                "Properties": {"PolicyDocument": {"Statement": [allow("sqs:SendMessage", "*")]}},
            }
        },
        "Outputs": {"SharedArn": {"Value": {"Ref": "Shared"}, "Export": {"Name": "other"}}},
    }
    env = environment(
        {
            "Worker": worker_role,
            "Managed": {
                "Type": "AWS::IAM::ManagedPolicy",
                "Properties": {"PolicyDocument": {"Statement": [allow("s3:GetObject", "*")]}},
            },
            "Attached": managed_policy("Worker", [allow("s3:PutObject", "*")]),
            "Inline": {
                "Type": "AWS::IAM::Policy",
                "Properties": {
                    "PolicyName": "p",
                    "Roles": [{"Ref": "Worker"}],
                    "PolicyDocument": {"Statement": [allow("s3:DeleteObject", "*")]},
                },
            },
        },
        Other=other,
    )
    worker = env.role("App", "Worker")
    sources = {(g.ref.stack, g.ref.policy, g.action) for g in env.grants(worker)}
    assert sources == {
        ("App", "Managed", "s3:GetObject"),
        ("App", "Attached", "s3:PutObject"),
        ("App", "Inline", "s3:DeleteObject"),
        ("Other", "Shared", "sqs:SendMessage"),
    }


def test_aws_managed_policies_are_not_modeled() -> None:
    worker_role = role(statements=[deny("s3:DeleteObject", "*")])
    basic = "arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
    worker_role["Properties"]["ManagedPolicyArns"] = [{"Fn::Sub": basic}]
    env = environment({"Worker": worker_role})
    worker = env.role("App", "Worker")
    with pytest.raises(Unmodeled, match="AWSLambdaBasicExecutionRole"):
        env.evaluate(Request(worker, "logs:CreateLogGroup", "*"))
    # an explicit deny stands whatever the unmodeled policy says
    assert not env.evaluate(Request(worker, "s3:DeleteObject", f"{BUCKET}/a")).allowed


def test_unmodeled_operators_raise_only_where_the_statement_applies() -> None:
    odd = allow("s3:GetObject", "*", Condition={"StringFuzzy": {"s3:prefix": "x"}})
    env = environment({"Worker": role(statements=[odd, allow("s3:PutObject", "*")])})
    worker = env.role("App", "Worker")
    assert env.evaluate(Request(worker, "s3:PutObject", f"{BUCKET}/a")).allowed
    with pytest.raises(Unmodeled, match="StringFuzzy"):
        env.evaluate(Request(worker, "s3:GetObject", f"{BUCKET}/a"))


def test_unknown_actions_and_principals_are_errors() -> None:
    env = environment({"Worker": role(statements=[allow("s3:GetObject", "*")])})
    worker = env.role("App", "Worker")
    with pytest.raises(UnknownAction):
        env.evaluate(Request(worker, "s3:GetObjekt", f"{BUCKET}/a"))
    with pytest.raises(LookupError):
        env.evaluate(
            Request(worker.__class__("App", "Nope", "arn:aws:iam::1:role/x"), "s3:GetObject", "*")
        )


def test_service_principals_have_no_identity_policies() -> None:
    env = environment({"Worker": role(statements=[allow("s3:GetObject", "*")])})
    decision = env.evaluate(
        Request(ServicePrincipal("lambda.amazonaws.com"), "s3:GetObject", f"{BUCKET}/a")
    )
    assert not decision.allowed and decision.reason == "no statement allows"
