"""Helpers shared by the template tests: a cdk.json-faithful App and template lookups."""

from __future__ import annotations

import re
from typing import Any

from tools.synthesis import new_app

__all__ = ["named_resource", "new_app", "only_resource", "resources_of_type"]


def resources_of_type(template: dict[str, Any], resource_type: str) -> dict[str, dict[str, Any]]:
    return {
        logical_id: resource
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == resource_type
    }


def only_resource(template: dict[str, Any], resource_type: str) -> dict[str, Any]:
    found = list(resources_of_type(template, resource_type).values())
    assert len(found) == 1, f"expected one {resource_type}, found {len(found)}"
    return found[0]


def named_resource(
    template: dict[str, Any], resource_type: str, path: str
) -> tuple[str, dict[str, Any]]:
    """The one resource CDK named ``path`` + 8-character hash: (logical id, resource)."""
    pattern = re.compile(re.escape(path) + "[0-9A-F]{8}")
    [(logical_id, resource)] = [
        (lid, r)
        for lid, r in resources_of_type(template, resource_type).items()
        if pattern.fullmatch(lid)
    ]
    return logical_id, resource
