"""One environment's templates as an IAM world: names, ARNs, roles, grants and decisions."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from tools.authority import sar
from tools.authority.documents import ResourcePolicy, RoleDocuments, resource_policies, roles
from tools.authority.evaluate import Applicable, decide, grant_of
from tools.authority.intrinsics import PhysicalName, Resolver
from tools.authority.model import (
    ContextValue,
    Decision,
    Grant,
    Request,
    RolePrincipal,
    ServicePrincipal,
    Unmodeled,
)


class Environment:
    """Build with :meth:`from_templates`; every document is resolved up front, so an
    unresolvable reference fails here rather than in the middle of a test."""

    def __init__(self, resolver: Resolver) -> None:
        self._resolver = resolver
        self.account, self.region, self.env_name = (
            resolver.account,
            resolver.region,
            resolver.env_name,
        )
        self._roles: dict[str, RoleDocuments] = roles(resolver)
        self.resource_policies: list[ResourcePolicy] = resource_policies(resolver)

    @classmethod
    def from_templates(
        cls,
        templates: Mapping[str, Mapping[str, Any]],
        *,
        env_name: str,
        account: str = "123456789012",
        region: str = "us-east-1",
        physical_name: PhysicalName | None = None,
    ) -> Environment:
        """``templates``: stack id ("Data", "Pipeline" ...) -> template, of ONE environment.
        ``physical_name``: see :mod:`tools.authority.intrinsics` (it names every resource)."""
        resolver = Resolver(
            templates,
            env_name=env_name,
            account=account,
            region=region,
            physical_name=physical_name,
        )
        return cls(resolver)

    # -- names ---------------------------------------------------------------------------------

    def resolve(self, value: Any, stack: str) -> Any:
        return self._resolver.resolve(value, stack)

    def arn(self, stack: str, logical_id: str) -> str:
        return str(self._resolver.get_att(stack, logical_id, "Arn"))

    def name(self, stack: str, logical_id: str) -> str:
        return self._resolver.name(stack, logical_id)

    def find(self, stack: str, path_prefix: str, resource_type: str | None = None) -> str:
        """The logical id CDK gave the resource at ``path_prefix`` ("Ingest/Role" or
        "IngestRole"): the path's letters and digits + an 8-hex-digit hash. Exactly one."""
        prefix = re.sub(r"[^A-Za-z0-9]", "", path_prefix)
        pattern = re.compile(re.escape(prefix) + "[0-9A-F]{8}")
        found: list[str] = [
            logical_id
            for logical_id, resource in self._resolver.templates[stack]["Resources"].items()
            if pattern.fullmatch(logical_id)
            and (resource_type is None or resource["Type"] == resource_type)
        ]
        if len(found) != 1:
            raise LookupError(f"{stack}: {len(found)} resources match {path_prefix!r}: {found}")
        return found[0]

    # -- roles ---------------------------------------------------------------------------------

    def role(self, stack: str, logical_id: str) -> RolePrincipal:
        if self._resolver.resource(stack, logical_id)["Type"] != "AWS::IAM::Role":
            raise LookupError(f"{stack}/{logical_id} is not an AWS::IAM::Role")
        return self._roles[self.arn(stack, logical_id)].principal

    def function_role(self, stack: str, function_logical_id: str) -> RolePrincipal:
        function = self._resolver.resource(stack, function_logical_id)
        if function["Type"] != "AWS::Lambda::Function":
            raise LookupError(f"{stack}/{function_logical_id} is not an AWS::Lambda::Function")
        arn = str(self.resolve(function["Properties"]["Role"], stack))
        if arn not in self._roles:
            raise LookupError(f"{stack}/{function_logical_id} runs as {arn}, not a template role")
        return self._roles[arn].principal

    def roles(self) -> list[RolePrincipal]:
        return [documents.principal for documents in self._roles.values()]

    def documents(self, principal: RolePrincipal) -> RoleDocuments:
        if principal.arn not in self._roles:
            raise LookupError(f"{principal.arn} is not a role of {self.env_name}")
        return self._roles[principal.arn]

    def grants(self, principal: RolePrincipal) -> list[Grant]:
        """Every Allow of the role's identity policies, one grant per concrete action (Action
        patterns expanded with SAR data; an unknown action is kept as written)."""
        found: list[Grant] = []
        for statement in self.documents(principal).identity:
            if not statement.allows:
                continue
            if statement.not_action:
                raise Unmodeled(f"{statement.ref}: an Allow with NotAction cannot be listed")
            actions = dict.fromkeys(
                action
                for pattern in statement.actions
                for action in sar.expand(pattern) or [pattern]
            )
            found.extend(grant_of(statement, action) for action in actions)
        return found

    # -- decisions -----------------------------------------------------------------------------

    def context(self, request: Request) -> dict[str, ContextValue]:
        """The request context: IAM's defaults, overridden by what the request carries."""
        defaults: dict[str, ContextValue] = {"aws:SecureTransport": True}
        if isinstance(request.principal, RolePrincipal):
            defaults["aws:PrincipalAccount"] = self.account
            defaults["aws:PrincipalArn"] = request.principal.arn
        else:
            defaults["aws:PrincipalServiceName"] = request.principal.service
        given = {key.lower() for key in request.context}
        return {
            **{k: v for k, v in defaults.items() if k.lower() not in given},
            **request.context,
        }

    def evaluate(self, request: Request) -> Decision:
        """Whether AWS would allow ``request``. An action without resource-level permissions is
        evaluated against ``*`` whatever resource the request names, as AWS does."""
        action = sar.require(request.action)
        resource = request.resource if sar.supports_resource_level(action) else "*"
        role = None
        if isinstance(request.principal, RolePrincipal):
            role = self.documents(request.principal)
        elif not isinstance(request.principal, ServicePrincipal):
            raise TypeError(f"unknown principal {request.principal!r}")
        applicable = Applicable(
            role=role,
            resource_policies=[p for p in self.resource_policies if p.governs(resource)],
            trusting=self._roles.get(resource) if action.startswith("sts:") else None,
            kms_key=action.startswith("kms:") and resource.startswith("arn:aws:kms:"),
        )
        if applicable.kms_key and not applicable.resource_policies:
            return Decision(False, f"no key policy is known for {resource}", ())
        if action.startswith("sts:") and ":role/" in resource and applicable.trusting is None:
            return Decision(False, f"no trust policy is known for {resource}", ())
        decision = decide(
            request,
            action=action,
            resource=resource,
            context=self.context(request),
            policies=applicable,
            account=self.account,
        )
        if resource != request.resource:
            note = f" ({action} has no resource-level permissions: evaluated on *)"
            return Decision(decision.allowed, decision.reason + note, decision.allowed_by)
        return decision


_CACHE: dict[tuple[int, str, PhysicalName | None], tuple[object, Environment]] = {}


def environment_of(
    templates: Mapping[tuple[str, str], Mapping[str, Any]],
    env: str,
    physical_name: PhysicalName | None = None,
) -> Environment:
    """The :class:`Environment` of ``env`` from the session ``templates`` fixture
    ((env, stack) -> template), built once per (templates, env, physical_name)."""
    key = (id(templates), env, physical_name)
    cached = _CACHE.get(key)
    if cached is not None and cached[0] is templates:
        return cached[1]
    built = Environment.from_templates(
        {stack: t for (e, stack), t in templates.items() if e == env},
        env_name=env,
        physical_name=physical_name,
    )
    _CACHE[key] = (templates, built)
    return built
