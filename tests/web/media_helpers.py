"""Uploading through the site in tests: presigned POST to (moto) S3, then the real ingest."""

from __future__ import annotations

from typing import Any

import boto3
import requests

from snapstream_runtime.ingest import ObjectCreated, ingest
from snapstream_runtime.settings import Settings
from tests.runtime.samples import png_bytes
from tests.web.browser import Browser


def upload(
    browser: Browser,
    settings: Settings,
    name: str = "photo.png",
    body: bytes | None = None,
    content_type: str = "image/png",
) -> str:
    """Ask the site for a ticket, POST the bytes as the browser does, run ingest; the media id."""
    body = body if body is not None else png_bytes(16, 16)
    response = browser.api(
        "POST", "/api/uploads", {"file_name": name, "content_type": content_type, "size": len(body)}
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    ticket: dict[str, Any] = response.json
    posted = requests.post(
        ticket["url"], data=ticket["fields"], files={"file": (name, body, content_type)}, timeout=10
    )
    assert posted.status_code in (200, 201, 204), posted.text
    head = boto3.client("s3").head_object(Bucket=settings.uploads_bucket, Key=ticket["key"])
    ingest(ObjectCreated(settings.uploads_bucket, ticket["key"], head.get("VersionId")), settings)
    return str(ticket["media_id"])
