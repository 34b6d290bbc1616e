"""boto3 clients, created on first use and reused for the life of the Lambda container."""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3
from botocore.config import Config

_CONFIG = Config(
    retries={"mode": "standard", "max_attempts": 4}, connect_timeout=3, read_timeout=10
)
#: S3 presigned URLs and POSTs in SigV4: botocore signs them with SigV2 unless told, which S3
#: refuses for KMS-encrypted objects (and the uploads are).
_SERVICE_CONFIG = {"s3": _CONFIG.merge(Config(signature_version="s3v4"))}


@cache
def client(service: str) -> Any:
    """The shared client for ``service``; standard retry mode retries throttling with backoff."""
    config = _SERVICE_CONFIG.get(service, _CONFIG)
    return boto3.client(service, config=config)  # type: ignore[call-overload]


def reset() -> None:
    """Forget every client (tests switch between moto and Stubber)."""
    client.cache_clear()
