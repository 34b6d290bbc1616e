"""The deploy-time key pair: private key into the secret, public key to CloudFormation."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import boto3
import pytest
from cryptography.hazmat.primitives import serialization

from snapstream_runtime.handlers import playback_keys
from tools.authority.proof import Authority


class _Context:
    function_name = "playback-keys"
    memory_limit_in_mb = 256
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:playback-keys"
    aws_request_id = "request-keys"


@pytest.fixture
def cloudformation() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A local stand-in for CloudFormation's pre-signed response URL, recording every response."""
    responses: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_PUT(self) -> None:
            length = int(self.headers["Content-Length"])
            responses.append(json.loads(self.rfile.read(length)))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *_: Any) -> None:
            return

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/response", responses
    server.shutdown()


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
