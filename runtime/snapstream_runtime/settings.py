"""Runtime settings, read once from the Lambda (or web tier) environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from snapstream_runtime import contract

GIB = 1024**3


class MissingSetting(RuntimeError):
    """A required environment variable is not set (a deployment error, not bad input)."""


@dataclass(frozen=True, kw_only=True)
class Settings:
    environment: str
    table_name: str
    event_bus_name: str = ""
    notifications_topic_arn: str = ""
    uploads_bucket: str = ""
    uploads_kms_key_arn: str = ""
    max_upload_bytes: int = 5 * GIB
    presign_expiry_seconds: int = 600
    #: an ``awaiting_upload`` record that never receives its file expires (DynamoDB TTL).
    awaiting_upload_ttl_seconds: int = 24 * 3600
    notification_ttl_days: int = 180

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> Settings:
        def required(name: str) -> str:
            value = environ.get(name, "")
            if not value:
                raise MissingSetting(f"environment variable {name} is not set")
            return value

        return cls(
            environment=required(contract.ENV_ENVIRONMENT),
            table_name=required(contract.ENV_TABLE),
            event_bus_name=environ.get(contract.ENV_EVENT_BUS, ""),
            notifications_topic_arn=environ.get(contract.ENV_NOTIFICATIONS_TOPIC, ""),
            uploads_bucket=environ.get(contract.ENV_UPLOADS_BUCKET, ""),
            uploads_kms_key_arn=environ.get(contract.ENV_UPLOADS_KEY, ""),
            max_upload_bytes=int(environ.get(contract.ENV_MAX_UPLOAD_BYTES, str(5 * GIB))),
            presign_expiry_seconds=int(environ.get(contract.ENV_PRESIGN_EXPIRY, "600")),
        )


@cache
def current_settings() -> Settings:
    return Settings.from_environment()
