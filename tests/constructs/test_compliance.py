from __future__ import annotations

import pytest

from snapstream_constructs.compliance import Pack, acknowledgment_id


def test_acknowledgment_ids_are_prefixed_and_granular() -> None:
    assert (
        acknowledgment_id(Pack.AWS_SOLUTIONS, "IAM5", "Resource::<Bucket.Arn>/*")
        == "AwsSolutions::AwsSolutions-IAM5[Resource::<Bucket.Arn>/*]"
    )
    assert (
        acknowledgment_id(Pack.NIST_800_53_R5, "S3BucketReplicationEnabled")
        == "NIST.800.53.R5::NIST.800.53.R5-S3BucketReplicationEnabled"
    )


def test_an_acknowledgment_needs_a_real_reason() -> None:
    import aws_cdk as cdk

    from snapstream_constructs import acknowledge

    stack = cdk.Stack(cdk.App(), "S")
    with pytest.raises(ValueError, match="real reason"):
        acknowledge(stack, pack=Pack.AWS_SOLUTIONS, rule="S1", reason="because")
