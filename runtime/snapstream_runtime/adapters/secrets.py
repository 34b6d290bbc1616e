"""Secret values: read (cached briefly, so a rotated secret is picked up within minutes) and
written."""

from __future__ import annotations

import time

from snapstream_runtime.adapters.clients import client

_cache: dict[str, tuple[float, str]] = {}


def secret_string(secret_arn: str, *, max_age_seconds: float = 300) -> str:
    cached = _cache.get(secret_arn)
    now = time.monotonic()
    if cached and now - cached[0] < max_age_seconds:
        return cached[1]
    value: str = client("secretsmanager").get_secret_value(SecretId=secret_arn)["SecretString"]
    _cache[secret_arn] = (now, value)
    return value


def forget() -> None:
    _cache.clear()


def put_secret_string(secret_arn: str, value: str) -> None:
    """Make ``value`` the secret's current version."""
    client("secretsmanager").put_secret_value(SecretId=secret_arn, SecretString=value)
