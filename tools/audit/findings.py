"""Findings already in the assembly: every nag acknowledgment and every cfn-lint match."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tools.assembly import construct_path, resource_acknowledgments
from tools.audit.loading import Environment
from tools.cfn_lint_gate import lint


@dataclass(frozen=True)
class NagAcknowledgment:
    stack: str
    logical_id: str
    name: str
    path: str
    pack: str
    rule: str
    applies_to: str
    reason: str


def nag_acknowledgments(env: Environment) -> list[NagAcknowledgment]:
    return [
        NagAcknowledgment(
            stack=stack.name,
            logical_id=logical_id,
            name=stack.readable_name(logical_id),
            path=construct_path(resource),
            pack=ack.pack,
            rule=ack.rule,
            applies_to=ack.finding or "",
            reason=ack.reason,
        )
        for stack, logical_id, resource in env.resources()
        for ack in resource_acknowledgments(resource)
    ]


def cfn_lint_by_environment(
    outdir: Path, envs: list[Environment]
) -> dict[str, list[dict[str, Any]]]:
    """cfn-lint matches over the whole assembly (one run), grouped by environment name."""
    owner = {
        str(stack.artifact.template_path.resolve()): env.name
        for env in envs
        for stack in env.stacks
    }
    grouped: dict[str, list[dict[str, Any]]] = {env.name: [] for env in envs}
    for match in lint(outdir):
        env_name = owner.get(str(Path(match["Filename"]).resolve()))
        if env_name is not None:
            grouped[env_name].append(match)
    return grouped
