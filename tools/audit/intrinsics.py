"""Render CloudFormation intrinsic functions as readable strings.

The notation is cdk-nag's, so a rendered IAM resource can be compared with the granular finding of
an acknowledgment: ``Ref`` -> ``<Id>``, ``Fn::GetAtt`` -> ``<Id.Attr>``, pseudo parameters ->
``<AWS::AccountId>``, ``Fn::ImportValue`` -> the export name, ``Fn::Join``/``Fn::Sub`` -> the
joined text. A cross-stack ``Fn::GetStackOutput`` is shown as ``<Stack:Output value>``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

_SUB_VARIABLE = re.compile(r"\$\{([^}!][^}]*)\}")

#: (stack name, output name) -> rendered value of that output, to resolve Fn::GetStackOutput.
Outputs = Mapping[tuple[str, str], str]


def render(value: Any, outputs: Outputs | None = None) -> str:
    """``value`` (a plain value or an intrinsic function) as one readable string."""
    outputs = outputs or {}
    if isinstance(value, str):
        return value
    if isinstance(value, bool | int | float) or value is None:
        return json.dumps(value)
    if isinstance(value, list):
        return ", ".join(render(item, outputs) for item in value)
    if isinstance(value, dict) and len(value) == 1:
        ((name, args),) = value.items()
        rendered = _intrinsic(name, args, outputs)
        if rendered is not None:
            return rendered
    return json.dumps(value, sort_keys=True)


def _intrinsic(name: str, args: Any, outputs: Outputs) -> str | None:
    if name == "Ref":
        return f"<{args}>"
    if name == "Fn::GetAtt":
        target = args if isinstance(args, str) else ".".join(str(a) for a in args)
        return f"<{target}>"
    if name == "Fn::ImportValue":
        return render(args, outputs)
    if name == "Fn::Join":
        separator, items = args
        return str(separator).join(render(item, outputs) for item in items)
    if name == "Fn::Sub":
        text, variables = (args, {}) if isinstance(args, str) else args
        return _SUB_VARIABLE.sub(
            lambda m: (
                render(variables[m.group(1)], outputs)
                if m.group(1) in variables
                else f"<{m.group(1)}>"
            ),
            text,
        )
    if name == "Fn::GetStackOutput":
        stack, output = args.get("StackName", ""), args.get("OutputName", "")
        return f"<{stack}:{outputs.get((stack, output), output)}>"
    if name == "Fn::Select":
        index, items = args
        return f"select({render(index, outputs)}, {render(items, outputs)})"
    if name == "Fn::Split":
        separator, text = args
        return f"split({separator!r}, {render(text, outputs)})"
    if name == "Fn::If":
        condition, when_true, when_false = args
        return f"if {condition}: {render(when_true, outputs)} else {render(when_false, outputs)}"
    if name == "Fn::GetAZs":
        return "<availability zones>"
    return None


def outputs_of(templates: Mapping[str, dict[str, Any]]) -> dict[tuple[str, str], str]:
    """Every stack output rendered, keyed (stack name, output name), for Fn::GetStackOutput."""
    return {
        (stack, name): render(output.get("Value"))
        for stack, template in templates.items()
        for name, output in template.get("Outputs", {}).items()
    }


def references(value: Any) -> set[str]:
    """Logical ids ``value`` refers to (Ref, Fn::GetAtt, Fn::Sub; pseudo parameters left out)."""
    found: set[str] = set()
    if isinstance(value, list):
        for item in value:
            found |= references(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            if key == "Ref" and isinstance(item, str):
                found.add(item)
            elif key == "Fn::GetAtt":
                found.add(item[0] if isinstance(item, list) else str(item).split(".")[0])
            elif key == "Fn::Sub":
                text = item if isinstance(item, str) else item[0]
                found |= {m.split(".")[0] for m in _SUB_VARIABLE.findall(text)}
                if isinstance(item, list):
                    found |= references(item[1])
            else:
                found |= references(item)
    return {ref for ref in found if not ref.startswith("AWS::")}


def cross_stack_references(value: Any) -> set[tuple[str, str]]:
    """(stack, output) of each Fn::GetStackOutput; ("", export) of each Fn::ImportValue."""
    found: set[tuple[str, str]] = set()
    if isinstance(value, list):
        for item in value:
            found |= cross_stack_references(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            if key == "Fn::GetStackOutput" and isinstance(item, dict):
                found.add((str(item.get("StackName", "")), str(item.get("OutputName", ""))))
            elif key == "Fn::ImportValue" and isinstance(item, str):
                found.add(("", item))
            else:
                found |= cross_stack_references(item)
    return found
