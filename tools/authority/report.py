"""The session's authority proof as data for ``make audit``: per role, the calls made, the
grants that allowed them, and the grants no call used with the reason they stay."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from tools.authority import Environment, Grant, RolePrincipal
from tools.authority.proof import Ledger

JOURNEY = Path(__file__).resolve().parents[2] / "build" / "authority" / "journey.json"


def _grant(grant: Grant) -> dict[str, Any]:
    return {
        "policy": grant.ref.policy,
        "statement": grant.ref.index,
        "action": grant.action,
        "resources": list(grant.resources),
    }


def journey(ledger: Ledger, env: Environment) -> dict[str, Any]:
    calls: dict[str, Counter[tuple[str, str, str]]] = defaultdict(Counter)
    for verdict in ledger.verdicts:
        principal = verdict.request.principal
        if not isinstance(principal, RolePrincipal):
            continue
        allowed_by = "; ".join(
            sorted({f"{g.ref.policy}#{g.ref.index}" for g in verdict.decision.allowed_by})
        ) or ("resource policy" if verdict.decision.allowed else "DENIED")
        key = (verdict.request.action, verdict.request.resource, allowed_by)
        calls[principal.logical_id][key] += 1
    unused = defaultdict(list)
    for role, grant, reason in ledger.unused(env):
        unused[role.logical_id].append({**_grant(grant), "reason": reason})
    roles = {}
    for role in env.roles():
        roles[role.logical_id] = {
            "stack": role.stack,
            "calls": [
                {"action": a, "resource": r, "allowed_by": by, "count": n}
                for (a, r, by), n in sorted(calls[role.logical_id].items())
            ],
            "unused": unused[role.logical_id],
        }
    return {
        "environment": env.env_name,
        "requests": len(ledger.verdicts),
        "denied": sum(not v.decision.allowed for v in ledger.verdicts),
        "unattributed_calls": sorted(Counter(f"{s}:{o}" for s, o in ledger.unattributed).items()),
        "roles": roles,
    }


def write_journey(ledger: Ledger, env: Environment, path: Path = JOURNEY) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(journey(ledger, env), indent=1) + "\n", encoding="utf-8")
    return path
