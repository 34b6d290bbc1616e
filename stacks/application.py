"""Assemble the SnapStream app: compliance packs plus one Stage per environment.

Without a delivery config (the default) each environment is a top-level ``SnapStream-<env>``
Stage (``cdk deploy 'SnapStream-dev/*'``). With one, the app holds only the
``SnapStream-Delivery`` pipeline stack, whose stages are the environments.
"""

from __future__ import annotations

from collections.abc import Iterable

import aws_cdk as cdk

from snapstream_constructs import register_compliance_packs
from stacks.config import EnvironmentConfig
from stacks.delivery_config import DeliveryConfig
from stacks.stage import SnapStreamStage, stage_name


def build_app(
    app: cdk.App,
    environments: Iterable[EnvironmentConfig],
    *,
    delivery: DeliveryConfig | None = None,
) -> list[SnapStreamStage]:
    """Add the compliance gates and a ``SnapStream-<env>`` Stage per environment to ``app``,
    directly or (with ``delivery``) inside the delivery pipeline stack."""
    register_compliance_packs(app)
    if delivery is None:
        return [SnapStreamStage(app, stage_name(config), config=config) for config in environments]
    from stacks.delivery_pipeline import DELIVERY_STACK_NAME, DeliveryPipelineStack

    pipeline = DeliveryPipelineStack(
        app, DELIVERY_STACK_NAME, delivery=delivery, environments=list(environments)
    )
    return pipeline.stages
