"""Upload, library, search, media page, tags, playback and deletion through the site."""

from __future__ import annotations

import boto3
import pytest

from snapstream_runtime import deletion_requests, lifecycle, tags
from snapstream_runtime.adapters.table import Table, to_attributes
from snapstream_runtime.lifecycle import Status
from snapstream_runtime.settings import Settings
from tests.runtime.deletion_support import DeletionQueue, settle
from tests.web.browser import Browser
from tests.web.media_helpers import upload


@pytest.fixture
def alice(browser: Browser) -> Browser:
    browser.register("alice")
    return browser


def test_presign_refuses_bad_uploads_clearly(alice: Browser) -> None:
    cases = [
        ({"file_name": "tool.exe", "content_type": "application/x-msdownload", "size": 10}, "not"),
        ({"file_name": "big.mp4", "content_type": "video/mp4", "size": 51 * 1024**2}, "limit"),
        ({"file_name": "empty.png", "content_type": "image/png", "size": 0}, "empty"),
        ({"file_name": "x.png", "content_type": "image/png", "size": "many"}, "whole number"),
    ]
    for body, words in cases:
        response = alice.api("POST", "/api/uploads", body)
        assert response.status_code in (400, 422), body
        assert words in response.json["error"], (body, response.json)
    assert alice.api("POST", "/api/uploads", ["not", "an", "object"]).status_code == 400


def test_hostile_names_become_safe_keys_and_escaped_titles(
    alice: Browser, web_settings: Settings
) -> None:
    name = "../../etc/<img src=x onerror=alert(1)>.png"
    media_id = upload(alice, web_settings, name=name)
    media = lifecycle.load(Table(web_settings.table_name), media_id)
    assert media is not None and ".." not in media.upload_key and "<" not in media.upload_key
    page = alice.get(f"/media/{media_id}").get_data(as_text=True)
    assert "<img src=x" not in page and "&lt;img src=x" in page
    library = alice.get("/library").get_data(as_text=True)
    assert "<img src=x" not in library


def test_upload_shows_in_library_dashboard_and_notifications(
    alice: Browser, web_settings: Settings
) -> None:
    media_id = upload(alice, web_settings, name="harbour.png")
    library = alice.get("/library").get_data(as_text=True)
    assert "harbour.png" in library and 'data-status="uploaded"' in library
    counts = alice.api("GET", "/api/dashboard").json
    assert counts["uploads"] == 1 and counts["processing"] == 1
    assert counts["unread_notifications"] == 1
    assert "was uploaded" in alice.get("/notifications").get_data(as_text=True)
    status = alice.api("GET", f"/api/media/status?ids={media_id},{'0' * 32},bogus").json
    assert status == {media_id: {"status": "uploaded", "thumbnail_url": None}}


def test_library_pages_filters_and_tag_search(alice: Browser, web_settings: Settings) -> None:
    ids = [upload(alice, web_settings, name=f"shot-{n}.png") for n in range(5)]
    first = alice.api("GET", "/api/media?limit=2").json
    assert [i["title"] for i in first["items"]] == ["shot-4.png", "shot-3.png"]
    second = alice.api("GET", f"/api/media?limit=2&cursor={first['cursor']}").json
    assert [i["title"] for i in second["items"]] == ["shot-2.png", "shot-1.png"]
    assert alice.api("GET", "/api/media?kind=video").json["items"] == []
    assert alice.api("GET", "/api/media?kind=spreadsheet").status_code == 400

    assert alice.form(f"/media/{ids[1]}/tags", {"tag": "Harbour Lights"}).status_code == 302
    assert (
        alice.api("POST", f"/api/media/{ids[3]}/tags", {"tag": "harbour lights"}).status_code == 201
    )
    found = alice.api("GET", "/api/media?tag=HARBOUR%20lights").json["items"]
    assert [i["media_id"] for i in found] == [ids[3], ids[1]]
    page = alice.get("/library?tag=harbour+lights").get_data(as_text=True)
    assert "shot-3.png" in page and "shot-0.png" not in page
    assert alice.api("GET", "/api/tags/suggest?prefix=har").json == {"tags": ["harbour lights"]}

    assert alice.api("DELETE", f"/api/media/{ids[3]}/tags/harbour%20lights").status_code == 204
    found = alice.api("GET", "/api/media?tag=harbour lights").json["items"]
    assert [i["media_id"] for i in found] == [ids[1]]
    assert alice.api("POST", f"/api/media/{ids[1]}/tags", {"tag": "!"}).status_code == 422


def test_media_page_shows_the_analysis(alice: Browser, web_settings: Settings) -> None:
    media_id = upload(alice, web_settings, name="lecture.png")
    table = Table(web_settings.table_name)
    boto3.client("dynamodb").put_item(
        TableName=table.name,
        Item=to_attributes(
            {
                "pk": f"MEDIA#{media_id}",
                "sk": "ANALYSIS#labels",
                "kind": "labels",
                "body": [{"name": "Lighthouse", "confidence": 97.5, "parents": ["Building"]}],
            }
        ),
    )
    boto3.client("dynamodb").put_item(
        TableName=table.name,
        Item=to_attributes(
            {
                "pk": f"MEDIA#{media_id}",
                "sk": "ANALYSIS#speech",
                "kind": "speech",
                "body": {
                    "excerpt": "Welcome to the harbour <b>tour</b>",
                    "characters": 34,
                    "language": "en-GB",
                    "sentiment": "POSITIVE",
                    "entities": [{"text": "harbour", "type": "LOCATION", "score": 0.9}],
                    "key_phrases": [{"text": "the harbour tour", "score": 0.9}],
                },
            }
        ),
    )
    tags.apply(table, media_id, [tags.Tag("lighthouse", tags.TagSource.LABEL, 97.5)], threshold=80)
    page = alice.get(f"/media/{media_id}").get_data(as_text=True)
    for text in ["Lighthouse", "97.5%", "Building", "positive", "LOCATION", "the harbour tour"]:
        assert text in page, text
    assert "&lt;b&gt;tour&lt;/b&gt;" in page  # transcript text is escaped
    detail = alice.api("GET", f"/api/media/{media_id}").json
    assert detail["analysis"]["labels"][0]["name"] == "Lighthouse"
    assert detail["tags"] == ["lighthouse"]
    assert detail["original_url"].startswith("https://")


