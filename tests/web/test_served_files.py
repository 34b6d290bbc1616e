"""Files from the buckets are served with the type and disposition the site names, never as
stored: an original downloads as an attachment of its declared type, a preview shows inline as
a JPEG, and nothing is ever served as HTML (even if an object were stored as text/html)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
import requests

from snapstream_runtime.settings import Settings
from snapstream_web import media_service
from tests.web.browser import Browser
from tests.web.media_helpers import upload


@pytest.fixture
def alice(browser: Browser) -> Browser:
    browser.register("alice")
    return browser


def _query(url: str) -> dict[str, str]:
    return {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}


def test_an_original_downloads_as_an_attachment_of_its_declared_type(
    alice: Browser, web_settings: Settings
) -> None:
    media_id = upload(alice, web_settings, name="Fête à Genève.png")
    url = alice.api("GET", f"/api/media/{media_id}").json["original_url"]
    query = _query(url)
    assert query["response-content-type"] == "image/png"
    assert query["response-content-disposition"] == (
        'attachment; filename="F_te _ Gen_ve.png"; '
        "filename*=UTF-8''F%C3%AAte%20%C3%A0%20Gen%C3%A8ve.png"
    )
    assert query["X-Amz-Algorithm"] == "AWS4-HMAC-SHA256"
    served = requests.get(url, timeout=10)
    assert served.headers["Content-Type"] == "image/png"
    assert served.headers["Content-Disposition"].startswith("attachment; ")


def test_a_preview_shows_inline_as_jpeg_whatever_it_was_stored_as(
    alice: Browser, web_settings: Settings
) -> None:
    media_id = upload(alice, web_settings, name="a.png")
    owner = alice.api("GET", "/api/me").json["user_id"]
    thumbnail = f"media/{owner}/{media_id}/thumbnail.jpg"
    boto3.client("s3").put_object(
        Bucket=web_settings.media_bucket,
        Key=thumbnail,
        Body=b"<script>alert(1)</script>",
        ContentType="text/html",
    )
    boto3.client("dynamodb").update_item(
        TableName=web_settings.table_name,
        Key={"pk": {"S": f"MEDIA#{media_id}"}, "sk": {"S": "META"}},
        UpdateExpression="SET thumbnail = :t",
        ExpressionAttributeValues={":t": {"S": thumbnail}},
    )
    [card] = alice.api("GET", "/api/media").json["items"]
    query = _query(card["thumbnail_url"])
    assert query["response-content-type"] == "image/jpeg"
    assert query["response-content-disposition"] == "inline"
    served = requests.get(card["thumbnail_url"], timeout=10)
    assert served.headers["Content-Type"] == "image/jpeg"
    assert served.headers["Content-Disposition"] == "inline"


def test_a_type_that_is_not_ours_is_served_as_an_opaque_download(web_settings: Settings) -> None:
    url = media_service.file_url(
        web_settings.uploads_bucket,
        "uploads/x/y/page.html",
        content_type="text/html",
        download_as='page".html',
    )
    query = _query(url)
    assert query["response-content-type"] == "application/octet-stream"
    assert query["response-content-disposition"].startswith('attachment; filename="page_.html"')
