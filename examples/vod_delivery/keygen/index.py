"""CloudFormation custom resource ``Custom::PlaybackKeyPair`` (PlaybackSigningKey's generator).

Create/Update: generate an RSA-2048 key pair, put the private key (PEM) in the secret named by
``SecretArn``, answer ``PublicKeyPem``. Delete: nothing (the secret is its own resource). Every
outcome is PUT to CloudFormation's pre-signed URL, so a failure fails the deployment at once.
Needs ``cryptography`` beside this file (see ../app.py); boto3 comes with the Lambda runtime.
"""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import boto3


def _key_pair() -> tuple[str, str]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public_pem = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private_pem, public_pem


def _respond(event: dict[str, Any], status: str, physical_id: str, data: dict[str, str]) -> None:
    body = json.dumps(
        {
            "Status": status,
            "Reason": "see the function's log",
            "PhysicalResourceId": physical_id,
            "StackId": event["StackId"],
            "RequestId": event["RequestId"],
            "LogicalResourceId": event["LogicalResourceId"],
            "Data": data,
        }
    ).encode()
    request = urllib.request.Request(  # noqa: S310 (CloudFormation's https pre-signed URL)
        event["ResponseURL"], data=body, method="PUT", headers={"Content-Type": ""}
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        response.read()


def handler(event: dict[str, Any], context: object) -> None:
    properties = event.get("ResourceProperties", {})
    physical_id = f"playback-key-{properties.get('Generation', '0')}"
    try:
        if event["RequestType"] == "Delete":
            _respond(event, "SUCCESS", event.get("PhysicalResourceId", physical_id), {})
            return
        private_pem, public_pem = _key_pair()
        boto3.client("secretsmanager").put_secret_value(
            SecretId=properties["SecretArn"], SecretString=private_pem
        )
        _respond(event, "SUCCESS", physical_id, {"PublicKeyPem": public_pem})
    except Exception:  # every failure must reach CloudFormation
        _respond(event, "FAILED", physical_id, {})
        raise
