"""Same-account IAM policy evaluation of one request.

1. An explicit Deny in any applicable identity or resource policy wins.
2. KMS: the key policy must allow — naming the principal (or ``*``), or the account (the
   ``arn:aws:iam::<account>:root`` delegation), in which case an identity policy must allow too.
3. ``sts:`` actions on a role: the role's trust policy must allow, the same way.
4. Otherwise an identity policy of the role, or a resource policy naming the principal, allows.
   A resource policy that names only the account delegates to IAM (identity must allow).
   Service principals have no identity policies: only resource (and trust) policies allow them.

Permissions boundaries, SCPs, session policies and cross-account access are not modeled.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from tools.authority import conditions
from tools.authority.documents import ResourcePolicy, RoleDocuments
from tools.authority.model import (
    ContextValue,
    Decision,
    Grant,
    Principal,
    Request,
    RolePrincipal,
    Statement,
    StatementRef,
    Unmodeled,
)
from tools.authority.patterns import action_match, glob_match

DIRECT, ACCOUNT = "principal", "account"


def describe(ref: StatementRef) -> str:
    sid = f" ({ref.sid})" if ref.sid else ""
    return f"{ref.stack}/{ref.policy}[{ref.index}]{sid}"


def grant_of(statement: Statement, action: str) -> Grant:
    return Grant(
        ref=statement.ref,
        action=action,
        resources=statement.resources,
        conditions=statement.conditions,
        not_resource=statement.not_resource,
    )


def principal_match(statement: Statement, principal: Principal, account: str) -> str | None:
    """DIRECT when a resource-policy statement names the principal (or everyone), ACCOUNT when
    it names the principal's account (delegating to IAM), else None."""
    found = None
    for kind, value in statement.principals or ():
        if kind == "*" or (kind == "AWS" and value == "*"):
            return DIRECT
        if kind == "Service":
            if not isinstance(principal, RolePrincipal) and value == principal.service:
                return DIRECT
        elif kind == "AWS":
            if isinstance(principal, RolePrincipal):
                if value == principal.arn:
                    return DIRECT
                if value in (account, f"arn:aws:iam::{account}:root"):
                    found = ACCOUNT
        elif kind not in ("Federated", "CanonicalUser"):
            raise Unmodeled(f"{describe(statement.ref)}: principal kind {kind!r}")
    return found


def applies(
    statement: Statement, action: str, resource: str, context: Mapping[str, ContextValue]
) -> bool:
    """Action, resource and conditions of ``statement`` cover the request (principal aside)."""
    named = any(action_match(pattern, action) for pattern in statement.actions)
    if named == statement.not_action:
        return False
    listed = any(glob_match(pattern, resource, context) for pattern in statement.resources)
    if listed == statement.not_resource:
        return False
    try:
        return conditions.evaluate(
            statement.conditions, context, allows=statement.effect == "Allow"
        )
    except Unmodeled as error:
        raise Unmodeled(f"{describe(statement.ref)}: {error}") from None


@dataclass(frozen=True)
class Applicable:
    """The policies that apply to one request."""

    role: RoleDocuments | None
    resource_policies: Sequence[ResourcePolicy]
    #: the trust policy's role when the request is an ``sts:`` action on a known role.
    trusting: RoleDocuments | None
    #: the request is a KMS request on a key (whose key policy must then allow).
    kms_key: bool


def decide(
    request: Request,
    *,
    action: str,
    resource: str,
    context: Mapping[str, ContextValue],
    policies: Applicable,
    account: str,
) -> Decision:
    """The decision for a request whose action and resource are already normalized."""
    identity = policies.role.identity if policies.role else ()
    resource_statements: list[tuple[str, Statement]] = [
        (p.kind, s) for p in policies.resource_policies for s in p.statements
    ]
    if policies.trusting is not None:
        resource_statements += [("trust", s) for s in policies.trusting.trust]

    def matching(
        statements: Sequence[tuple[str, Statement]], effect: str
    ) -> list[tuple[str, Statement, str]]:
        found = []
        for kind, statement in statements:
            if statement.effect != effect:
                continue
            match = (
                DIRECT
                if statement.principals is None
                else principal_match(statement, request.principal, account)
            )
            if match is not None and applies(statement, action, resource, context):
                found.append((kind, statement, match))
        return found

    identity_pairs = [("identity", s) for s in identity]
    denials = matching(identity_pairs, "Deny") + matching(resource_statements, "Deny")
    if denials:
        return Decision(False, "explicitly denied by " + _list(denials), ())
    if policies.role is not None and policies.role.unmodeled:
        raise Unmodeled(
            f"{policies.role.principal.logical_id} has policies the evaluator does not model: "
            + ", ".join(policies.role.unmodeled)
        )
    identity_allows = matching(identity_pairs, "Allow")
    granted = tuple(grant_of(s, action) for _, s, _ in identity_allows)
    resource_allows = matching(resource_statements, "Allow")
    direct = [m for m in resource_allows if m[2] == DIRECT]
    delegated = [m for m in resource_allows if m[2] == ACCOUNT]

    gate = "key policy" if policies.kms_key else "trust policy" if policies.trusting else None
    if gate is not None:
        if direct:
            return Decision(True, f"{gate} allows the principal: {_list(direct)}", granted)
        if delegated and identity_allows:
            reason = f"{gate} delegates to IAM ({_list(delegated)}); allowed by "
            return Decision(True, reason + _list(identity_allows), granted)
        if identity_allows:
            reason = f"the {gate} does not allow (identity policy {_list(identity_allows)} "
            return Decision(False, reason + "is not enough)", ())
        return Decision(False, f"neither the {gate} nor an identity policy allows", ())
    if identity_allows or direct:
        return Decision(True, "allowed by " + _list(identity_allows + direct), granted)
    if delegated:
        return Decision(
            False, f"{_list(delegated)} delegates to IAM; no identity policy allows", ()
        )
    return Decision(False, "no statement allows", ())


def _list(found: Sequence[tuple[str, Statement, str]]) -> str:
    return ", ".join(f"{kind} {describe(statement.ref)}" for kind, statement, _ in found)
