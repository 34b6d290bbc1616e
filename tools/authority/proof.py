"""Recorded calls judged against an environment's synthesized policies.

``Authority`` turns each recorded call (and each request the platform makes for us, see
:mod:`tools.authority.platform`) into IAM requests and evaluates them; ``Ledger`` collects the
verdicts of a whole test session so that every grant can be shown to be used.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import tools.authority.media_calls  # noqa: F401 (registers the media services' mappings)
from tools.authority import Decision, Environment, Grant, Request, RolePrincipal
from tools.authority.calls import Unmapped, requests_for
from tools.authority.intrinsics import PhysicalName
from tools.authority.platform import platform_requests
from tools.authority.recorder import Call
from tools.authority.resources import ResourceIndex, UnknownResource
from tools.authority.unreached import reason_unreached

#: What tools/local/aws creates in moto for the tests (everything else keeps its template name).
LOCAL_TYPES = frozenset(
    {
        "AWS::KMS::Key",
        "AWS::SQS::Queue",
        "AWS::SNS::Topic",
        "AWS::DynamoDB::Table",
        "AWS::Events::EventBus",
        "AWS::S3::Bucket",
        "AWS::SES::ConfigurationSet",
    }
)


def local_names(
    stack: str, logical_id: str, resource_type: str, properties: Mapping[str, Any]
) -> str | None:
    """How tools/local/aws names what it creates in moto (the tests' environment): a bucket the
    template names keeps that name (a policy may name it, e.g. the ingest queue's)."""
    if resource_type == "AWS::S3::Bucket" and "BucketName" in properties:
        return None
    if resource_type in LOCAL_TYPES:
        return f"local-{logical_id.lower()}"[:63]
    return None


@dataclass(frozen=True)
class Verdict:
    source: str  # "call" (recorded), or "platform" (derived from the templates)
    label: str  # "site dynamodb:Query", "lambda service", ...
    request: Request
    decision: Decision


class Authority:
    """One environment's policies, the index of its resources and the request mapping."""

    def __init__(
        self,
        templates: Mapping[str, Mapping[str, Any]],
        *,
        env_name: str,
        physical_name: PhysicalName | None = None,
    ) -> None:
        self.env = Environment.from_templates(
            templates, env_name=env_name, physical_name=physical_name
        )
        self.index = ResourceIndex(self.env, templates)

    def judge(self, calls: Iterable[Call]) -> tuple[list[Verdict], list[str]]:
        """Verdicts for every request of ``calls``, and the calls that could not be mapped."""
        verdicts: list[Verdict] = []
        problems: list[str] = []
        for call in calls:
            label = f"{call.actor} {call.service}:{call.operation}"
            try:
                principal = self.index.principal_of(call.actor)
                requests = requests_for(call, principal, self.index)
            except (Unmapped, UnknownResource) as error:
                problems.append(f"{label}: {error}")
                continue
            verdicts.extend(Verdict("call", label, r, self.env.evaluate(r)) for r in requests)
        return verdicts, problems

    def platform(self) -> list[Verdict]:
        return [
            Verdict("platform", "AWS service on our behalf", r, self.env.evaluate(r))
            for r in platform_requests(self.env, self.index)
        ]


def describe(verdict: Verdict) -> str:
    r = verdict.request
    principal = r.principal.logical_id if isinstance(r.principal, RolePrincipal) else r.principal
    context = f" {dict(r.context)}" if r.context else ""
    outcome = verdict.decision.reason
    return f"{verdict.label}: {principal} {r.action} {r.resource}{context} -> {outcome}"


@dataclass
class Ledger:
    """Every verdict of a session, for the both-ways proof and the audit report."""

    verdicts: list[Verdict] = field(default_factory=list)
    #: (service, operation) of product calls made with no handler or site on the stack
    unattributed: list[tuple[str, str]] = field(default_factory=list)

    def add(self, verdicts: Iterable[Verdict]) -> None:
        self.verdicts.extend(verdicts)

    def used(self) -> set[Grant]:
        return {g for v in self.verdicts if v.decision.allowed for g in v.decision.allowed_by}

    def unused(self, env: Environment) -> list[tuple[RolePrincipal, Grant, str | None]]:
        """Grants no verdict used: (role, grant, the written reason it is not reached, if any)."""
        used = self.used()
        return [
            (role, grant, reason_unreached(role, grant))
            for role in env.roles()
            for grant in env.grants(role)
            if grant not in used
        ]
