"""The site's upload API takes exactly the formats SnapStream accepts (``ALLOWED``, aliases as
browsers name them), pinning each POST to the one canonical type; and an image browsers cannot
show (HEIC, HEIF, TIFF) is shown through its JPEG rendition, inline, never as the original."""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
import requests

from snapstream_runtime.media_types import ALIASES, ALLOWED
from snapstream_runtime.settings import Settings
from tests.e2e.media_files import sample_bytes
from tests.web.browser import Browser
from tests.web.media_helpers import upload


@pytest.fixture
def alice(browser: Browser) -> Browser:
    browser.register("alice")
    return browser


def _conditions(ticket: dict[str, Any]) -> list[Any]:
    policy: dict[str, Any] = json.loads(base64.b64decode(ticket["fields"]["policy"]))
    return list(policy["conditions"])


def _query(url: str) -> dict[str, str]:
    return {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}


def test_every_accepted_type_and_alias_is_presigned_with_its_canonical_type(
    alice: Browser,
) -> None:
    for declared in sorted({*ALLOWED, *ALIASES}):
        canonical = ALIASES.get(declared, declared)
        name = f"file{ALLOWED[canonical].extensions[-1]}"
        response = alice.api(
            "POST", "/api/uploads", {"file_name": name, "content_type": declared, "size": 10}
        )
        assert response.status_code == 201, (declared, response.json)
        assert response.json["content_type"] == canonical
        assert {"Content-Type": canonical} in _conditions(response.json)


@pytest.mark.parametrize(
    ("file_name", "content_type"),
    [
        ("clip.wmv", "video/x-ms-wmv"),
        ("photo.avif", "image/avif"),
        ("photo.bmp", "image/bmp"),
        ("talk.aac", "audio/aac"),
        ("page.html", "text/html"),
    ],
)
def test_anything_else_is_refused_with_the_list(
    alice: Browser, file_name: str, content_type: str
) -> None:
    body = {"file_name": file_name, "content_type": content_type, "size": 10}
    response = alice.api("POST", "/api/uploads", body)
    assert response.status_code == 422
    assert "not accepted" in response.json["error"]
    assert all(e in response.json["error"] for e in (".heic", ".tif", ".webm", ".flac", ".ogg"))


def _give_rendition(settings: Settings, owner: str, media_id: str) -> str:
    """What analysis leaves for an image: its JPEG rendition, named on the record."""
    key = f"media/{owner}/{media_id}/rendition.jpg"
    boto3.client("s3").put_object(
        Bucket=settings.media_bucket, Key=key, Body=sample_bytes(".jpg"), ContentType="image/jpeg"
    )
    boto3.client("dynamodb").update_item(
        TableName=settings.table_name,
        Key={"pk": {"S": f"MEDIA#{media_id}"}, "sk": {"S": "META"}},
        UpdateExpression="SET rendition = :r",
        ExpressionAttributeValues={":r": {"S": key}},
    )
    return key


@pytest.mark.parametrize(
    ("name", "content_type"), [("scan.tif", "image/tiff"), ("a.heic", "image/heic")]
)
def test_an_image_browsers_cannot_show_is_shown_through_its_rendition(
    alice: Browser, web_settings: Settings, name: str, content_type: str
) -> None:
    media_id = upload(
        alice,
        web_settings,
        name=name,
        body=sample_bytes(name[name.index(".") :]),
        content_type=content_type,
    )
    before = alice.api("GET", f"/api/media/{media_id}").json
    assert before["image_url"] is None  # until analysis has made the rendition
    assert before["original_url"]  # the original still downloads
    owner = alice.api("GET", "/api/me").json["user_id"]
    _give_rendition(web_settings, owner, media_id)
    detail = alice.api("GET", f"/api/media/{media_id}").json
    query = _query(detail["image_url"])
    assert query["response-content-type"] == "image/jpeg"
    assert query["response-content-disposition"] == "inline"
    assert urlsplit(detail["image_url"]).path.endswith("/rendition.jpg")
    served = requests.get(detail["image_url"], timeout=10)
    assert served.ok and served.content[:3] == b"\xff\xd8\xff"
    assert _query(detail["original_url"])["response-content-type"] == content_type


def test_an_image_browsers_show_is_shown_as_it_is(alice: Browser, web_settings: Settings) -> None:
    media_id = upload(alice, web_settings, name="photo.png")
    owner = alice.api("GET", "/api/me").json["user_id"]
    _give_rendition(web_settings, owner, media_id)  # a PNG has none, but were there one
    detail = alice.api("GET", f"/api/media/{media_id}").json
    assert detail["image_url"] == detail["original_url"]
    video = upload(
        alice, web_settings, name="clip.webm", body=sample_bytes(".webm"), content_type="video/webm"
    )
    assert alice.api("GET", f"/api/media/{video}").json["image_url"] is None
