"""The synthesized templates of every environment, read through the evaluator."""

from __future__ import annotations

from typing import Any

import pytest

from tools.authority import Environment, Request, ServicePrincipal, environment_of, sar
from tools.authority.conditions import parse

Templates = dict[tuple[str, str], dict[str, Any]]
ENVIRONMENTS = ("dev", "staging", "prod")


@pytest.fixture(params=ENVIRONMENTS)
def env(request: pytest.FixtureRequest, templates: Templates) -> Environment:
    return environment_of(templates, request.param)


def test_environments_are_built_once(templates: Templates) -> None:
    assert environment_of(templates, "dev") is environment_of(templates, "dev")
    assert environment_of(templates, "dev") is not environment_of(templates, "prod")


def test_every_policy_document_resolves(env: Environment, templates: Templates) -> None:
    """Building the environment resolved every identity, trust and resource policy."""
    stacks = {stack for (e, stack) in templates if e == env.env_name}
    assert {"Data", "Pipeline", "Web"} <= stacks
    roles = env.roles()
    assert len(roles) == sum(
        r["Type"] == "AWS::IAM::Role"
        for (e, _), t in templates.items()
        if e == env.env_name
        for r in t["Resources"].values()
    )
    for role in roles:
        assert env.documents(role).trust, role
    assert all(policy.resources and policy.statements for policy in env.resource_policies)
    statements = [s for p in env.resource_policies for s in p.statements]
    statements += [s for role in roles for s in env.documents(role).identity]
    for text in _strings(statements):  # an intrinsic left in a value would show as text
        assert "Fn::" not in text and "{'Ref'" not in text, text


def test_every_function_environment_and_role_resolves(
    env: Environment, templates: Templates
) -> None:
    for (e, stack), template in templates.items():
        if e != env.env_name:
            continue
        for logical_id, resource in template["Resources"].items():
            if resource["Type"] == "AWS::Lambda::Function":
                variables = env.resolve(resource["Properties"].get("Environment", {}), stack)
                assert all(isinstance(v, str) for v in variables.get("Variables", {}).values())
                assert env.function_role(stack, logical_id) in env.roles()


def test_every_operator_and_action_in_the_templates_is_modeled(env: Environment) -> None:
    statements = [s for role in env.roles() for s in env.documents(role).identity]
    statements += [s for role in env.roles() for s in env.documents(role).trust]
    statements += [s for policy in env.resource_policies for s in policy.statements]
    for statement in statements:
        for operator in statement.conditions:
            parse(operator)  # raises Unmodeled for an operator the evaluator does not know
        for pattern in statement.actions:
            assert sar.expand(pattern), f"{statement.ref}: {pattern}"


def test_the_upload_path(env: Environment) -> None:
    """S3 notifies the ingest queue; the ingest function reads the upload through the data key."""
    uploads = env.arn("Data", env.find("Data", "UploadsBucket", "AWS::S3::Bucket"))
    queue = env.arn("Data", env.find("Data", "IngestQueue", "AWS::SQS::Queue"))
    key = env.arn("Data", env.find("Data", "DataKey", "AWS::KMS::Key"))
    s3 = ServicePrincipal("s3.amazonaws.com")
    source = {"aws:SourceArn": uploads, "aws:SourceAccount": env.account}
    assert env.evaluate(Request(s3, "sqs:SendMessage", queue, source)).allowed
    assert not env.evaluate(Request(s3, "sqs:SendMessage", queue)).allowed
    ingest = env.function_role(
        "Pipeline", env.find("Pipeline", "IngestFunction", "AWS::Lambda::Function")
    )
    read = env.evaluate(Request(ingest, "s3:GetObject", f"{uploads}/uploads/u1/m1"))
    assert read.allowed and read.allowed_by, read.reason
    via_s3 = {"kms:ViaService": f"s3.{env.region}.amazonaws.com"}
    assert env.evaluate(Request(ingest, "kms:Decrypt", key, via_s3)).allowed
    insecure = env.evaluate(
        Request(ingest, "sqs:ReceiveMessage", queue, {"aws:SecureTransport": False})
    )
    assert not insecure.allowed and "explicitly denied" in insecure.reason


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in _strings(v)]
    if hasattr(value, "__dataclass_fields__"):
        return _strings([getattr(value, f) for f in value.__dataclass_fields__])
    if hasattr(value, "items"):
        return _strings(dict(value.items()))
    return []
