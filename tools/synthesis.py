"""Synthesize the SnapStream app in-process exactly as the CDK CLI would (tests, benchmarks)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stacks.node_runtime import prefer_bundled_node

prefer_bundled_node()

import aws_cdk as cdk  # noqa: E402

if TYPE_CHECKING:
    from stacks.delivery_config import DeliveryConfig

REPO = Path(__file__).resolve().parent.parent


def new_app(outdir: Path, *, extra_context: Mapping[str, Any] | None = None) -> cdk.App:
    """An App with the feature flags and path metadata the CDK CLI passes from cdk.json."""
    context = json.loads((REPO / "cdk.json").read_text())["context"]
    context["aws:cdk:enable-path-metadata"] = True
    context.update(extra_context or {})
    # As in app.py: cfn-lint, not CDK's built-in validation, is the template gate.
    return cdk.App(outdir=str(outdir), context=context, builtin_cloud_formation_validation=False)


def synthesize_all(
    outdir: Path,
    *,
    delivery: DeliveryConfig | None = None,
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
    extra_context: Mapping[str, Any] | None = None,
) -> Path:
    """Every environment into ``outdir`` with the nag packs (a failing gate raises).

    By default as ``make synth`` without context; ``delivery`` adds the delivery pipeline (whose
    stages are then the environments), ``overrides`` are the ``snapstream`` context value and
    ``extra_context`` e.g. cached lookups, as a committed cdk.context.json would hold them.
    """
    from stacks.application import build_app
    from stacks.config import resolve_environments

    app = new_app(outdir, extra_context=extra_context)
    build_app(
        app,
        resolve_environments(overrides=overrides or {}, default_account=None, default_region=None),
        delivery=delivery,
    )
    app.synth()
    return outdir
