"""boto3 clients, created on first use and reused for the life of the Lambda container."""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3
from botocore.config import Config

_CONFIG = Config(
    retries={"mode": "standard", "max_attempts": 4}, connect_timeout=3, read_timeout=10
)


@cache
def client(service: str) -> Any:
    """The shared client for ``service``; standard retry mode retries throttling with backoff."""
    return boto3.client(service, config=_CONFIG)  # type: ignore[call-overload]


def reset() -> None:
    """Forget every client (tests switch between moto and Stubber)."""
    client.cache_clear()
