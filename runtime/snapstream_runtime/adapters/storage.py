"""S3 object access: facts, reading (the first bytes, all of them, or as a stream), writing,
removing versions (one, every one of a key, or everything under a prefix), and a bucket's CORS
rules (set at deploy time for the site's origins)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
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


def read(
    bucket: str, key: str, version_id: str | None = None, *, max_bytes: int | None = None
) -> bytes:
    """The whole object; nothing (``b""``) if it is larger than ``max_bytes``: it is not read."""
    response = client("s3").get_object(Bucket=bucket, Key=key, **_version(version_id))
    if max_bytes is not None and int(response.get("ContentLength", 0)) > max_bytes:
        response["Body"].close()
        return b""
    data: bytes = response["Body"].read()
    return data


@dataclass(frozen=True)
class Download:
    chunks: Iterator[bytes]
    #: as stored ("" if none was)
    content_type: str


def download(bucket: str, key: str, *, chunk_size: int) -> Download | None:
    """The object as a stream of chunks, read as they are consumed; None if there is none."""
    try:
        response = client("s3").get_object(Bucket=bucket, Key=key)
    except client("s3").exceptions.NoSuchKey:
        return None
    content_type = str(response.get("ContentType") or "")
    return Download(response["Body"].iter_chunks(chunk_size), content_type)


def put(bucket: str, key: str, body: bytes, *, content_type: str) -> None:
    client("s3").put_object(Bucket=bucket, Key=key, Body=body, ContentType=content_type)


def delete_version(bucket: str, key: str, version_id: str | None) -> None:
    """Remove one version for good (idempotent: deleting a missing version succeeds)."""
    client("s3").delete_object(Bucket=bucket, Key=key, **_version(version_id))


def delete_every_version(bucket: str, key: str) -> int:
    """Remove every version (and delete marker) of exactly ``key`` for good; how many there
    were. Deletes each by its id (never a bare delete, which would only add a delete marker in
    a versioned bucket)."""
    doomed = [v["VersionId"] for v in versions_under(bucket, key) if v["Key"] == key]
    for version_id in doomed:
        client("s3").delete_object(Bucket=bucket, Key=key, VersionId=version_id)
    return len(doomed)


def versions_under(bucket: str, prefix: str) -> Iterator[dict[str, str]]:
    """``Key`` and ``VersionId`` of every version and delete marker under ``prefix``, page by
    page as they are consumed."""
    pages = (
        client("s3").get_paginator("list_object_versions").paginate(Bucket=bucket, Prefix=prefix)
    )
    for page in pages:
        for entry in [*page.get("Versions", []), *page.get("DeleteMarkers", [])]:
            # A prefix match on "a/b/" never reaches "a/bc/"; still, refuse anything outside it.
            if entry["Key"].startswith(prefix):
                yield {"Key": entry["Key"], "VersionId": entry["VersionId"]}


#: the most versions one :func:`delete_versions` call takes (DeleteObjects' limit)
DELETE_BATCH = 1000


def delete_versions(bucket: str, versions: list[dict[str, str]]) -> int:
    """Remove up to :data:`DELETE_BATCH` versions (``Key``, ``VersionId``) for good, in one
    request; how many. Raises if S3 refuses any of them."""
    response = client("s3").delete_objects(
        Bucket=bucket, Delete={"Objects": versions, "Quiet": True}
    )
    errors = response.get("Errors", [])
    if errors:
        first = errors[0]
        raise RuntimeError(f"S3 refused to delete {len(errors)} objects: {first.get('Code')}")
    return len(versions)


def put_cors(bucket: str, rules: list[dict[str, Any]]) -> None:
    """Replace ``bucket``'s CORS configuration with ``rules`` (S3 API shape)."""
    client("s3").put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": rules})


def remove_cors(bucket: str) -> None:
    """Remove ``bucket``'s CORS configuration; a bucket already gone is not an error."""
    try:
        client("s3").delete_bucket_cors(Bucket=bucket)
    except client("s3").exceptions.NoSuchBucket:
        return
