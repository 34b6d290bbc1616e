"""Helpers shared by the template tests: a cdk.json-faithful App and template lookups."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from stacks.node_runtime import prefer_bundled_node

prefer_bundled_node()

import aws_cdk as cdk  # noqa: E402
from aws_cdk import assertions  # noqa: E402

REPO = Path(__file__).resolve().parent.parent


def new_app(outdir: Path) -> cdk.App:
    """An App with the feature flags and path metadata the CDK CLI passes from cdk.json."""
    context = json.loads((REPO / "cdk.json").read_text())["context"]
    context["aws:cdk:enable-path-metadata"] = True
    return cdk.App(outdir=str(outdir), context=context)


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


def assertion_template(template: dict[str, Any]) -> assertions.Template:
    return assertions.Template.from_json(template)