@pytest.mark.usefixtures("as_deletion_function")
def test_delete_marks_at_once_and_the_function_removes_the_rest(
    alice: Browser, web_settings: Settings, deletion_queue: DeletionQueue
) -> None:
    keep = upload(alice, web_settings, name="keep.png")
    doomed = upload(alice, web_settings, name="doomed.png")
    alice.api("POST", f"/api/media/{doomed}/tags", {"tag": "storm"})
    alice.api("POST", f"/api/media/{keep}/tags", {"tag": "storm"})
    s3 = boto3.client("s3")
    owner = _owner(web_settings, doomed)
    media_key = f"media/{owner}/{doomed}/thumbnail.jpg"
    s3.put_object(Bucket=web_settings.media_bucket, Key=media_key, Body=b"jpeg")
    s3.put_object(Bucket=web_settings.media_bucket, Key=media_key, Body=b"jpeg v2")

    deleted = alice.form(f"/media/{doomed}/delete", {})
    assert deleted.status_code == 302
    assert "is being deleted" in alice.get("/library").get_data(as_text=True)
    # At once: off the library, the tag search, the suggestions and the counters ...
    assert [i["media_id"] for i in alice.api("GET", "/api/media").json["items"]] == [keep]
    found = alice.api("GET", "/api/media?tag=storm").json["items"]
    assert [i["media_id"] for i in found] == [keep]
    counts = alice.api("GET", "/api/dashboard").json
    assert counts["uploads"] == 1 and counts["processing"] == 1
    # ... its page says so, and its files, playback and tags are refused.
    page = alice.get(f"/media/{doomed}").get_data(as_text=True)
    assert "being deleted" in page and "thumbnail" not in page
    assert alice.api("GET", f"/api/media/{doomed}").json["status"] == "deleting"
    assert alice.api("GET", f"/api/media/{doomed}/playback").status_code == 404
    assert alice.api("POST", f"/api/media/{doomed}/tags", {"tag": "x1"}).status_code == 404
    assert alice.api("DELETE", f"/api/media/{doomed}").status_code == 202  # asking again: fine

    settle(deletion_queue)
    table = Table(web_settings.table_name)
    assert lifecycle.load(table, doomed) is None
    for bucket, prefix in [
        (web_settings.uploads_bucket, f"uploads/{owner}/{doomed}/"),
        (web_settings.media_bucket, f"media/{owner}/{doomed}/"),
    ]:
        listing = s3.list_object_versions(Bucket=bucket, Prefix=prefix)
        assert not listing.get("Versions") and not listing.get("DeleteMarkers")
    kept = lifecycle.load(table, keep)
    assert kept is not None and kept.status is Status.UPLOADED
    assert alice.api("GET", "/api/tags/suggest?prefix=st").json == {"tags": ["storm"]}
    assert "“doomed.png” was deleted" in alice.get("/notifications").get_data(as_text=True)
    assert alice.api("GET", f"/api/media/{doomed}").status_code == 404

    response = alice.api("DELETE", f"/api/media/{keep}")
    assert response.status_code == 202 and response.json["status"] == "deleting"
    assert alice.api("GET", "/api/tags/suggest?prefix=st").json == {"tags": []}
    settle(deletion_queue)
    assert alice.api("DELETE", f"/api/media/{keep}").status_code == 404


def test_a_deletion_that_cannot_start_says_so_and_a_repeat_starts_it(
    alice: Browser,
    web_settings: Settings,
    deletion_queue: DeletionQueue,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    media_id = upload(alice, web_settings, name="stuck.png")

    def unreachable(queue_url: str, message: dict[str, str]) -> None:
        raise ConnectionError("SQS cannot be reached")

    with monkeypatch.context() as outage:
        outage.setattr(deletion_requests, "send", unreachable)
        refused = alice.api("DELETE", f"/api/media/{media_id}")
        assert refused.status_code == 503 and "try again" in refused.json["error"]
        assert alice.api("GET", "/api/media").json["items"] == []  # the mark stands
        page = alice.form(f"/media/{media_id}/delete", {})
        assert page.status_code == 302 and page.location.endswith(f"/media/{media_id}")
    assert "did not start" in alice.get(f"/media/{media_id}").get_data(as_text=True)
    stuck = lifecycle.load(Table(web_settings.table_name), media_id)
    assert stuck is not None and "SQS cannot be reached" in stuck.item["deletion"]["error"]
    assert alice.api("DELETE", f"/api/media/{media_id}").status_code == 202
    assert deletion_queue.bodies() == [
        {"type": "media", "media_id": media_id, "owner_id": _owner(web_settings, media_id)}
    ]


def test_playback_is_refused_until_the_video_is_ready(
    alice: Browser, web_settings: Settings
) -> None:
    media_id = upload(alice, web_settings, name="photo.png")
    response = alice.api("GET", f"/api/media/{media_id}/playback")
    assert response.status_code == 409
    assert "only videos" in response.json["error"]


def _owner(settings: Settings, media_id: str) -> str:
    media = lifecycle.load(Table(settings.table_name), media_id)
    assert media is not None
    return media.owner_id
