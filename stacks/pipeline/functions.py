"""The shape every pipeline function shares: runtime settings, and grants to read and move media
records, tell their owners and use the data key."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import aws_cdk as cdk

from snapstream_constructs import PipelineFunction, dead_letter_queue
from stacks.runtime_contract import contract

if TYPE_CHECKING:
    from stacks.pipeline_stack import PipelineStack

#: Partition key families every pipeline function reads and writes: media records and the
#: owner's profile (counters, notifications).
ITEM_FAMILIES = ("MEDIA#*", "USER#*")


def runtime_settings(stack: PipelineStack, service: str) -> dict[str, str]:
    """The environment every pipeline function starts from: its environment's name, table and
    notifications topic, and its Powertools service name (``service`` names its metrics)."""
    data = stack.data
    return {
        contract.ENV_ENVIRONMENT: stack.config.name,
        contract.ENV_TABLE: data.table.table_name,
        contract.ENV_NOTIFICATIONS_TOPIC: data.notifications_topic.topic_arn,
        "POWERTOOLS_SERVICE_NAME": service,
        "POWERTOOLS_LOG_LEVEL": "INFO",
    }


def pipeline_function(
    stack: PipelineStack,
    construct_id: str,
    *,
    description: str,
    handler: str,
    service: str,
    environment: Mapping[str, str],
    reserved_concurrency: int,
    asynchronous: bool,
    invoked_by: str,
    memory_size: int = 256,
    timeout: cdk.Duration | None = None,
    item_families: Sequence[str] = ITEM_FAMILIES,
    unscoped_actions_reason: str | None = None,
    notifies: bool = True,
) -> PipelineFunction:
    """A function of ``stack`` that may read and move media records (of ``item_families``) and,
    if it ``notifies``, tell their owners; ``service`` names its metrics (``stack.services``)."""
    config, data = stack.config, stack.data
    stack.services[construct_id] = service
    function = PipelineFunction(
        stack,
        construct_id,
        description=description,
        handler=handler,
        code=stack.code,
        layers=[stack.layer],
        environment={**runtime_settings(stack, service), **environment},
        encryption_key=data.data_key.key,
        log_retention=config.log_retention,
        reserved_concurrency=reserved_concurrency,
        memory_size=memory_size,
        timeout=timeout,
        invoked_by=invoked_by,
        unscoped_actions_reason=unscoped_actions_reason,
        tracing=data.function_tracing,
        async_dead_letter_queue=(
            dead_letter_queue(stack, f"{construct_id}Failures", encryption_key=data.data_key.key)
            if asynchronous
            else None
        ),
    )
    function.allow(
        actions=["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
        resources=[data.table.table_arn],
        conditions={"ForAllValues:StringLike": {"dynamodb:LeadingKeys": list(item_families)}},
    )
    if notifies:
        function.allow(actions=["sns:Publish"], resources=[data.notifications_topic.topic_arn])
    # Encrypt for the encrypted topic; read KMS-encrypted objects and messages.
    function.allow(
        actions=["kms:Decrypt", "kms:GenerateDataKey"], resources=[data.data_key.key.key_arn]
    )
    return function
