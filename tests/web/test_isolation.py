"""User B can never see, play, tag or delete user A's media or notifications (every route)."""

from __future__ import annotations

import boto3

from snapstream_runtime import lifecycle
from snapstream_runtime.adapters.table import Table
from snapstream_runtime.settings import Settings
from tests.web.browser import BrowserFactory
from tests.web.media_helpers import upload


def test_every_media_route_refuses_another_user(
    make_browser: BrowserFactory, web_settings: Settings
) -> None:
    alice, bob = make_browser(), make_browser()
    alice.register("alice")
    bob.register("bob")
    media_id = upload(alice, web_settings, name="private.png")
    alice.api("POST", f"/api/media/{media_id}/tags", {"tag": "secret"})
    page = alice.api("GET", "/api/media?limit=1").json
    upload(alice, web_settings, name="second.png")
    cursor = alice.api("GET", "/api/media?limit=1").json["cursor"]
    notes = alice.api("GET", "/api/notifications").json
    assert page and notes

    refused = [
        bob.get(f"/media/{media_id}"),
        bob.form(f"/media/{media_id}/tags", {"tag": "mine now"}),
        bob.form(f"/media/{media_id}/tags/remove", {"tag": "secret"}),
        bob.form(f"/media/{media_id}/delete", {}),
        bob.api("GET", f"/api/media/{media_id}"),
        bob.api("DELETE", f"/api/media/{media_id}"),
        bob.api("GET", f"/api/media/{media_id}/playback"),
        bob.api("POST", f"/api/media/{media_id}/tags", {"tag": "mine now"}),
        bob.api("DELETE", f"/api/media/{media_id}/tags/secret"),
    ]
    assert [r.status_code for r in refused] == [404] * len(refused)
    for response in refused:
        assert "private.png" not in response.get_data(as_text=True)

    assert bob.api("GET", f"/api/media/status?ids={media_id}").json == {}
    assert bob.api("GET", "/api/media?tag=secret").json["items"] == []
    assert bob.api("GET", "/api/tags/suggest?prefix=se").json == {"tags": []}
    assert bob.api("GET", f"/api/media?cursor={cursor}").status_code == 400
    assert bob.api("GET", "/api/notifications").json["items"] == []
    bob.api("DELETE", "/api/notifications")
    assert alice.api("GET", "/api/notifications").json["items"]
    assert "private.png" not in bob.get("/library").get_data(as_text=True)
    assert "private.png" not in bob.get("/dashboard").get_data(as_text=True)
    assert bob.get("/admin/users").status_code == 403
    assert bob.api("GET", "/api/admin/uploads").status_code == 403

    media = lifecycle.load(Table(web_settings.table_name), media_id)
    assert media is not None and media.item["tags"] == ["secret"]
    versions = boto3.client("s3").list_object_versions(
        Bucket=web_settings.uploads_bucket, Prefix=media.upload_key
    )
    assert versions.get("Versions")


def test_anonymous_visitors_get_nothing(
    make_browser: BrowserFactory, web_settings: Settings
) -> None:
    alice = make_browser()
    alice.register("alice")
    media_id = upload(alice, web_settings)
    anonymous = make_browser()
    assert anonymous.get(f"/media/{media_id}").status_code == 302
    assert anonymous.get("/library").status_code == 302
    for method, path in [
        ("GET", f"/api/media/{media_id}"),
        ("GET", "/api/media"),
        ("POST", "/api/uploads"),
        ("GET", "/api/notifications"),
        ("GET", "/api/me"),
    ]:
        assert anonymous.api(method, path, {}).status_code == 401, path


def test_malformed_media_ids_are_not_found(make_browser: BrowserFactory) -> None:
    alice = make_browser()
    alice.register("alice")
    for media_id in ["..%2F..%2Fetc", "MEDIA%23x", "0" * 33, "' OR 1=1 --"]:
        assert alice.api("GET", f"/api/media/{media_id}").status_code == 404
