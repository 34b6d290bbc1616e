"""Collect one environment's policy documents, resolved: each role's identity policies and trust
policy, and every resource policy with the resources it governs.

Identity policies of a role: its inline ``Policies`` (``StatementRef.policy`` is the role's
logical id; statement indexes run on across its inline policies), the customer-managed policies
its ``ManagedPolicyArns`` name, and every ``AWS::IAM::Policy``/``ManagedPolicy`` whose ``Roles``
name it. AWS managed policies and permissions boundaries are not modeled: they are recorded
in :attr:`RoleDocuments.unmodeled`, and the evaluator refuses to decide for such a role.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from tools.authority.intrinsics import Resolver
from tools.authority.model import FrozenMapping, RolePrincipal, Statement, StatementRef, Unmodeled

_STATEMENT_KEYS = {"Sid", "Effect", "Action", "NotAction", "Resource", "NotResource"}
_STATEMENT_KEYS |= {"Principal", "Condition"}
_POLICY_TYPES = ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy")


@dataclass(frozen=True)
class RoleDocuments:
    principal: RolePrincipal
    name: str
    identity: tuple[Statement, ...]
    trust: tuple[Statement, ...]
    unmodeled: tuple[str, ...]


@dataclass(frozen=True)
class ResourcePolicy:
    """A resource policy (``kind`` = its CloudFormation type) and the ARNs it governs; for a
    bucket policy also every object of the bucket."""

    stack: str
    logical_id: str
    kind: str
    resources: tuple[str, ...]
    statements: tuple[Statement, ...]

    def governs(self, arn: str) -> bool:
        if self.kind == "AWS::S3::BucketPolicy":
            return any(arn == r or arn.startswith(f"{r}/") for r in self.resources)
        if self.kind == "AWS::Lambda::Permission":
            return any(arn == r or arn.startswith(f"{r}:") for r in self.resources)
        return arn in self.resources


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


def _principals(value: Any) -> tuple[tuple[str, str], ...]:
    if value == "*":
        return (("*", "*"),)
    if not isinstance(value, Mapping):
        raise Unmodeled(f"principal {value!r}")
    return tuple((kind, str(item)) for kind, items in value.items() for item in _as_list(items))


def statements(
    document: Mapping[str, Any],
    *,
    stack: str,
    policy: str,
    resource_policy: bool,
    start: int = 0,
) -> tuple[Statement, ...]:
    """The (already resolved) document's statements. A resource-policy statement without
    ``Resource`` (a trust policy) applies to the resource the policy is attached to."""
    found = []
    for offset, raw in enumerate(_as_list(document.get("Statement"))):
        ref = StatementRef(stack, policy, start + offset, raw.get("Sid"))
        unknown = set(raw) - _STATEMENT_KEYS
        if unknown:
            raise Unmodeled(f"{ref}: statement element(s) {sorted(unknown)} not modeled")
        if raw.get("Effect") not in ("Allow", "Deny"):
            raise Unmodeled(f"{ref}: Effect {raw.get('Effect')!r}")
        if ("Action" in raw) == ("NotAction" in raw):
            raise Unmodeled(f"{ref}: needs exactly one of Action and NotAction")
        if "Resource" in raw and "NotResource" in raw:
            raise Unmodeled(f"{ref}: both Resource and NotResource")
        if not resource_policy and "Resource" not in raw and "NotResource" not in raw:
            raise Unmodeled(f"{ref}: identity statement without Resource")
        resources = raw.get("Resource", raw.get("NotResource", "*"))
        found.append(
            Statement(
                ref=ref,
                effect=raw["Effect"],
                actions=tuple(str(a) for a in _as_list(raw.get("Action", raw.get("NotAction")))),
                not_action="NotAction" in raw,
                resources=tuple(str(r) for r in _as_list(resources)),
                not_resource="NotResource" in raw,
                conditions=FrozenMapping(raw.get("Condition", {})),
                principals=_principals(raw.get("Principal")) if resource_policy else None,
            )
        )
    return tuple(found)


def _of_type(resolver: Resolver, *types: str) -> Iterator[tuple[str, str, Mapping[str, Any]]]:
    for stack, template in resolver.templates.items():
        for logical_id, resource in template.get("Resources", {}).items():
            if resource["Type"] in types:
                yield stack, logical_id, resource.get("Properties", {})


def roles(resolver: Resolver) -> dict[str, RoleDocuments]:
    """Role ARN -> the role's resolved identity and trust documents."""
    managed_by_arn = {
        str(resolver.ref(stack, lid)): (stack, lid)
        for stack, lid, _ in _of_type(resolver, "AWS::IAM::ManagedPolicy")
    }
    role_keys = {
        resolver.name(stack, lid): (stack, lid)
        for stack, lid, _ in _of_type(resolver, "AWS::IAM::Role")
    }
    attached: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for stack, lid, props in _of_type(resolver, *_POLICY_TYPES):
        for role_name in resolver.resolve(props.get("Roles", []), stack):
            role_key = role_keys.get(str(role_name))
            if role_key is not None:
                attached.setdefault(role_key, []).append((stack, lid))
    found = {}
    for stack, lid, props in _of_type(resolver, "AWS::IAM::Role"):
        identity: list[Statement] = []
        for inline in props.get("Policies", []):
            document = resolver.resolve(inline["PolicyDocument"], stack)
            identity += statements(
                document, stack=stack, policy=lid, resource_policy=False, start=len(identity)
            )
        unmodeled = []
        policies = list(attached.get((stack, lid), []))
        for arn in resolver.resolve(props.get("ManagedPolicyArns", []), stack):
            if str(arn) in managed_by_arn:
                policies.append(managed_by_arn[str(arn)])
            else:
                unmodeled.append(f"managed policy {arn}")
        if "PermissionsBoundary" in props:
            unmodeled.append(f"permissions boundary {props['PermissionsBoundary']}")
        for policy_stack, policy_lid in dict.fromkeys(policies):
            policy = resolver.resource(policy_stack, policy_lid)["Properties"]
            document = resolver.resolve(policy["PolicyDocument"], policy_stack)
            identity += statements(
                document, stack=policy_stack, policy=policy_lid, resource_policy=False
            )
        arn = str(resolver.get_att(stack, lid, "Arn"))
        trust_document = resolver.resolve(props.get("AssumeRolePolicyDocument", {}), stack)
        found[arn] = RoleDocuments(
            principal=RolePrincipal(stack, lid, arn),
            name=resolver.name(stack, lid),
            identity=tuple(identity),
            trust=statements(trust_document, stack=stack, policy=lid, resource_policy=True),
            unmodeled=tuple(unmodeled),
        )
    return found


