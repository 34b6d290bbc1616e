"""``Custom::BucketCors``: the Web stack sets the uploads bucket's CORS rules at deploy time."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from snapstream_constructs.storage import browser_upload_cors_rule
from snapstream_runtime.handlers import bucket_cors
from tests.runtime.custom_resources import deployment_context
from tools.local.aws import LocalResources

_Context = deployment_context("bucket-cors")
SITE = "https://d111111abcdef8.cloudfront.net"


def _event(request_type: str, url: str, bucket: str, origins: list[str]) -> dict[str, Any]:
    rule = browser_upload_cors_rule(origins)
    # CloudFormation hands every property over as a string.
    rule = {k: str(v) if isinstance(v, int) else v for k, v in rule.items()}
    return {
        "RequestType": request_type,
        "ResponseURL": url,
        "StackId": "arn:aws:cloudformation:us-east-1:123456789012:stack/SnapStream-dev-Web/1",
        "RequestId": "req-1",
        "LogicalResourceId": "UploadsCorsRules",
        "ResourceProperties": {"Bucket": bucket, "Rules": [rule]},
    }


@pytest.fixture
def uploads(local_aws: LocalResources) -> str:
    return local_aws.names[local_aws.find("UploadsBucket")]


def _rules(bucket: str) -> list[dict[str, Any]]:
    rules: list[dict[str, Any]] = boto3.client("s3").get_bucket_cors(Bucket=bucket)["CORSRules"]
    return rules


def test_create_and_update_put_exactly_the_site_origins(
    uploads: str, cloudformation: tuple[str, list[dict[str, Any]]]
) -> None:
    url, responses = cloudformation
    bucket_cors.handler(_event("Create", url, uploads, [SITE]), _Context())
    [rule] = _rules(uploads)
    assert rule["AllowedOrigins"] == [SITE]
    assert (rule["AllowedMethods"], rule["ExposeHeaders"]) == (["POST"], ["ETag"])
    assert rule["MaxAgeSeconds"] == 3000
    custom = "https://media.example.com"
    event = _event("Update", url, uploads, [SITE, custom])
    event["PhysicalResourceId"] = f"cors:{uploads}"
    bucket_cors.handler(event, _Context())
    assert _rules(uploads)[0]["AllowedOrigins"] == [SITE, custom]
    assert [(r["Status"], r["PhysicalResourceId"]) for r in responses] == [
        ("SUCCESS", f"cors:{uploads}")
    ] * 2


def test_delete_removes_the_rules_it_set_only(
    uploads: str, cloudformation: tuple[str, list[dict[str, Any]]]
) -> None:
    url, responses = cloudformation
    bucket_cors.handler(_event("Create", url, uploads, [SITE]), _Context())
    # A delete for a create that failed (another physical id) leaves the bucket alone.
    stray = _event("Delete", url, uploads, [SITE])
    stray["PhysicalResourceId"] = "cors:"
    bucket_cors.handler(stray, _Context())
    assert _rules(uploads)[0]["AllowedOrigins"] == [SITE]
    delete = _event("Delete", url, uploads, [SITE])
    delete["PhysicalResourceId"] = f"cors:{uploads}"
    bucket_cors.handler(delete, _Context())
    with pytest.raises(boto3.client("s3").exceptions.ClientError, match="NoSuchCORSConfiguration"):
        _rules(uploads)
    assert [r["Status"] for r in responses] == ["SUCCESS"] * 3


def test_bad_rules_fail_the_deployment_visibly(
    uploads: str, cloudformation: tuple[str, list[dict[str, Any]]]
) -> None:
    url, responses = cloudformation
    event = _event("Create", url, uploads, [SITE])
    event["ResourceProperties"]["Rules"] = []
    bucket_cors.handler(event, _Context())
    [response] = responses
    assert response["Status"] == "FAILED"
    assert "Rules must be a non-empty list" in response["Reason"]
