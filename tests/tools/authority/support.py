"""Small hand-written templates for the evaluator's unit tests."""

from __future__ import annotations

from typing import Any

from tools.authority import Environment

ACCOUNT = "123456789012"
ROOT = f"arn:aws:iam::{ACCOUNT}:root"


def role(
    *, service: str = "lambda.amazonaws.com", statements: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """A role trusted by ``service``, with ``statements`` as one inline policy."""
    properties: dict[str, Any] = {
        "AssumeRolePolicyDocument": {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
            ],
        }
    }
    if statements is not None:
        properties["Policies"] = [
            {"PolicyName": "Inline", "PolicyDocument": {"Statement": statements}}
        ]
    return {"Type": "AWS::IAM::Role", "Properties": properties}


def managed_policy(role_id: str, statements: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "Type": "AWS::IAM::ManagedPolicy",
        "Properties": {"PolicyDocument": {"Statement": statements}, "Roles": [{"Ref": role_id}]},
    }


def allow(action: Any, resource: Any, **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action: Any, resource: Any, **extra: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def environment(resources: dict[str, Any], **stacks: dict[str, Any]) -> Environment:
    """An environment "test" whose stack "App" holds ``resources`` (plus other ``stacks``)."""
    return Environment.from_templates({"App": {"Resources": resources}, **stacks}, env_name="test")


def arn_of(env: Environment, logical_id: str, stack: str = "App") -> str:
    return env.arn(stack, logical_id)
