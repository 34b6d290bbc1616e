"""AccessLogBucket and SecureBucket alone: versioned, expiring logs; an encrypted, logged bucket
with its lifecycle and browser-upload CORS."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.cdk_support import resources_of_type
from tests.constructs.bare_stacks import Templates, bare_stack

if TYPE_CHECKING:
    import aws_cdk as cdk


# An access-log bucket only makes sense with a bucket logging into it (nag checks that too).
@bare_stack("BucketAlone")
def _bucket_alone(stack: cdk.Stack) -> None:
    import aws_cdk as cdk

    from snapstream_constructs import AccessLogBucket, DataKey, SecureBucket

    destroy = cdk.RemovalPolicy.DESTROY
    key = DataKey(stack, "Key", description="k", removal_policy=destroy).key
    logs = AccessLogBucket(stack, "Logs", retention=cdk.Duration.days(5), removal_policy=destroy)
    SecureBucket(
        stack,
        "Secure",
        encryption_key=key,
        access_logs=logs.bucket,
        access_log_prefix="secure/",
        removal_policy=destroy,
        noncurrent_version_expiration=cdk.Duration.days(3),
        infrequent_access_after=cdk.Duration.days(45),
        cors_allowed_origins=["https://media.example.com"],
    )


def test_access_log_bucket_alone(bare_templates: Templates) -> None:
    [bucket] = [
        r["Properties"]
        for lid, r in resources_of_type(bare_templates["BucketAlone"], "AWS::S3::Bucket").items()
        if lid.startswith("Logs")
    ]
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    assert bucket["LifecycleConfiguration"]["Rules"][0]["ExpirationInDays"] == 5
    assert "LoggingConfiguration" not in bucket


def test_secure_bucket_alone(bare_templates: Templates) -> None:
    template = bare_templates["BucketAlone"]
    [secure] = [
        r["Properties"]
        for lid, r in resources_of_type(template, "AWS::S3::Bucket").items()
        if lid.startswith("Secure")
    ]
    enc = secure["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
    assert enc["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    assert secure["LoggingConfiguration"]["LogFilePrefix"] == "secure/"
    rules = {r["Id"]: r for r in secure["LifecycleConfiguration"]["Rules"]}
    main = rules["abort-incomplete-multipart-and-expire-noncurrent"]
    assert main["NoncurrentVersionExpiration"] == {"NoncurrentDays": 3}
    assert main["Transitions"] == [{"StorageClass": "STANDARD_IA", "TransitionInDays": 45}]
    [cors] = secure["CorsConfiguration"]["CorsRules"]
    assert cors["AllowedOrigins"] == ["https://media.example.com"]
    assert cors["AllowedMethods"] == ["POST"]


@pytest.mark.parametrize("origin", ["*", "http://media.example.com", "example.com"])
def test_cors_refuses_wildcards_and_plain_http(origin: str) -> None:
    from snapstream_constructs.storage import _browser_upload_cors

    with pytest.raises(ValueError, match="CORS origin"):
        _browser_upload_cors([origin])
