"""Pieces several bare stacks share: a key, a media bucket with its access logs, an inline
pipeline function."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import aws_cdk as cdk
    from aws_cdk import aws_kms as kms
    from aws_cdk import aws_s3 as s3

    from snapstream_constructs import DataKey, PipelineFunction

#: the inline handler of every test function
HANDLER_CODE = "def handler(event, context):\n    return event\n"


def data_key(stack: cdk.Stack, *, for_logs: bool = True) -> DataKey:
    """A destroyable customer managed key (CloudWatch Logs may use it, unless ``for_logs`` is
    False)."""
    import aws_cdk as cdk

    from snapstream_constructs import DataKey

    key = DataKey(stack, "Key", description="k", removal_policy=cdk.RemovalPolicy.DESTROY)
    if for_logs:
        key.allow_cloudwatch_logs()
    return key


def media_bucket(stack: cdk.Stack, key: kms.IKey) -> s3.Bucket:
    """A versioned, KMS-encrypted ``Media`` bucket logging to its own ``Logs`` bucket."""
    import aws_cdk as cdk

    from snapstream_constructs import AccessLogBucket, SecureBucket

    destroy = cdk.RemovalPolicy.DESTROY
    logs = AccessLogBucket(stack, "Logs", retention=cdk.Duration.days(5), removal_policy=destroy)
    return SecureBucket(
        stack,
        "Media",
        encryption_key=key,
        access_logs=logs.bucket,
        access_log_prefix="m/",
        removal_policy=destroy,
        noncurrent_version_expiration=cdk.Duration.days(3),
    ).bucket


def inline_function(
    stack: cdk.Stack, construct_id: str, key: kms.IKey, **more: Any
) -> PipelineFunction:
    """A ``PipelineFunction`` with :data:`HANDLER_CODE` inline (``more``: any other props)."""
    import aws_cdk as cdk
    from aws_cdk import aws_lambda as lambda_

    from snapstream_constructs import PipelineFunction

    props: dict[str, Any] = {"environment": {}, **more}
    return PipelineFunction(
        stack,
        construct_id,
        description=f"test {construct_id.lower()}",
        handler="index.handler",
        code=lambda_.Code.from_inline(HANDLER_CODE),
        layers=[],
        encryption_key=key,
        log_retention=cdk.aws_logs.RetentionDays.ONE_WEEK,
        **props,
    )
