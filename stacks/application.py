"""Assemble the SnapStream app: compliance packs plus one Stage per environment."""

from __future__ import annotations

from collections.abc import Iterable

import aws_cdk as cdk

from snapstream_constructs import register_compliance_packs
from stacks.config import EnvironmentConfig
from stacks.stage import SnapStreamStage, stage_name


def build_app(app: cdk.App, environments: Iterable[EnvironmentConfig]) -> list[SnapStreamStage]:
    """Add the compliance gates and a ``SnapStream-<env>`` Stage per environment to ``app``."""
    register_compliance_packs(app)
    return [SnapStreamStage(app, stage_name(config), config=config) for config in environments]
