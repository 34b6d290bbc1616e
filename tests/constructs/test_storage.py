from __future__ import annotations

from typing import Any

import pytest

from tests.cdk_support import resources_of_type


def test_access_log_bucket_alone(bare_templates: dict[str, dict[str, Any]]) -> None:
    [bucket] = [
        r["Properties"]
        for lid, r in resources_of_type(bare_templates["BucketAlone"], "AWS::S3::Bucket").items()
        if lid.startswith("Logs")
    ]
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    assert bucket["LifecycleConfiguration"]["Rules"][0]["ExpirationInDays"] == 5
    assert "LoggingConfiguration" not in bucket


def test_secure_bucket_alone(bare_templates: dict[str, dict[str, Any]]) -> None:
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
