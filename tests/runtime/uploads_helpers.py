"""Helpers: issue an upload ticket, put bytes at its key, build the S3 notification."""

from __future__ import annotations

import json
from pathlib import PurePosixPath
from urllib.parse import quote_plus

import boto3

from snapstream_runtime import keys
from snapstream_runtime.media_types import ALLOWED
from snapstream_runtime.settings import Settings
from snapstream_runtime.uploads import UploadTicket, create_upload

OWNER = "d" * 32


def ticket_for(
    settings: Settings, name: str, content_type: str, size: int, owner: str = OWNER
) -> UploadTicket:
    return create_upload(
        settings, user_id=owner, file_name=name, content_type=content_type, size=size
    )


def put_object(settings: Settings, key: str, body: bytes) -> str | None:
    """Store ``body`` at ``key`` as the browser's POST would (the type its name's extension
    declares, the owner and media id metadata the POST policy pins); the new version id."""
    extension = PurePosixPath(key).suffix.lower()
    types = [t.content_type for t in ALLOWED.values() if extension in t.extensions]
    ref = keys.parse_upload_key(key)
    response = boto3.client("s3").put_object(
        Bucket=settings.uploads_bucket,
        Key=key,
        Body=body,
        ContentType=types[0] if types else "binary/octet-stream",
        Metadata=keys.upload_metadata(ref.user_id, ref.media_id) if ref else {},
    )
    version: str | None = response.get("VersionId")
    return version


def s3_notification(
    bucket: str, key: str, version_id: str | None, event: str = "ObjectCreated:Post"
) -> str:
    """An S3 event notification body as S3 sends it to SQS (the key URL-encoded, + for spaces)."""
    obj: dict[str, object] = {"key": quote_plus(key, safe="/"), "size": 1, "sequencer": "00"}
    if version_id:
        obj["versionId"] = version_id
    return json.dumps(
        {
            "Records": [
                {
                    "eventVersion": "2.1",
                    "eventSource": "aws:s3",
                    "eventName": event,
                    "s3": {"bucket": {"name": bucket}, "object": obj},
                }
            ]
        }
    )


def sqs_event(*bodies: str) -> dict[str, object]:
    return {
        "Records": [
            {
                "messageId": f"message-{index}",
                "receiptHandle": f"handle-{index}",
                "body": body,
                "attributes": {"ApproximateReceiveCount": "1"},
                "messageAttributes": {},
                "md5OfBody": "",
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:ingest",
                "awsRegion": "us-east-1",
            }
            for index, body in enumerate(bodies)
        ]
    }
