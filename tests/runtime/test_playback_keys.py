"""The deploy-time key pair: private key into the secret, public key to CloudFormation."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from cryptography.hazmat.primitives import serialization

from snapstream_runtime.handlers import playback_keys
from tests.runtime.custom_resources import deployment_context
from tools.authority.proof import Authority

_Context = deployment_context("playback-keys")


def _event(request_type: str, url: str, secret_arn: str) -> dict[str, Any]:
    return {
        "RequestType": request_type,
        "ResponseURL": url,
        "StackId": "arn:aws:cloudformation:us-east-1:123456789012:stack/SnapStream-dev-Data/1",
        "RequestId": "req-1",
        "LogicalResourceId": "PlaybackKeyKeyPair",
        "ResourceProperties": {"SecretArn": secret_arn, "Generation": "3"},
    }


@pytest.fixture
def secret_name(dev_authority: Authority) -> str:
    """The private key secret's name as synthesized (the call is judged against its policy)."""
    env = dev_authority.env
    return env.name(
        "Data", env.find("Data", "PlaybackKeyPrivateKey", "AWS::SecretsManager::Secret")
    )


def test_create_stores_the_private_key_and_returns_only_the_public_key(
    local_aws: Any, cloudformation: tuple[str, list[dict[str, Any]]], secret_name: str
) -> None:
    url, responses = cloudformation
    secret_arn = boto3.client("secretsmanager").create_secret(Name=secret_name)["ARN"]
    playback_keys.handler(_event("Create", url, secret_arn), _Context())
    [response] = responses
    assert response["Status"] == "SUCCESS"
    assert response["PhysicalResourceId"] == "playback-key-3"
    public_pem = response["Data"]["PublicKeyPem"]
    assert "PRIVATE" not in json.dumps(response)
    private_pem = boto3.client("secretsmanager").get_secret_value(SecretId=secret_arn)[
        "SecretString"
    ]
    private_key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    derived = private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert derived.decode() == public_pem
    assert private_key.key_size == 2048  # type: ignore[union-attr]


def test_a_failure_is_reported_not_hung(
    local_aws: Any, cloudformation: tuple[str, list[dict[str, Any]]], secret_name: str
) -> None:
    url, responses = cloudformation
    missing = f"arn:aws:secretsmanager:us-east-1:123456789012:secret:{secret_name}"
    playback_keys.handler(_event("Create", url, missing), _Context())
    [response] = responses
    assert response["Status"] == "FAILED"
    assert "ResourceNotFoundException" in response["Reason"]


def test_delete_succeeds_without_touching_anything(
    local_aws: Any, cloudformation: tuple[str, list[dict[str, Any]]]
) -> None:
    url, responses = cloudformation
    event = _event("Delete", url, "arn:aws:secretsmanager:us-east-1:123456789012:secret:gone")
    event["PhysicalResourceId"] = "playback-key-3"
    playback_keys.handler(event, _Context())
    assert [r["Status"] for r in responses] == ["SUCCESS"]
