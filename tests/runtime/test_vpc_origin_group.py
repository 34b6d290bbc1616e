"""``Custom::VpcOriginSecurityGroup``: the id of CloudFront's VPC-origin group, at deploy time."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from snapstream_runtime.handlers import vpc_origin_group
from tests.runtime.custom_resources import deployment_context
from tools.local.aws import LocalResources

_Context = deployment_context("vpc-origin-group")
GROUP = "CloudFront-VPCOrigins-Service-SG"


def _event(request_type: str, url: str, vpc_id: str) -> dict[str, Any]:
    return {
        "RequestType": request_type,
        "ResponseURL": url,
        "StackId": "arn:aws:cloudformation:us-east-1:123456789012:stack/SnapStream-dev-Web/1",
        "RequestId": "req-1",
        "LogicalResourceId": "OriginAccessGroup",
        "ResourceProperties": {"VpcId": vpc_id, "GroupName": GROUP},
    }


@pytest.fixture
def vpcs(local_aws: LocalResources) -> tuple[str, str]:
    """The site's VPC and another one; each holds a group of the same name."""
    ec2 = boto3.client("ec2")
    ids = [
        ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"] for cidr in ("10.0.0.0/16", "10.1.0.0/16")
    ]
    return ids[0], ids[1]


def test_create_answers_the_group_of_this_vpc(
    vpcs: tuple[str, str], cloudformation: tuple[str, list[dict[str, Any]]]
) -> None:
    url, responses = cloudformation
    site, other = vpcs
    ec2 = boto3.client("ec2")
    ec2.create_security_group(GroupName=GROUP, Description="elsewhere", VpcId=other)
    group_id = ec2.create_security_group(GroupName=GROUP, Description="CloudFront", VpcId=site)
    vpc_origin_group.handler(_event("Create", url, site), _Context())
    [response] = responses
    assert response["Status"] == "SUCCESS"
    assert response["Data"] == {"GroupId": group_id["GroupId"]}
    assert response["PhysicalResourceId"] == f"vpc-origin-group:{site}"


def test_a_group_that_never_appears_fails_the_deployment(
    vpcs: tuple[str, str],
    cloudformation: tuple[str, list[dict[str, Any]]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url, responses = cloudformation
    monkeypatch.setattr(vpc_origin_group, "WAIT_SECONDS", 0.0)
    vpc_origin_group.handler(_event("Create", url, vpcs[0]), _Context())
    [response] = responses
    assert response["Status"] == "FAILED"
    assert GROUP in response["Reason"]


def test_delete_touches_nothing(cloudformation: tuple[str, list[dict[str, Any]]]) -> None:
    url, responses = cloudformation
    event = _event("Delete", url, "vpc-0123")
    event["PhysicalResourceId"] = "vpc-origin-group:vpc-0123"
    vpc_origin_group.handler(event, _Context())
    assert [(r["Status"], r["PhysicalResourceId"]) for r in responses] == [
        ("SUCCESS", "vpc-origin-group:vpc-0123")
    ]
