"""EventBridge rules that invoke pipeline functions. They are created in the Pipeline stack, so
that the Data stack, which holds the buses, never depends on its consumers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from aws_cdk import aws_events as events

from snapstream_constructs import PipelineFunction
from stacks.runtime_contract import EVENT_SOURCE

if TYPE_CHECKING:
    from stacks.pipeline_stack import PipelineStack


def route(
    stack: PipelineStack,
    construct_id: str,
    *,
    description: str,
    pattern: events.EventPattern,
    function: PipelineFunction,
    on_default_bus: bool = False,
) -> None:
    """Events matching ``pattern`` invoke ``function``: those on the SnapStream bus or, with
    ``on_default_bus``, AWS service events (job state changes) on the account's default bus."""
    stack.data.event_bus.route(
        construct_id,
        description=description,
        event_pattern=pattern,
        function=function.function,
        on_default_bus=on_default_bus,
        scope=stack,
    )


def route_on_bus(
    stack: PipelineStack,
    construct_id: str,
    *,
    description: str,
    detail_type: str,
    detail: Mapping[str, list[str]],
    function: PipelineFunction,
) -> None:
    """SnapStream events of ``detail_type`` (and ``detail``) of this environment invoke
    ``function``."""
    route(
        stack,
        construct_id,
        description=description,
        pattern=events.EventPattern(
            source=[EVENT_SOURCE],
            detail_type=[detail_type],
            detail={**detail, "environment": [stack.config.name]},
        ),
        function=function,
    )
