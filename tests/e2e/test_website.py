"""A newcomer's visit, in a real headless Chromium: register, log in, upload a real image and a
short video through the presigned POST with the progress bar, see them in the library, open the
media page, tag and search by tag, read a notification, log out."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.mail_steps import register
from tests.e2e.media_files import image_file, video_file
from tests.e2e.navigation import expect_stored, open_upload_page
from tools.local.platform import LocalPlatform

PASSWORD = "a long enough passphrase"


def _register(page: Page, site: str, name: str) -> None:
    """Register, confirm the address through the local outbox, log in (tests/e2e/mail_steps)."""
    register(page, site, name, PASSWORD)


def test_a_newcomers_visit(platform: LocalPlatform, page: Page, tmp_path: Path) -> None:
    site = platform.site_url
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)

    _register(page, site, "newcomer")
    page.get_by_role("button", name="Log out").click()
    page.get_by_label("E-mail").fill("newcomer@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()

    # Upload: both files at once, straight to (moto) S3 with progress bars.
    open_upload_page(page)
    image, video = image_file(tmp_path / "harbour at dusk.png"), video_file(tmp_path / "clip.mp4")
    page.get_by_test_id("file-input").set_input_files([str(image), str(video)])
    rows = page.locator("#uploads li")
    expect(rows).to_have_count(2)
    for row in rows.all():
        expect_stored(row)
        assert row.locator("progress").evaluate("p => p.value") == 100

    # A wrong type is refused in the page, before anything is sent.
    text_file = tmp_path / "notes.txt"
    text_file.write_text("not media")
    page.get_by_test_id("file-input").set_input_files(str(text_file))
    expect(rows.nth(2).locator(".state")).to_contain_text("not an image, video or audio file")

    # Library: the worker ran the real handlers (ingest, local analysis, ffmpeg transcoding,
    # packaging); the badges update live until both are ready.
    page.get_by_role("link", name="Library", exact=True).click()
    cards = page.get_by_test_id("media-cards").locator("li.card")
    expect(cards).to_have_count(2)
    for card in cards.all():
        expect(card.locator('[data-role="status"]')).to_have_text("ready", timeout=90_000)

    # Media page: the image preview loads from storage; tag it.
    page.get_by_role("link", name="harbour at dusk.png").click()
    preview = page.get_by_test_id("image-preview")
    expect(preview).to_be_visible()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth === 96", arg=preview.element_handle()
    )
    page.get_by_test_id("new-tag").fill("Golden Hour")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_test_id("tags")).to_contain_text("golden hour")

    # Search by tag, with typeahead suggestions (typed once the page's script is running).
    page.get_by_role("link", name="Library", exact=True).click()
    page.wait_for_load_state("load")
    page.get_by_test_id("tag-search").fill("gol")
    expect(page.locator("#tag-suggestions option[value='golden hour']")).to_have_count(1)
    page.get_by_test_id("tag-search").fill("golden hour")
    page.get_by_role("button", name="Show").click()
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text("harbour at dusk.png")

    # The video plays: hls.js (served by the site) streams the locally transcoded ladder, and
    # the quality selector offers every rendition (a 320x240 clip: one, never upscaled).
    page.get_by_role("link", name="Library", exact=True).click()
    page.get_by_role("link", name="clip.mp4").click()
    expect(page.get_by_test_id("media-status")).to_have_text("ready")
    quality = page.get_by_test_id("quality").locator("option")
    expect(quality).to_have_count(2)
    assert quality.all_inner_texts() == ["Auto", "240p"]
    player = "document.getElementById('player')"
    page.wait_for_function(f"() => {player}.readyState >= 2", timeout=30_000)
    page.get_by_test_id("quality").select_option(label="240p")
    page.evaluate(f"{player}.muted = true")
    page.evaluate(f"{player}.play()")
    page.wait_for_function(f"() => {player}.currentTime > 0.3", timeout=30_000)

    # Notifications: unread badge, read them, badge gone.
    badge = page.get_by_test_id("notifications-link").locator(".badge")
    expect(badge).to_have_text(re.compile(r"^[1-9][0-9]*$"))
    page.get_by_test_id("notifications-link").click()
    expect(page.get_by_test_id("notifications")).to_contain_text("“clip.mp4” is ready")
    page.get_by_test_id("mark-read").click()
    expect(badge).to_have_count(0)

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    page.goto(f"{site}/library")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    assert errors == [], errors


def test_the_layout_works_on_a_phone(platform: LocalPlatform, page: Page) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    _register(page, platform.site_url, "phoneuser")
    nav_link = page.get_by_role("link", name="Library", exact=True)
    expect(nav_link).to_be_hidden()  # behind the menu button
    page.locator("label.menu-button").click()
    expect(nav_link).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways ({width}px)"


def test_an_upload_can_be_cancelled(platform: LocalPlatform, page: Page, tmp_path: Path) -> None:
    _register(page, platform.site_url, "canceller")
    open_upload_page(page)
    big = tmp_path / "long take.mp4"
    big.write_bytes(video_file(tmp_path / "seed.mp4").read_bytes() + bytes(8 * 1024 * 1024))
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(  # a slow link, so the upload is still going when Cancel is pressed
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 20, "downloadThroughput": -1, "uploadThroughput": 256 * 1024},
    )
    page.get_by_test_id("file-input").set_input_files(str(big))
    row = page.locator("#uploads li").first
    expect(row.locator(".state")).to_contain_text("%", timeout=15_000)
    with page.expect_response(lambda r: r.request.method == "DELETE") as dropped:
        row.get_by_role("button", name="Cancel").click()
    assert dropped.value.status == 202  # the waiting record is marked and deleted too
    expect(row.locator(".state")).to_have_text("cancelled")
    assert row.locator("progress").evaluate("p => p.value") < 100
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    page.get_by_role("link", name="Library", exact=True).click()
    expect(page.get_by_test_id("media-cards").locator("li.card")).to_have_count(0)
