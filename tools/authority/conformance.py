"""Check every role's identity Allow statements against the Service Authorization Reference.

A finding is a grant AWS would not honour as written, or one broader than the checklist allows:

- ``unknown-action``: an Action (or pattern) that names no action in the SAR;
- ``wildcard-action``: ``*`` or ``service:*``;
- ``no-resource-level``: the action supports no resource-level permissions (every SAR row is
  ``*``) but the statement's Resource is not ``*`` — AWS then never matches the statement;
- ``resource-format``: a Resource that fits none of the action's ARN formats (the statement
  names something the action never acts on);
- ``condition-key``: a condition key that is neither a global ``aws:`` key nor one the SAR
  lists for the action (IAM treats it as absent, so a positive test never holds);
- ``not-action``: an Allow with NotAction, which cannot be checked action by action.
"""

from __future__ import annotations

from dataclasses import dataclass

from tools.authority import sar
from tools.authority.environment import Environment
from tools.authority.evaluate import describe
from tools.authority.model import RolePrincipal, Statement, StatementRef


@dataclass(frozen=True)
class Finding:
    role: RolePrincipal
    ref: StatementRef
    kind: str
    action: str
    subject: str  # the resource, condition key or action pattern concerned
    reason: str

    def __str__(self) -> str:
        return (
            f"{self.role.logical_id} {describe(self.ref)} {self.kind}: {self.action} "
            f"{self.subject} — {self.reason}"
        )


def findings(env: Environment) -> list[Finding]:
    found: list[Finding] = []
    for role in env.roles():
        for statement in env.documents(role).identity:
            if statement.allows:
                found.extend(statement_findings(role, statement))
    return found


def statement_findings(role: RolePrincipal, statement: Statement) -> list[Finding]:
    """The findings of one identity Allow statement of ``role``."""

    def finding(kind: str, action: str, subject: str, reason: str) -> Finding:
        return Finding(role, statement.ref, kind, action, subject, reason)

    if statement.not_action:
        patterns = ", ".join(statement.actions)
        return [finding("not-action", "*", patterns, "Allow with NotAction grants all but these")]
    found = []
    keys = sorted({key for tests in statement.conditions.values() for key in tests})
    for pattern in statement.actions:
        if pattern == "*" or pattern.endswith(":*"):
            found.append(finding("wildcard-action", pattern, pattern, "every action of a service"))
        actions = sar.expand(pattern)
        if not actions:
            found.append(
                finding(
                    "unknown-action", pattern, pattern, "not in the Service Authorization Reference"
                )
            )
        for action in actions:
            found += [finding(*f) for f in _resource_findings(action, statement)]
            found += [
                finding(
                    "condition-key",
                    action,
                    key,
                    "neither a global aws: key nor one the SAR lists for this action",
                )
                for key in keys
                if not sar.condition_key_allowed(action, key)
            ]
    return found


def _resource_findings(action: str, statement: Statement) -> list[tuple[str, str, str, str]]:
    if statement.not_resource:
        return []
    if not sar.supports_resource_level(action):
        return [
            (
                "no-resource-level",
                action,
                resource,
                'the action supports no resource-level permissions: only Resource "*" matches',
            )
            for resource in statement.resources
            if resource != "*"
        ]
    return [
        (
            "resource-format",
            action,
            resource,
            "fits none of the action's ARN formats: " + ", ".join(sar.arn_formats(action)),
        )
        for resource in statement.resources
        if not sar.resource_fits(action, resource)
    ]
