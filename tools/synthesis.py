"""Synthesize the SnapStream app in-process exactly as the CDK CLI would (tests, benchmarks)."""

from __future__ import annotations

import json
from pathlib import Path

from stacks.node_runtime import prefer_bundled_node

prefer_bundled_node()

import aws_cdk as cdk  # noqa: E402

REPO = Path(__file__).resolve().parent.parent


def new_app(outdir: Path) -> cdk.App:
    """An App with the feature flags and path metadata the CDK CLI passes from cdk.json."""
    context = json.loads((REPO / "cdk.json").read_text())["context"]
    context["aws:cdk:enable-path-metadata"] = True
    # As in app.py: cfn-lint, not CDK's built-in validation, is the template gate.
    return cdk.App(outdir=str(outdir), context=context, builtin_cloud_formation_validation=False)


def synthesize_all(outdir: Path) -> Path:
    """Every environment into ``outdir`` with the nag packs (a failing gate raises)."""
    from stacks.application import build_app
    from stacks.config import resolve_environments

    app = new_app(outdir)
    build_app(app, resolve_environments(overrides={}, default_account=None, default_region=None))
    app.synth()
    return outdir
