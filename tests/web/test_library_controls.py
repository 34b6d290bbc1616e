"""The library's controls through the site and the API: filtered and sorted pages, title search,
rename and description, download of the original, and actions on a selection."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from flask import Flask

from snapstream_runtime import lifecycle
from snapstream_runtime.adapters.table import Table
from snapstream_runtime.lifecycle import Status
from snapstream_runtime.settings import Settings
from tests.runtime.deletion_support import DeletionQueue
from tests.runtime.samples import png_bytes
from tests.web.browser import Browser, BrowserFactory, JsonResponse
from tests.web.media_helpers import upload


@pytest.fixture
def alice(browser: Browser) -> Browser:
    browser.register("alice")
    return browser


def _titles(response: JsonResponse | dict[str, Any]) -> list[str]:
    body = response if isinstance(response, dict) else response.json
    return [item["title"] for item in body["items"]]


def _waiting(alice: Browser, name: str, content_type: str = "image/png") -> str:
    """A media whose upload has not arrived (a ticket only)."""
    body = {"file_name": name, "content_type": content_type, "size": 10}
    response = alice.api("POST", "/api/uploads", body)
    assert response.status_code == 201
    return str(response.json["media_id"])


def test_a_filtered_page_is_full_and_its_cursor_exact(
    alice: Browser, web_settings: Settings
) -> None:
    video = _waiting(alice, "first clip.mp4", "video/mp4")
    for n in range(5):
        _waiting(alice, f"img {n}.png")
    videos = alice.api("GET", "/api/media?kind=video&limit=2").json
    assert [i["media_id"] for i in videos["items"]] == [video] and videos["cursor"] is None
    images = alice.api("GET", "/api/media?kind=image&status=awaiting_upload&limit=3").json
    assert _titles(images) == ["img 4.png", "img 3.png", "img 2.png"]
    rest = alice.api(
        "GET", f"/api/media?kind=image&status=awaiting_upload&limit=3&cursor={images['cursor']}"
    ).json
    assert _titles(rest) == ["img 1.png", "img 0.png"]
    page = alice.get("/library?kind=video").get_data(as_text=True)
    assert "first clip.mp4" in page and "img 4.png" not in page


def test_sorting_by_date_either_way_and_by_name(alice: Browser) -> None:
    for name in ("beta.png", "Alpha.png", "gamma.png"):
        _waiting(alice, name)
    assert _titles(alice.api("GET", "/api/media?sort=oldest")) == [
        "beta.png",
        "Alpha.png",
        "gamma.png",
    ]
    assert _titles(alice.api("GET", "/api/media?sort=name")) == [
        "Alpha.png",
        "beta.png",
        "gamma.png",
    ]
    refused = alice.api("GET", "/api/media?sort=name&kind=image")
    assert refused.status_code == 400 and "whole library" in refused.json["error"]
    assert alice.api("GET", "/api/media?sort=size").status_code == 400
    page = alice.get("/library?sort=name&kind=image")
    assert page.status_code == 400
    assert "whole library" in page.get_data(as_text=True)
    assert 'value="name" selected' in alice.get("/library?sort=name").get_data(as_text=True)


def test_title_search_finds_the_start_of_words(alice: Browser, web_settings: Settings) -> None:
    harbour = upload(alice, web_settings, name="Harbour at dusk.png")
    upload(alice, web_settings, name="Storm front.png")
    found = alice.api("GET", "/api/media?q=dus").json["items"]
    assert [i["media_id"] for i in found] == [harbour]
    assert _titles(alice.api("GET", "/api/media?q=harb%20dusk")) == ["Harbour at dusk.png"]
    assert alice.api("GET", "/api/media?q=arbour").json["items"] == []
    assert _titles(alice.api("GET", "/api/media?q=st&sort=oldest")) == ["Storm front.png"]
    assert alice.api("GET", "/api/media?q=!").status_code == 400
    assert alice.api("GET", "/api/media?q=harbour&tag=x").status_code == 400
    assert alice.api("GET", "/api/media?q=harbour&sort=name").status_code == 400
    page = alice.get("/library?q=storm").get_data(as_text=True)
    assert "Storm front.png" in page and "Harbour at dusk.png" not in page


def test_rename_and_describe_in_the_page_and_the_api(
    alice: Browser, make_browser: BrowserFactory, web_settings: Settings
) -> None:
    media_id = upload(alice, web_settings, name="IMG_0042.png")
    response = alice.form(
        f"/media/{media_id}/details",
        {"title": "Lifeboat launch", "description": "Crew of six.\n<script>alert(1)</script>"},
    )
    assert response.status_code == 302
    page = alice.get(f"/media/{media_id}").get_data(as_text=True)
    assert "<h1>Lifeboat launch</h1>" in page
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page
    assert _titles(alice.api("GET", "/api/media?q=lifeboat")) == ["Lifeboat launch"]
    assert alice.api("GET", "/api/media?q=img").json["items"] == []

    edited = alice.api("PATCH", f"/api/media/{media_id}", {"description": ""})
    assert edited.status_code == 200
    assert edited.json["title"] == "Lifeboat launch" and edited.json["description"] == ""
    assert alice.api("PATCH", f"/api/media/{media_id}", {"title": "x" * 201}).status_code == 422
    assert alice.api("PATCH", f"/api/media/{media_id}", {"title": 7}).status_code == 400
    assert alice.api("PATCH", f"/api/media/{media_id}", {}).status_code == 400
    blank = alice.form(f"/media/{media_id}/details", {"title": " ", "description": ""})
    assert blank.status_code == 302
    assert "at least one" in alice.get(f"/media/{media_id}").get_data(as_text=True)
    bob = make_browser()
    bob.register("bob")
    assert bob.api("PATCH", f"/api/media/{media_id}", {"title": "mine"}).status_code == 404
    assert bob.form(f"/media/{media_id}/details", {"title": "mine"}).status_code == 404


def test_the_original_downloads_through_a_short_lived_link(
    app: Flask, alice: Browser, make_browser: BrowserFactory, web_settings: Settings
) -> None:
    body = png_bytes(8, 8)
    media_id = upload(alice, web_settings, name="harbour lights.png", body=body)
    redirect = alice.get(f"/media/{media_id}/download")
    assert redirect.status_code == 302 and redirect.headers["Cache-Control"] == "no-store"
    link = redirect.headers["Location"]
    query = parse_qs(urlsplit(link).query)
    assert query["X-Amz-Expires"] == ["300"]
    assert query["response-content-disposition"][0].startswith("attachment;")
    fetched = requests.get(link, timeout=10)
    assert fetched.content == body
    assert 'filename="harbour lights.png"' in fetched.headers["Content-Disposition"]
    api = alice.api("GET", f"/api/media/{media_id}/download").json
    assert api["file_name"] == "harbour lights.png" and api["expires_in"] == 300
    library = alice.get("/library").get_data(as_text=True)
    assert f'href="/media/{media_id}/download"' in library

    waiting = _waiting(alice, "not yet.png")
    assert alice.get(f"/media/{waiting}/download").status_code == 404
    assert alice.api("GET", f"/api/media/{waiting}/download").status_code == 404
    bob, admin = make_browser(), make_browser()
    bob.register("bob")
    assert bob.get(f"/media/{media_id}/download").status_code == 404
    assert bob.api("GET", f"/api/media/{media_id}/download").status_code == 404
    admin.register("root")
    app.test_cli_runner().invoke(args=["promote", "root@example.com"])
    assert admin.get(f"/media/{media_id}/download").status_code == 302


def test_a_selection_is_deleted_through_the_deletion_queue(
    alice: Browser,
    make_browser: BrowserFactory,
    web_settings: Settings,
    deletion_queue: DeletionQueue,
) -> None:
    keep, *doomed = (upload(alice, web_settings, name=f"shot {n}.png") for n in range(3))
    bob = make_browser()
    bob.register("bob")
    theirs = upload(bob, web_settings, name="bobs.png")
    response = alice.api(
        "POST", "/api/media/bulk", {"action": "delete", "media_ids": [*doomed, theirs]}
    )
    assert response.status_code == 200
    assert response.json == {"done": doomed, "not_found": [theirs], "failed": []}
    table = Table(web_settings.table_name)
    for media_id in doomed:
        marked = lifecycle.load(table, media_id)
        assert marked is not None and marked.status is Status.DELETING
    assert {b["media_id"] for b in deletion_queue.bodies()} == set(doomed)
    assert [i["media_id"] for i in alice.api("GET", "/api/media").json["items"]] == [keep]
    mine = lifecycle.load(table, theirs)
    assert mine is not None and mine.status is Status.UPLOADED

    page = alice.form(
        "/library/selected",
        {"action": "delete", "media_id": keep, "back_sort": "oldest", "back_q": "shot"},
    )
    assert page.status_code == 302 and page.headers["Location"] == "/library?q=shot&sort=oldest"
    assert "1 media being deleted." in alice.get("/library").get_data(as_text=True)
    assert alice.api("GET", "/api/media").json["items"] == []


def test_a_selection_is_tagged_and_untagged(alice: Browser, web_settings: Settings) -> None:
    ids = [upload(alice, web_settings, name=f"pier {n}.png") for n in range(3)]
    chosen = ids[:2]
    tagged = alice.api(
        "POST", "/api/media/bulk", {"action": "tag", "media_ids": chosen, "tag": "Low Tide"}
    )
    assert tagged.json["done"] == chosen
    found = alice.api("GET", "/api/media?tag=low%20tide").json["items"]
    assert {i["media_id"] for i in found} == set(chosen)
    form = {"action": "untag", "media_id": ids[0], "tag": "low tide"}
    assert alice.form("/library/selected", form).status_code == 302
    found = alice.api("GET", "/api/media?tag=low%20tide").json["items"]
    assert [i["media_id"] for i in found] == [ids[1]]

    refusals = [
        ({"action": "rename", "media_ids": chosen}, 422, "action is one of"),
        ({"action": "tag", "media_ids": chosen}, 422, "type the tag"),
        ({"action": "tag", "media_ids": chosen, "tag": "!"}, 422, "two letters"),
        ({"action": "delete", "media_ids": []}, 422, "at least one"),
        (
            {"action": "delete", "media_ids": ["a"] * 51 + [str(n) for n in range(51)]},
            422,
            "at most",
        ),
        ({"action": "delete", "media_ids": "all"}, 400, "list"),
        ({"action": "tag", "media_ids": chosen, "tag": 5}, 400, "text"),
    ]
    for body, status, words in refusals:
        response = alice.api("POST", "/api/media/bulk", body)
        assert response.status_code == status, body
        assert words in response.json["error"], (body, response.json)
    nothing = alice.form("/library/selected", {"action": "delete"})
    assert nothing.status_code == 302
    assert "select at least one" in alice.get("/library").get_data(as_text=True)
