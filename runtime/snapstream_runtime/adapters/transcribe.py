"""Amazon Transcribe jobs: started with automatic language identification, looked up by name."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from snapstream_runtime.adapters.clients import client


def start_job(
    name: str,
    *,
    media_uri: str,
    output_bucket: str,
    output_key: str,
    kms_key_arn: str,
    tags: Mapping[str, str],
) -> None:
    """Transcribe ``media_uri`` (an ``s3://`` URI) into ``output_key``, encrypted with
    ``kms_key_arn`` if given; a job of that name existing already is a ``ConflictException``."""
    request: dict[str, Any] = {
        "TranscriptionJobName": name,
        "Media": {"MediaFileUri": media_uri},
        "IdentifyLanguage": True,
        "OutputBucketName": output_bucket,
        "OutputKey": output_key,
        "Tags": [{"Key": key, "Value": value} for key, value in tags.items()],
    }
    if kms_key_arn:
        request["OutputEncryptionKMSKeyId"] = kms_key_arn
    client("transcribe").start_transcription_job(**request)


def job(name: str) -> dict[str, Any]:
    """The job's description (``TranscriptionJob``: status, language, media, failure reason)."""
    found: dict[str, Any] = client("transcribe").get_transcription_job(TranscriptionJobName=name)[
        "TranscriptionJob"
    ]
    return found
