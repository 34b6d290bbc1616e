"""Functions CloudFormation runs during a deployment (Lambda-backed custom resources)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from constructs import Construct

from snapstream_constructs import PipelineFunction, dead_letter_queue
from snapstream_constructs.functions import FunctionTracing
from stacks.lambda_assets import dependencies_layer, runtime_code


def deploy_time_function(
    scope: Construct,
    construct_id: str,
    *,
    description: str,
    handler: str,
    service: str,
    encryption_key: kms.IKey,
    log_retention: logs.RetentionDays,
    tracing: FunctionTracing | None = None,
) -> PipelineFunction:
    """A runtime handler CloudFormation invokes asynchronously: one at a time, a minute at most,
    failed invocations kept in a ``<construct_id>Failures`` dead-letter queue; X-Ray through
    ``tracing`` (default: the stack's own shared tracing policy)."""
    return PipelineFunction(
        scope,
        construct_id,
        description=description,
        handler=handler,
        code=runtime_code(),
        layers=[dependencies_layer(scope)],
        environment={"POWERTOOLS_SERVICE_NAME": service},
        encryption_key=encryption_key,
        log_retention=log_retention,
        reserved_concurrency=1,
        timeout=cdk.Duration.seconds(60),
        invoked_by="CloudFormation (asynchronously, during deployments)",
        async_dead_letter_queue=dead_letter_queue(
            scope, f"{construct_id}Failures", encryption_key=encryption_key
        ),
        tracing=tracing,
    )


def deploy_time_resource(
    scope: Construct,
    construct_id: str,
    *,
    function: PipelineFunction,
    resource_type: str,
    properties: Mapping[str, Any],
) -> cdk.CustomResource:
    """A custom resource ``function`` answers, created only once its policy exists (else the
    first invocation could run before it may do anything)."""
    resource = cdk.CustomResource(
        scope,
        construct_id,
        service_token=function.function.function_arn,
        resource_type=resource_type,
        properties=dict(properties),
    )
    resource.node.add_dependency(function.policy)
    return resource
