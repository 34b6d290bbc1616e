"""Load a cloud assembly per environment: each stack's template once, with readable names."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tools.assembly import StackArtifact, construct_path, stacks

Resource = dict[str, Any]


@dataclass(frozen=True)
class Stack:
    """One stack of an environment, its template read once."""

    artifact: StackArtifact
    template: dict[str, Any]

    @property
    def name(self) -> str:
        return self.artifact.stack_name

    @property
    def short_name(self) -> str:
        """``Data``, ``Pipeline``, ``Web``: the stack's id inside its stage."""
        return self.name.rsplit("-", 1)[-1]

    @property
    def resources(self) -> dict[str, Resource]:
        return dict(self.template.get("Resources", {}))

    def of_type(self, *types: str) -> Iterator[tuple[str, Resource]]:
        for logical_id, resource in self.resources.items():
            if resource.get("Type") in types:
                yield logical_id, resource

    def readable_name(self, logical_id: str) -> str:
        """``Ingest/Function`` for ``SnapStream-dev/Pipeline/Ingest/Function/Resource``."""
        path = construct_path(self.resources.get(logical_id, {}))
        if not path:
            return logical_id
        parts = path.split("/")[2:]  # stage, stack
        if len(parts) > 1 and parts[-1] in {"Resource", "Default"}:
            parts = parts[:-1]
        return "/".join(parts) or logical_id


@dataclass(frozen=True)
class Environment:
    """Every stack of one environment (one CDK Stage)."""

    name: str
    stage: str
    stacks: list[Stack] = field(default_factory=list)

    def resources(self, *types: str) -> Iterator[tuple[Stack, str, Resource]]:
        """(stack, logical id, resource) of every resource of the given types (all without)."""
        for stack in self.stacks:
            for logical_id, resource in stack.resources.items():
                if not types or resource.get("Type") in types:
                    yield stack, logical_id, resource

    def stack(self, name: str) -> Stack | None:
        return next((s for s in self.stacks if s.name == name), None)


def load_environments(outdir: Path) -> list[Environment]:
    """One Environment per nested assembly (stage) of ``outdir``, in a stable order."""
    by_stage: dict[str, Environment] = {}
    for artifact in stacks(outdir):
        stage = artifact.stage or "app"
        env = by_stage.setdefault(stage, Environment(name=stage.rsplit("-", 1)[-1], stage=stage))
        env.stacks.append(Stack(artifact=artifact, template=artifact.template))
    return list(by_stage.values())
