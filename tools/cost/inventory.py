"""A cloud assembly's templates grouped by environment, with the look-ups the cost model needs."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tools.assembly import stacks

Resource = dict[str, Any]
#: The usual order of environments in the report; others follow alphabetically.
_ORDER = ("dev", "staging", "prod")
_STAGE_PREFIX = "SnapStream-"


@dataclass(frozen=True)
class Environment:
    """One environment (``SnapStream-<name>`` stage): stack name -> its template's resources."""

    name: str
    stacks: dict[str, dict[str, Resource]]

    def resources(self, resource_type: str) -> Iterator[tuple[str, Resource]]:
        """(stack name, resource) of every resource of ``resource_type``, in a stable order."""
        for stack_name, resources in sorted(self.stacks.items()):
            for _, resource in sorted(resources.items()):
                if resource["Type"] == resource_type:
                    yield stack_name, resource

    def count(self, resource_type: str) -> int:
        return sum(1 for _ in self.resources(resource_type))

    def referenced(self, stack_name: str, reference: Any) -> Resource:
        """The resource a ``{"Ref": id}`` or ``{"Fn::GetAtt": [id, ...]}`` names in its stack."""
        if isinstance(reference, dict) and "Ref" in reference:
            logical_id = reference["Ref"]
        elif isinstance(reference, dict) and "Fn::GetAtt" in reference:
            logical_id = reference["Fn::GetAtt"][0]
        else:
            raise ValueError(f"not a reference to a resource: {reference!r}")
        return self.stacks[stack_name][logical_id]


def environments(outdir: Path) -> list[Environment]:
    """Every environment of the assembly in ``outdir`` (``cdk.out`` or a test's synthesis)."""
    grouped: dict[str, dict[str, dict[str, Resource]]] = {}
    for stack in stacks(outdir):
        if not stack.stage.startswith(_STAGE_PREFIX):
            continue
        name = stack.stage.removeprefix(_STAGE_PREFIX)
        grouped.setdefault(name, {})[stack.stack_name] = stack.resources
    order = {name: index for index, name in enumerate(_ORDER)}
    return [
        Environment(name, grouped[name])
        for name in sorted(grouped, key=lambda n: (order.get(n, len(order)), n))
    ]
