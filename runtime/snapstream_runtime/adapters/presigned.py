"""Presigned S3 requests, signed here with the caller's credentials (no AWS call): the upload
form a browser posts a file with, and short-lived download links."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from snapstream_runtime.adapters.clients import client


def upload_form(
    bucket: str,
    key: str,
    *,
    fields: Mapping[str, str],
    conditions: Sequence[object],
    expires_in: int,
) -> tuple[str, dict[str, str]]:
    """The URL and form fields of a POST that may store exactly what ``conditions`` allow."""
    post = client("s3").generate_presigned_post(
        Bucket=bucket,
        Key=key,
        Fields=dict(fields),
        Conditions=list(conditions),
        ExpiresIn=expires_in,
    )
    return str(post["url"]), dict(post["fields"])


def download_url(
    bucket: str,
    key: str,
    version_id: str | None = None,
    *,
    content_type: str,
    disposition: str,
    expires_in: int,
) -> str:
    """A GET of one object version, answered with this ``content_type`` and
    ``disposition`` whatever the object was stored with."""
    params = {
        "Bucket": bucket,
        "Key": key,
        **({"VersionId": version_id} if version_id else {}),
        "ResponseContentType": content_type,
        "ResponseContentDisposition": disposition,
    }
    url: str = client("s3").generate_presigned_url(
        "get_object", Params=params, ExpiresIn=expires_in
    )
    return url
