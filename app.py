#!/usr/bin/env python3
"""SnapStream CDK app entry point: the only place that reads context and environment variables."""

from __future__ import annotations

import json
import os
from typing import Any

from stacks.node_runtime import prefer_bundled_node

prefer_bundled_node()

import aws_cdk as cdk  # noqa: E402  (jsii must know its Node.js before this import)

from stacks.application import build_app  # noqa: E402
from stacks.config import resolve_environments  # noqa: E402
from stacks.delivery_config import delivery_from_context  # noqa: E402

# cfn-lint checks every synthesized template with zero findings allowed (make synth and the test
# suite), so CDK's own, narrower template validation is switched off: it only added ~2 s a synth.
app = cdk.App(builtin_cloud_formation_validation=False)


def _object_context(key: str) -> Any:
    """A context value that is an object: as-is from cdk.json, JSON-decoded from ``-c`` (the CLI
    passes command-line context as strings)."""
    value = app.node.try_get_context(key)
    return json.loads(value) if isinstance(value, str) and value.strip() else value


build_app(
    app,
    resolve_environments(
        overrides=_object_context("snapstream") or {},
        selected=app.node.try_get_context("environments"),
        default_account=os.environ.get("CDK_DEFAULT_ACCOUNT"),
        default_region=os.environ.get("CDK_DEFAULT_REGION"),
    ),
    # Optional CDK Pipelines stack deploying every environment (docs/deployment.md).
    delivery=delivery_from_context(app.node.try_get_context("delivery")),
)
app.synth()
