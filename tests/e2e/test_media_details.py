"""The media page's details in Chromium on ``make dev``: a video's frame rate and container read
as people say them, on a desktop and on a 390 px phone; the same image uploaded twice is reported
as a duplicate (the local analysis runs AWS's duplicate check on the real SHA-256)."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Locator, Page, expect

from tests.e2e.mail_steps import register
from tests.e2e.media_files import image_file, video_file
from tests.e2e.navigation import expect_stored, open_upload_page
from tools.local.platform import LocalPlatform

DUPLICATE = "The same file is already in your library"


def _upload_and_wait(page: Page, path: Path) -> None:
    """Upload one file through the upload page and wait, in the library, until it is ready."""
    open_upload_page(page)
    page.get_by_test_id("file-input").set_input_files(str(path))
    row = page.locator("#uploads li").last
    expect_stored(row)
    page.get_by_role("link", name="Library", exact=True).click()
    card = page.get_by_test_id("media-cards").locator("li.card", has_text=path.name)
    expect(card.locator('[data-role="status"]')).to_have_text("ready", timeout=120_000)


def _open(page: Page, title: str) -> None:
    page.get_by_role("link", name="Library", exact=True).click()
    page.get_by_role("link", name=title, exact=True).click()
    expect(page.get_by_test_id("media-status")).to_have_text("ready")


def _detail(details: Locator, label: str) -> Locator:
    """The value shown for ``label`` (its <dd>), which must be listed exactly once."""
    term = details.locator("dt", has_text=label)
    expect(term).to_have_count(1)
    return term.locator("xpath=following-sibling::dd[1]")


def _reads_fps_and_mp4(page: Page) -> None:
    details = page.get_by_test_id("details")
    expect(details).to_be_visible()
    details.scroll_into_view_if_needed()
    expect(_detail(details, "Frame rate")).to_have_text("15 fps")
    expect(_detail(details, "Frame rate")).to_be_in_viewport()
    expect(_detail(details, "Container")).to_have_text("MP4")
    expect(_detail(details, "Dimensions")).to_contain_text("320")
    expect(details).not_to_contain_text("15/1")
    expect(details).not_to_contain_text("QuickTime")
    labels = details.locator("dt").all_inner_texts()
    assert len(labels) == len(set(labels)), labels


def test_video_details_read_fps_and_the_right_container(
    platform: LocalPlatform, page: Page, tmp_path: Path
) -> None:
    register(page, platform.site_url, "detailviewer")
    _upload_and_wait(page, video_file(tmp_path / "clip.mp4"))  # H.264/AAC MP4, 320x240, 15 fps
    _open(page, "clip.mp4")
    _reads_fps_and_mp4(page)

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    _reads_fps_and_mp4(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways ({width}px)"


def test_a_second_upload_of_the_same_bytes_is_a_duplicate(
    platform: LocalPlatform, page: Page, tmp_path: Path
) -> None:
    register(page, platform.site_url, "twiceuploader")
    first = image_file(tmp_path / "lake.png")
    second = tmp_path / "lake again.png"
    second.write_bytes(first.read_bytes())
    _upload_and_wait(page, first)
    _upload_and_wait(page, second)

    _open(page, "lake again.png")
    notice = page.locator(".flash.info", has_text=DUPLICATE)
    expect(notice).to_be_visible()
    notice.get_by_role("link", name="see it").click()
    expect(page.get_by_role("heading", name="lake.png", exact=True)).to_be_visible()
    expect(page.locator(".flash.info", has_text=DUPLICATE)).to_have_count(0)  # the first is not
    sha = page.get_by_test_id("details").locator("dt", has_text="SHA-256")
    expect(sha).to_have_count(1)
