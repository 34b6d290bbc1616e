"""The public API of ``snapstream_constructs``: every exported name with its constructor or
function signature, its public methods and attributes, enum members and dataclass fields.

The snapshot is committed (``tests/constructs/public_api.json``); a test compares it with the
code, so that no change to what teams call goes unnoticed. ``python -m tools.public_api --write``
(part of ``make docs``) accepts the current API; :func:`changes` tells breaking from additive.
"""

from __future__ import annotations

import inspect
import json
import sys
from dataclasses import fields, is_dataclass
from enum import Enum
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SNAPSHOT = REPO / "tests" / "constructs" / "public_api.json"
HOW_TO_UPDATE = (
    "If the change is deliberate: run `make docs` (it rewrites the snapshot and the construct "
    "pages), record the change in constructs/CHANGELOG.md and bump the version in "
    "constructs/pyproject.toml (breaking: the major version, the minor one while it is 0.x; "
    "additive: the minor version)."
)


def _signature(function: Any) -> str:
    return str(inspect.signature(function)).replace("'", "")


def _parameters(function: Any) -> dict[str, str]:
    """name -> "<annotation>" or "<annotation> = <default>" (keyword-only marked with ``*``)."""
    found = {}
    for parameter in inspect.signature(function).parameters.values():
        if parameter.name == "self":
            continue
        annotation = parameter.annotation
        text = annotation if isinstance(annotation, str) else getattr(annotation, "__name__", "")
        if parameter.default is not inspect.Parameter.empty:
            text += " = <default>"
        if parameter.kind is inspect.Parameter.KEYWORD_ONLY:
            text = "* " + text
        found[parameter.name] = text
    return found


def _members(cls: type) -> dict[str, str]:
    members = {}
    for name, value in vars(cls).items():
        if name.startswith("_"):
            continue
        if isinstance(value, property):
            members[name] = "property"
        elif isinstance(value, classmethod):
            members[name] = "classmethod" + _signature(value.__func__)
        elif isinstance(value, staticmethod):
            members[name] = "staticmethod" + _signature(value.__func__)
        elif inspect.isfunction(value):
            members[name] = "method" + _signature(value)
        elif not callable(value):
            members[name] = "class attribute"
    return members


def describe(value: Any) -> dict[str, Any]:
    from constructs import Construct

    from tools.construct_docs import _assigned_attributes

    if isinstance(value, type) and issubclass(value, Enum):
        return {"kind": "enum", "members": {m.name: str(m.value) for m in value}}
    if isinstance(value, type) and is_dataclass(value):
        return {
            "kind": "dataclass",
            "parameters": _parameters(value),
            "fields": [f.name for f in fields(value)],
            "members": _members(value),
        }
    if isinstance(value, type) and issubclass(value, Construct):
        return {
            "kind": "construct",
            "parameters": _parameters(value.__dict__["__init__"]),
            "members": _members(value),
            "attributes": sorted(_assigned_attributes(value)),
        }
    if inspect.isfunction(value):
        return {
            "kind": "function",
            "parameters": _parameters(value),
            "signature": _signature(value),
        }
    return {"kind": type(value).__name__}


def snapshot() -> dict[str, Any]:
    import snapstream_constructs

    return {
        "package": "snapstream-constructs",
        "exports": {
            name: describe(getattr(snapstream_constructs, name))
            for name in sorted(snapstream_constructs.__all__)
        },
    }


def changes(old: dict[str, Any], new: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(breaking, additive) differences from ``old`` to ``new``."""
    breaking: list[str] = []
    additive: list[str] = []
    before, after = old.get("exports", {}), new.get("exports", {})
    for name in sorted(set(before) - set(after)):
        breaking.append(f"{name}: no longer exported")
    for name in sorted(set(after) - set(before)):
        additive.append(f"{name}: newly exported")
    for name in sorted(set(before) & set(after)):
        was, now = before[name], after[name]
        if was.get("kind") != now.get("kind"):
            breaking.append(f"{name}: was a {was.get('kind')}, now a {now.get('kind')}")
            continue
        _compare_parameters(
            name, was.get("parameters", {}), now.get("parameters", {}), breaking, additive
        )
        for key, label in (("members", "member"), ("attributes", "attribute")):
            was_members, now_members = was.get(key, {}), now.get(key, {})
            if isinstance(was_members, list):
                was_members = dict.fromkeys(was_members, "")
                now_members = dict.fromkeys(now_members, "")
            for member in sorted(set(was_members) - set(now_members)):
                breaking.append(f"{name}.{member}: {label} removed")
            for member in sorted(set(now_members) - set(was_members)):
                additive.append(f"{name}.{member}: {label} added")
            for member in sorted(set(was_members) & set(now_members)):
                if was_members[member] != now_members[member]:
                    breaking.append(
                        f"{name}.{member}: {was_members[member]} -> {now_members[member]}"
                    )
        if was.get("fields") != now.get("fields") and set(was.get("fields", [])) - set(
            now.get("fields", [])
        ):
            breaking.append(f"{name}: fields removed")
    return breaking, additive


def _compare_parameters(
    name: str,
    was: dict[str, str],
    now: dict[str, str],
    breaking: list[str],
    additive: list[str],
) -> None:
    for parameter in sorted(set(was) - set(now)):
        breaking.append(f"{name}({parameter}): parameter removed or renamed")
    for parameter in sorted(set(now) - set(was)):
        if "= <default>" in now[parameter]:
            additive.append(f"{name}({parameter}): optional parameter added")
        else:
            breaking.append(f"{name}({parameter}): required parameter added")
    for parameter in sorted(set(was) & set(now)):
        if was[parameter] == now[parameter]:
            continue
        made_optional = "= <default>" not in was[parameter] and now[parameter].startswith(
            was[parameter].split(" = ")[0]
        )
        if made_optional and "= <default>" in now[parameter]:
            additive.append(f"{name}({parameter}): now optional ({now[parameter]})")
        else:
            breaking.append(f"{name}({parameter}): {was[parameter]} -> {now[parameter]}")


def render(api: dict[str, Any]) -> str:
    return json.dumps(api, indent=2, sort_keys=True) + "\n"


def main(argv: list[str]) -> int:
    current = snapshot()
    if "--write" in argv:
        SNAPSHOT.write_text(render(current), encoding="utf-8")
        print(f"wrote {SNAPSHOT.relative_to(REPO)}")
        return 0
    committed = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    breaking, additive = changes(committed, current)
    for line in breaking:
        print(f"breaking: {line}")
    for line in additive:
        print(f"additive: {line}")
    if render(committed) != render(current):
        print(HOW_TO_UPDATE)
        return 1
    return 0


if __name__ == "__main__":
    from stacks.node_runtime import prefer_bundled_node

    prefer_bundled_node()
    sys.exit(main(sys.argv[1:]))
