#!/usr/bin/env python3
"""SnapStream CDK app entry point: the only place that reads context and environment variables."""

from __future__ import annotations

import os

from stacks.node_runtime import prefer_bundled_node

prefer_bundled_node()

import aws_cdk as cdk  # noqa: E402  (jsii must know its Node.js before this import)

from stacks.application import build_app  # noqa: E402
from stacks.config import resolve_environments  # noqa: E402

# cfn-lint checks every synthesized template with zero findings allowed (make synth and the test
# suite), so CDK's own, narrower template validation is switched off: it only added ~2 s a synth.
app = cdk.App(builtin_cloud_formation_validation=False)
build_app(
    app,
    resolve_environments(
        overrides=app.node.try_get_context("snapstream") or {},
        selected=app.node.try_get_context("environments"),
        default_account=os.environ.get("CDK_DEFAULT_ACCOUNT"),
        default_region=os.environ.get("CDK_DEFAULT_REGION"),
    ),
)
app.synth()