def _default_key_policy(resolver: Resolver) -> dict[str, Any]:
    """What KMS applies when a key is created without a policy: the account delegates to IAM."""
    root = f"arn:aws:iam::{resolver.account}:root"
    statement = {"Effect": "Allow", "Principal": {"AWS": root}, "Action": "kms:*", "Resource": "*"}
    return {"Statement": [statement]}


def _queue_arn(url: str) -> str:
    """``https://sqs.<region>.amazonaws.com/<account>/<name>`` -> the queue's ARN."""
    host, account, name = url.removeprefix("https://").split("/")
    return f"arn:aws:sqs:{host.split('.')[1]}:{account}:{name}"


def resource_policies(resolver: Resolver) -> list[ResourcePolicy]:
    found = []
    for stack, lid, props in _of_type(
        resolver,
        "AWS::S3::BucketPolicy",
        "AWS::SQS::QueuePolicy",
        "AWS::SNS::TopicPolicy",
        "AWS::KMS::Key",
        "AWS::Events::EventBusPolicy",
        "AWS::Lambda::Permission",
    ):
        kind = resolver.resource(stack, lid)["Type"]
        if kind == "AWS::Lambda::Permission":
            document, governed = _lambda_permission(resolver, stack, props)
        elif kind == "AWS::Events::EventBusPolicy":
            document, governed = _event_bus_policy(resolver, stack, props)
        elif kind == "AWS::KMS::Key":
            document = resolver.resolve(
                props.get("KeyPolicy", _default_key_policy(resolver)), stack
            )
            governed = [str(resolver.get_att(stack, lid, "Arn"))]
        else:
            document = resolver.resolve(props["PolicyDocument"], stack)
            governed = _governed(resolver, stack, kind, props)
        found.append(
            ResourcePolicy(
                stack=stack,
                logical_id=lid,
                kind=kind,
                resources=tuple(governed),
                statements=statements(document, stack=stack, policy=lid, resource_policy=True),
            )
        )
    return found


def _governed(resolver: Resolver, stack: str, kind: str, props: Mapping[str, Any]) -> list[str]:
    """ARNs of the buckets, queues or topics a bucket, queue or topic policy is attached to."""
    if kind == "AWS::S3::BucketPolicy":
        return [f"arn:aws:s3:::{resolver.resolve(props['Bucket'], stack)}"]
    if kind == "AWS::SQS::QueuePolicy":
        return [_queue_arn(str(url)) for url in resolver.resolve(props["Queues"], stack)]
    return [str(arn) for arn in resolver.resolve(props["Topics"], stack)]


def _lambda_permission(
    resolver: Resolver, stack: str, props: Mapping[str, Any]
) -> tuple[dict[str, Any], list[str]]:
    """An ``AWS::Lambda::Permission`` as the one-statement policy Lambda makes of it."""
    unknown = set(props) - {"Action", "FunctionName", "Principal", "SourceArn", "SourceAccount"}
    if unknown:
        raise Unmodeled(f"{stack}: Lambda permission with {sorted(unknown)}")
    values = resolver.resolve(dict(props), stack)
    function = str(values["FunctionName"])
    if not function.startswith("arn:"):
        function = f"arn:aws:lambda:{resolver.region}:{resolver.account}:function:{function}"
    principal = str(values["Principal"])
    kind = "Service" if principal.endswith(".amazonaws.com") else "AWS"
    condition: dict[str, dict[str, str]] = {}
    if "SourceArn" in values:
        condition["ArnLike"] = {"AWS:SourceArn": str(values["SourceArn"])}
    if "SourceAccount" in values:
        condition["StringEquals"] = {"AWS:SourceAccount": str(values["SourceAccount"])}
    statement = {
        "Effect": "Allow",
        "Principal": "*" if principal == "*" else {kind: principal},
        "Action": values["Action"],
        "Resource": function,
        "Condition": condition,
    }
    return {"Statement": [statement]}, [function]


def _event_bus_policy(
    resolver: Resolver, stack: str, props: Mapping[str, Any]
) -> tuple[dict[str, Any], list[str]]:
    values = resolver.resolve(dict(props), stack)
    bus = str(values.get("EventBusName", "default"))
    arn = f"arn:aws:events:{resolver.region}:{resolver.account}:event-bus/{bus}"
    if "Statement" in values:
        return {"Statement": values["Statement"]}, [arn]
    principal = str(values["Principal"])
    statement: dict[str, Any] = {
        "Sid": values.get("StatementId"),
        "Effect": "Allow",
        "Principal": "*" if principal == "*" else {"AWS": principal},
        "Action": values["Action"],
        "Resource": arn,
    }
    if "Condition" in values:
        test = values["Condition"]
        statement["Condition"] = {test["Type"]: {test["Key"]: test["Value"]}}
    return {"Statement": [statement]}, [arn]
