"""The library's controls in a real Chromium, at desktop width and on a 390 px phone: a filtered
page shows the oldest video among many newer images, rename and describe, title search, sort,
download of the original, and a selection tagged and deleted with the keyboard."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.mail_steps import register
from tests.e2e.media_files import image_file, video_file
from tests.e2e.navigation import expect_stored
from tools.local.platform import LocalPlatform

NEWER = 26  # newer images than the video: more than a page (24)


def _watch_for_errors(page: Page) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    return errors


def _upload_two(page: Page, site: str, tmp_path: Path) -> None:
    """A real image and video through the upload page (the oldest media of the library)."""
    page.goto(f"{site}/upload")  # on a phone the menu hides the link (test_website.py)
    page.wait_for_load_state("load")  # upload.js attached to the picker
    image, video = image_file(tmp_path / "harbour at dusk.png"), video_file(tmp_path / "clip.mp4")
    page.get_by_test_id("file-input").set_input_files([str(image), str(video)])
    for row in page.locator("#uploads li").all():
        expect_stored(row)


def _show(page: Page, site: str, query: str = "") -> None:
    page.goto(f"{site}/library{query}")
    page.wait_for_load_state("load")  # library.js attached (select all, confirmations)


def _titles(page: Page) -> list[str]:
    return page.get_by_test_id("media-cards").locator("li.card .title").all_inner_texts()


@pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
def test_library_controls(platform: LocalPlatform, page: Page, tmp_path: Path, width: int) -> None:
    site = platform.site_url
    page.set_viewport_size({"width": width, "height": 900})
    errors = _watch_for_errors(page)
    register(page, site, f"librarian{width}")
    _upload_two(page, site, tmp_path)
    page.evaluate(
        """async (count) => {
             for (let n = 0; n < count; n++) {
               await SnapStream.api("POST", "/api/uploads",
                 { file_name: `newer ${n}.png`, content_type: "image/png", size: 100 });
             }
           }""",
        NEWER,
    )
    cards = page.get_by_test_id("media-cards").locator("li.card")

    # The oldest video is on the first page of the videos, not on the first page of everything.
    _show(page, site)
    expect(cards).to_have_count(24)
    assert "clip.mp4" not in _titles(page)
    page.get_by_label("Type").select_option("video")
    page.get_by_role("button", name="Show").click()
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text("clip.mp4")
    assert width >= page.evaluate("document.documentElement.scrollWidth"), "sideways scrolling"

    # Download the original from its card: a presigned link that saves it under its name.
    with page.expect_download() as saved:
        cards.first.get_by_role("link", name="Download").click()
    assert saved.value.suggested_filename == "clip.mp4"

    # Title search finds the image by the start of a word; rename and describe it.
    _show(page, site)
    page.get_by_label("Title words").fill("harb")
    page.get_by_role("button", name="Show").click()
    expect(cards).to_have_count(1)
    # ready first: the media page reloads itself when a processing media changes status
    expect(cards.first.locator('[data-role="status"]')).to_have_text("ready", timeout=90_000)
    cards.first.get_by_role("link", name="harbour at dusk.png", exact=True).click()
    page.get_by_test_id("edit-details").click()
    page.get_by_label("Title", exact=True).fill("Lifeboat launch")
    page.get_by_label("Description").fill("Crew of six.\n<b>not bold</b>")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Lifeboat launch")).to_be_visible()
    description = page.get_by_test_id("description")
    expect(description).to_contain_text("Crew of six.")
    expect(description).to_contain_text("<b>not bold</b>")  # shown as typed, never as markup
    with page.expect_download() as saved:
        page.get_by_test_id("download-original").click()
    assert saved.value.suggested_filename == "harbour at dusk.png"
    _show(page, site, "?q=lifeb")
    assert _titles(page) == ["Lifeboat launch"]
    _show(page, site, "?q=harbour")
    expect(cards).to_have_count(0)

    # Sorting: by name, then oldest first.
    _show(page, site)
    page.get_by_label("Order").select_option("name")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"sort=name"))
    assert _titles(page)[:3] == ["clip.mp4", "Lifeboat launch", "newer 0.png"]
    page.get_by_label("Order").select_option("oldest")
    page.get_by_role("button", name="Show").click()
    assert set(_titles(page)[:2]) == {"clip.mp4", "Lifeboat launch"}

    # A selection tagged with the keyboard: check two boxes, type the tag, press the button.
    # (The newer images are uploads never sent: awaiting their upload, searchable by status.)
    _show(page, site, "?status=awaiting_upload")
    expect(cards).to_have_count(24)
    for card in cards.all()[:2]:
        card.get_by_role("checkbox").focus()
        page.keyboard.press("Space")
    page.get_by_test_id("bulk-tag").fill("Low Tide")
    page.get_by_role("button", name="Add tag").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".flash.success")).to_have_text("2 media tagged.")
    _show(page, site, "?tag=low+tide")
    expect(cards).to_have_count(2)

    # A selection deleted: select all on the page, confirm, gone at once (the deletion queue
    # and the local deletion function do the rest).
    _show(page, site, "?status=awaiting_upload")
    page.get_by_label("Select all on this page").check()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("bulk-delete").click()
    expect(page.locator(".flash.success")).to_have_text("24 media being deleted.")
    expect(cards).to_have_count(NEWER - 24)
    _show(page, site)
    expect(cards).to_have_count(NEWER - 24 + 2)
    assert width >= page.evaluate("document.documentElement.scrollWidth"), "sideways scrolling"
    assert errors == [], errors
