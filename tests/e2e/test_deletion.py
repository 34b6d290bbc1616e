"""Deleting, in a real headless Chromium against the local platform (the real deletion handler,
fed by the deletion queue, with the local MediaPackage stand-in): a ready image, video and audio
file one by one, then an account that still owns one of each. No server error on the way, and
once the workflow settles, nothing in the local table or buckets holds the user's id or keys."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import boto3
from playwright.sync_api import Page, expect

from tests.e2e.media_files import audio_file, image_file, video_file
from tests.e2e.navigation import expect_stored, open_upload_page
from tests.e2e.test_website import PASSWORD, _register
from tools.local.platform import LocalPlatform

KINDS = ("image", "video", "audio")


def _upload_three(page: Page, tmp_path: Path, prefix: str) -> dict[str, str]:
    """Upload an image, a video and an audio file and wait until all three are ready."""
    files = {
        "image": image_file(tmp_path / f"{prefix} picture.png"),
        "video": video_file(tmp_path / f"{prefix} clip.mp4"),
        "audio": audio_file(tmp_path / f"{prefix} tone.mp3"),
    }
    open_upload_page(page)
    page.get_by_test_id("file-input").set_input_files([str(f) for f in files.values()])
    rows = page.locator("#uploads li")
    expect(rows).to_have_count(3)
    for row in rows.all():
        expect_stored(row)
    page.get_by_role("link", name="Library", exact=True).click()
    cards = page.get_by_test_id("media-cards").locator("li.card")
    expect(cards).to_have_count(3)
    for card in cards.all():
        expect(card.locator('[data-role="status"]')).to_have_text("ready", timeout=120_000)
    return {kind: path.name for kind, path in files.items()}


def _remains_of(platform: LocalPlatform, user_id: str) -> list[str]:
    """Every item (by key) and object version (any bucket) that names the user."""
    return _items_of(platform, user_id) + _files_of(user_id)


def _items_of(platform: LocalPlatform, user_id: str) -> list[str]:
    items = boto3.client("dynamodb").scan(TableName=platform.settings.table_name)["Items"]
    return [f"{i['pk']['S']} {i['sk']['S']}" for i in items if user_id in str(i)]


def _files_of(user_id: str) -> list[str]:
    s3 = boto3.client("s3")
    found = []
    for bucket in [b["Name"] for b in s3.list_buckets()["Buckets"]]:
        listing = s3.list_object_versions(Bucket=bucket)
        versions = [*listing.get("Versions", []), *listing.get("DeleteMarkers", [])]
        found += [f"{bucket}/{v['Key']}" for v in versions if user_id in v["Key"]]
    return found


def _settled(platform: LocalPlatform, user_id: str, timeout: float = 60) -> list[str]:
    deadline = time.monotonic() + timeout
    while (remains := _remains_of(platform, user_id)) and time.monotonic() < deadline:
        time.sleep(0.5)
    return remains


def test_deleting_media_of_each_kind_and_then_the_account(
    platform: LocalPlatform, page: Page, tmp_path: Path
) -> None:
    site = platform.site_url
    failures: list[str] = []
    page.on("pageerror", lambda error: failures.append(str(error)))
    page.on("console", lambda m: failures.append(m.text) if m.type == "error" else None)
    page.on(
        "response", lambda r: failures.append(f"{r.status} {r.url}") if r.status >= 400 else None
    )
    page.on("dialog", lambda dialog: dialog.accept())  # "Delete … and all its files?"

    _register(page, site, "leaver")
    me: dict[str, Any] = page.evaluate("fetch('/api/me').then(r => r.json())")
    user_id = me["user_id"]
    names = _upload_three(page, tmp_path, "first")

    # One by one, from each media page: gone from the library at once, then a notification.
    cards = page.get_by_test_id("media-cards").locator("li.card")
    for count, kind in enumerate(KINDS):
        page.get_by_role("link", name=names[kind]).click()
        expect(page.get_by_test_id("media-status")).to_have_text("ready")
        if kind == "video":  # the stream has loaded, as for anyone looking at the page
            page.wait_for_function("() => document.getElementById('player').readyState >= 2")
        page.get_by_test_id("delete-media").click()
        expect(page.locator(".flash.success")).to_contain_text(f"“{names[kind]}” is being deleted")
        expect(cards).to_have_count(2 - count)
    page.get_by_test_id("notifications-link").click()
    notices = page.get_by_test_id("notifications")
    for kind in KINDS:
        deleted = f"“{names[kind]}” was deleted"
        for _ in range(60):
            if deleted in notices.inner_text():
                break
            time.sleep(0.5)
            page.reload()
        expect(notices).to_contain_text(deleted)
    counts = page.evaluate("fetch('/api/dashboard').then(r => r.json())")
    assert counts["uploads"] == 0 and counts["completed"] == 0
    assert _files_of(user_id) == []  # every version of every file, the HLS stream with them
    families = {key.split("#", 1)[0] for key in _items_of(platform, user_id)}
    # the account, its notifications and this browser's login session only
    assert families == {"USER", "EMAIL", "USERNAME", "SESSION"}

    # Then the account, while it still owns one media of each kind.
    _upload_three(page, tmp_path, "second")
    page.get_by_role("link", name="leaver", exact=True).click()
    page.locator("#delete-password").fill(PASSWORD)
    page.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    expect(page.locator(".flash.success")).to_contain_text("Your account is being deleted")

    assert _settled(platform, user_id) == []
    _register(page, site, "leaver")  # the address is free again
    assert page.evaluate("fetch('/api/me').then(r => r.json())")["user_id"] != user_id
    assert failures == [], failures
