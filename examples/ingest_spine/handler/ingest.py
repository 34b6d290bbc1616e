"""The team's ingest function: S3 ObjectCreated notifications arrive in SQS batches.

Each record is one S3 event; a record whose object cannot be processed is reported as a batch
item failure, so that only it returns to the queue (and, after the queue's receive limit, to its
dead-letter queue, where an alarm finds it). Replace :func:`process` with the team's own work.
"""

from __future__ import annotations

import json
import urllib.parse
from typing import Any

import boto3

_s3 = None


def _client() -> Any:
    global _s3  # noqa: PLW0603 (one client per container, created on first use)
    if _s3 is None:
        _s3 = boto3.client("s3")
    return _s3


def process(bucket: str, key: str) -> None:
    """Read the new object's metadata (the team's own processing goes here)."""
    _client().head_object(Bucket=bucket, Key=key)


def handler(event: dict[str, Any], context: object) -> dict[str, list[dict[str, str]]]:
    failures = []
    for record in event.get("Records", []):
        try:
            body = json.loads(record["body"])
            for s3_record in body.get("Records", []):  # s3:TestEvent carries none
                bucket = s3_record["s3"]["bucket"]["name"]
                key = urllib.parse.unquote_plus(s3_record["s3"]["object"]["key"])
                process(bucket, key)
        except Exception:
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}
