"""The IAM matrix: who can assume each role, what it may do, and why every wildcard is there."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from tools.assembly import resource_acknowledgments
from tools.audit.intrinsics import Outputs, outputs_of, references, render
from tools.audit.loading import Environment, Resource, Stack

WILDCARD_RULE = "AwsSolutions-IAM5"
POLICY_TYPES = ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy")
#: Resource policies: type -> (policy resource property, what the policy applies to).
RESOURCE_POLICIES = {
    "AWS::KMS::Key": "KeyPolicy",
    "AWS::S3::BucketPolicy": "PolicyDocument",
    "AWS::SQS::QueuePolicy": "PolicyDocument",
    "AWS::SNS::TopicPolicy": "PolicyDocument",
}


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


@dataclass(frozen=True)
class Wildcard:
    """A ``*`` in an action or resource, with the acknowledgment reason that justifies it."""

    kind: str  # "Action" or "Resource"
    value: str
    justification: str | None

    @property
    def finding(self) -> str:
        return f"{self.kind}::{self.value}"


@dataclass(frozen=True)
class Statement:
    effect: str
    actions: list[str]
    resources: list[str]
    conditions: list[str]
    principals: list[str] = field(default_factory=list)
    wildcards: list[Wildcard] = field(default_factory=list)


@dataclass(frozen=True)
class Policy:
    """An inline or customer-managed policy of a role (``source`` says which)."""

    name: str
    source: str
    statements: list[Statement]


@dataclass(frozen=True)
class Role:
    stack: str
    logical_id: str
    name: str
    trust: list[Statement]
    managed_policy_arns: list[str]
    policies: list[Policy]

    @property
    def wildcards(self) -> list[Wildcard]:
        return [w for p in self.policies for s in p.statements for w in s.wildcards]


@dataclass(frozen=True)
class ResourcePolicy:
    stack: str
    logical_id: str
    name: str
    kind: str
    applies_to: str
    statements: list[Statement]
    note: str = ""


def _conditions(statement: dict[str, Any], outputs: Outputs) -> list[str]:
    return [
        f"{operator} {key} = {render(value, outputs)}"
        for operator, tests in statement.get("Condition", {}).items()
        for key, value in tests.items()
    ]


def _principals(statement: dict[str, Any], outputs: Outputs) -> list[str]:
    principal = statement.get("Principal", {})
    if principal == "*":
        return ["* (anyone)"]
    return [
        f"{kind}: {render(value, outputs)}"
        for kind, values in principal.items()
        for value in _as_list(values)
    ]


def statements(
    document: dict[str, Any], outputs: Outputs, justifications: dict[str, str] | None = None
) -> list[Statement]:
    """The document's statements rendered; with ``justifications`` every wildcard is matched."""
    found = []
    for raw in _as_list(document.get("Statement")):
        actions = [render(a, outputs) for a in _as_list(raw.get("Action") or raw.get("NotAction"))]
        if "NotAction" in raw:
            actions = [f"NOT {a}" for a in actions]
        resources = [
            render(r, outputs) for r in _as_list(raw.get("Resource") or raw.get("NotResource"))
        ]
        if "NotResource" in raw:
            resources = [f"NOT {r}" for r in resources]
        wildcards = []
        if justifications is not None:
            wildcards = [
                Wildcard(kind, value, justifications.get(f"{kind}::{value}"))
                for kind, values in (("Action", actions), ("Resource", resources))
                for value in values
                if "*" in value
            ]
        found.append(
            Statement(
                effect=str(raw.get("Effect", "")),
                actions=actions,
                resources=resources,
                conditions=_conditions(raw, outputs),
                principals=_principals(raw, outputs),
                wildcards=wildcards,
            )
        )
    return found


def _justifications(*resources: Resource) -> dict[str, str]:
    """Granular finding -> reason of every AwsSolutions-IAM5 acknowledgment on these resources."""
    return {
        ack.finding: ack.reason
        for resource in resources
        for ack in resource_acknowledgments(resource)
        if ack.rule == WILDCARD_RULE and ack.finding
    }


def environment_outputs(env: Environment) -> Outputs:
    return outputs_of({s.name: s.template for s in env.stacks})


def _attached(stack: Stack, role_id: str, role: Resource) -> Iterator[tuple[str, Resource]]:
    """Customer-managed and AWS::IAM::Policy resources of ``stack`` attached to the role."""
    managed = references(role.get("Properties", {}).get("ManagedPolicyArns", []))
    for logical_id, policy in stack.of_type(*POLICY_TYPES):
        roles = references(policy.get("Properties", {}).get("Roles", []))
        if role_id in roles or logical_id in managed:
            yield logical_id, policy


def roles(env: Environment) -> list[Role]:
    """Every AWS::IAM::Role of the environment with its trust, policies and wildcards."""
    outputs = environment_outputs(env)
    found = []
    for stack, role_id, role in env.resources("AWS::IAM::Role"):
        props = role.get("Properties", {})
        role_justifications = _justifications(role)
        policies = [
            Policy(
                name=str(inline.get("PolicyName", "inline")),
                source="inline",
                statements=statements(
                    inline.get("PolicyDocument", {}), outputs, role_justifications
                ),
            )
            for inline in props.get("Policies", [])
        ]
        for policy_id, policy in _attached(stack, role_id, role):
            policies.append(
                Policy(
                    name=f"{stack.readable_name(policy_id)} ({policy_id})",
                    source=policy["Type"].rsplit("::", 1)[-1],
                    statements=statements(
                        policy.get("Properties", {}).get("PolicyDocument", {}),
                        outputs,
                        {**role_justifications, **_justifications(policy)},
                    ),
                )
            )
        managed_ids = {pid for pid, _ in _attached(stack, role_id, role)}
        found.append(
            Role(
                stack=stack.name,
                logical_id=role_id,
                name=stack.readable_name(role_id),
                trust=statements(props.get("AssumeRolePolicyDocument", {}), outputs),
                managed_policy_arns=[
                    render(arn, outputs)
                    for arn in props.get("ManagedPolicyArns", [])
                    if not references(arn) & managed_ids
                ],
                policies=policies,
            )
        )
    return found


def unjustified(found: list[Role]) -> list[tuple[Role, Wildcard]]:
    return [(role, w) for role in found for w in role.wildcards if w.justification is None]


def resource_policies(env: Environment) -> list[ResourcePolicy]:
    """Key policies and bucket, queue and topic policies (whom they admit, to what)."""
    outputs = environment_outputs(env)
    found = []
    for stack, logical_id, resource in env.resources(*RESOURCE_POLICIES):
        kind = resource["Type"]
        props = resource.get("Properties", {})
        document = props.get(RESOURCE_POLICIES[kind], {})
        if kind == "AWS::KMS::Key":
            applies_to = "this key"
            note = 'In a key policy, "Resource": "*" means this key only.'
        else:
            target = props.get("Bucket") or props.get("Queues") or props.get("Topics")
            applies_to = render(target, outputs)
            note = ""
        found.append(
            ResourcePolicy(
                stack=stack.name,
                logical_id=logical_id,
                name=stack.readable_name(logical_id),
                kind=kind.split("::")[1],
                applies_to=applies_to,
                statements=statements(document, outputs),
                note=note,
            )
        )
    return found
