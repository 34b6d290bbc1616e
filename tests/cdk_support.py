"""Helpers shared by the template tests: a cdk.json-faithful App and template lookups."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from tools.synthesis import new_app

__all__ = [
    "environment_resources",
    "environment_templates",
    "named_resource",
    "new_app",
    "only_resource",
    "resources_of_type",
]


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


def distribution_config(template: dict[str, Any]) -> dict[str, Any]:
    """The ``DistributionConfig`` of the template's one CloudFront distribution."""
    config: dict[str, Any] = only_resource(template, "AWS::CloudFront::Distribution")["Properties"][
        "DistributionConfig"
    ]
    return config


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


def environment_templates(
    templates: dict[tuple[str, str], dict[str, Any]], env: str
) -> Iterator[tuple[str, dict[str, Any]]]:
    """(stack id, template) of every stack of environment ``env`` (``templates`` fixture)."""
    for (template_env, stack), template in templates.items():
        if template_env == env:
            yield stack, template


def environment_resources(
    templates: dict[tuple[str, str], dict[str, Any]], env: str, resource_type: str
) -> set[tuple[str, str]]:
    """(stack id, logical id) of every ``resource_type`` resource of environment ``env``."""
    return {
        (stack, logical_id)
        for stack, template in environment_templates(templates, env)
        for logical_id in resources_of_type(template, resource_type)
    }
