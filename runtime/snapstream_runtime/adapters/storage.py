"""S3 access the pipeline needs: object facts, the first bytes, removing one version or every
version of a key, and a bucket's CORS rules (set at deploy time for the site's origins)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from snapstream_runtime.adapters.clients import client


@dataclass(frozen=True)
class ObjectFacts:
    size: int
    etag: str
    version_id: str | None
    #: as stored: the ``Content-Type`` S3 serves it with, and its ``x-amz-meta-*`` (names
    #: lowercased, without the prefix)
    content_type: str = ""
    metadata: Mapping[str, str] = field(default_factory=dict)


def _version(version_id: str | None) -> dict[str, str]:
    return {"VersionId": version_id} if version_id else {}


def head(bucket: str, key: str, version_id: str | None) -> ObjectFacts | None:
    """Size, ETag, version, type and metadata of one object version; None when it no longer
    exists."""
    try:
        response = client("s3").head_object(Bucket=bucket, Key=key, **_version(version_id))
    except ClientError as error:
        if error.response["Error"]["Code"] in {"404", "NoSuchKey", "NoSuchVersion", "NotFound"}:
            return None
        raise
    return ObjectFacts(
        size=int(response["ContentLength"]),
        etag=str(response["ETag"]).strip('"'),
        version_id=response.get("VersionId") or version_id,
        content_type=str(response.get("ContentType") or ""),
        metadata={str(k).lower(): str(v) for k, v in (response.get("Metadata") or {}).items()},
    )


def first_bytes(bucket: str, key: str, version_id: str | None, count: int) -> bytes:
    """Only the first ``count`` bytes (a ranged GET): never the whole file."""
    response = client("s3").get_object(
        Bucket=bucket, Key=key, Range=f"bytes=0-{count - 1}", **_version(version_id)
    )
    data: bytes = response["Body"].read(count)
    return data


def delete_version(bucket: str, key: str, version_id: str | None) -> None:
    """Remove one version for good (idempotent: deleting a missing version succeeds)."""
    client("s3").delete_object(Bucket=bucket, Key=key, **_version(version_id))


def delete_every_version(bucket: str, key: str) -> int:
    """Remove every version (and delete marker) of exactly ``key`` for good; how many there
    were. Lists the key's versions, then deletes each by its id (never a bare delete, which
    would only add a delete marker in a versioned bucket)."""
    s3 = client("s3")
    request: dict[str, Any] = {"Bucket": bucket, "Prefix": key}
    doomed: list[str] = []
    while True:
        page = s3.list_object_versions(**request)
        entries = [*page.get("Versions", []), *page.get("DeleteMarkers", [])]
        doomed.extend(str(e["VersionId"]) for e in entries if e["Key"] == key)
        if not page.get("IsTruncated"):
            break
        request["KeyMarker"] = page["NextKeyMarker"]
        request["VersionIdMarker"] = page["NextVersionIdMarker"]
    for version_id in doomed:
        s3.delete_object(Bucket=bucket, Key=key, VersionId=version_id)
    return len(doomed)


def put_cors(bucket: str, rules: list[dict[str, Any]]) -> None:
    """Replace ``bucket``'s CORS configuration with ``rules`` (S3 API shape)."""
    client("s3").put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": rules})


def remove_cors(bucket: str) -> None:
    """Remove ``bucket``'s CORS configuration; a bucket already gone is not an error."""
    try:
        client("s3").delete_bucket_cors(Bucket=bucket)
    except client("s3").exceptions.NoSuchBucket:
        return
