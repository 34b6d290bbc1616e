"""In a real headless Chromium against the local platform, at desktop width and at 390 px: the
upload page follows each file to its outcome (a real PNG to "ready" with a link, a text file named
.jpg to "rejected" with the reason ingest recorded); the admin sees users by name with their
media and bytes, and disables, enables and deletes one; the landing page; the site's 404 page;
the navigation's unread badge updating without a reload (and not polling while hidden)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from snapstream_runtime import keys, lifecycle
from snapstream_runtime.adapters.table import Table
from snapstream_runtime.media_types import ALLOWED
from snapstream_runtime.sizes import human_size
from snapstream_web import accounts
from tests.e2e.mail_steps import PASSWORD, log_in, register
from tests.e2e.media_files import image_file
from tests.e2e.navigation import open_upload_page
from tools.local.platform import LocalPlatform

WIDTHS = {"desktop": 1280, "phone": 390}
REJECTED = "the file's content is not a supported image, video or audio format"


@pytest.fixture(params=list(WIDTHS))
def width(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def problems(page: Page) -> Iterator[list[str]]:
    """Console errors, page errors and failed requests (an expected 404 page aside)."""
    found: list[str] = []
    page.on("pageerror", lambda error: found.append(str(error)))
    page.on(
        "console",
        lambda m: found.append(m.text) if m.type == "error" and "404" not in m.text else None,
    )
    page.on(
        "response",
        lambda r: (
            found.append(f"{r.status} {r.url}")
            if r.status >= 400 and not r.url.endswith("/nowhere-at-all")
            else None
        ),
    )
    yield found
    assert found == [], found


def _phone(page: Page, width: str) -> None:
    if width == "phone":
        page.set_viewport_size({"width": WIDTHS["phone"], "height": 844})


def _no_sideways_scrolling(page: Page) -> None:
    scrolled = page.evaluate("document.documentElement.scrollWidth")
    shown = page.evaluate("window.innerWidth")
    assert scrolled <= shown, f"the page scrolls sideways ({scrolled}px in {shown}px)"


def _open_menu(page: Page, width: str) -> None:
    if width == "phone":
        page.locator("label.menu-button").click()


def test_each_upload_is_followed_to_its_outcome(
    platform: LocalPlatform, page: Page, tmp_path: Path, width: str, problems: list[str]
) -> None:
    _phone(page, width)
    register(page, platform.site_url, f"outcomes{width}")
    _open_menu(page, width)
    open_upload_page(page)
    formats = page.get_by_test_id("accepted-formats")
    expect(formats).to_contain_text("Images")
    expect(formats).to_contain_text(ALLOWED["image/jpeg"].label)
    picture = image_file(tmp_path / "a rather long name for a harbour picture at dusk.png")
    fake = tmp_path / "holiday snapshot that is really just words.jpg"
    fake.write_text("These are words, not a JPEG image. " * 3)
    page.get_by_test_id("file-input").set_input_files([str(picture), str(fake)])

    rows = page.locator("#uploads li")
    expect(rows).to_have_count(2)
    good, bad = rows.nth(0), rows.nth(1)
    under_way = re.compile(r"^(uploading|uploaded, processing|ready)")
    expect(good.locator(".state")).to_have_text(under_way)
    expect(good.locator(".state")).to_have_text("ready", timeout=90_000)
    expect(bad.locator(".state")).to_have_text(f"rejected: {REJECTED}", timeout=60_000)
    assert good.locator("progress").evaluate("p => p.value") == 100
    expect(bad).to_have_attribute("data-state", "rejected")

    # The reason wraps on its own line, below the name, which keeps its width.
    name, state = bad.locator(".name").bounding_box(), bad.locator(".state").bounding_box()
    assert name and state
    assert state["y"] >= name["y"] + name["height"] - 1, "the reason sits below the name"
    assert name["width"] >= 0.4 * (bad.bounding_box() or {"width": 0})["width"]
    _no_sideways_scrolling(page)

    link = good.get_by_role("link", name="Open")
    expect(link).to_have_attribute("href", re.compile(r"^/media/[0-9a-f]{32}$"))
    link.click()
    expect(page.get_by_test_id("media-status")).to_have_text("ready")


def _profile(platform: LocalPlatform, username: str) -> dict[str, Any]:
    table = Table(platform.settings.table_name)
    claim = table.get(**keys.username_key(username))
    assert claim
    profile = table.get(**keys.profile_key(claim["user_id"]))
    assert profile
    return profile


def test_the_admin_sees_and_manages_users(
    platform: LocalPlatform,
    page: Page,
    chromium: Browser,
    tmp_path: Path,
    problems: list[str],
) -> None:
    site = platform.site_url
    page.on("dialog", lambda dialog: dialog.accept())  # "Disable member? …"
    member = chromium.new_context(viewport={"width": 1280, "height": 900})
    try:
        theirs = member.new_page()
        register(theirs, site, "member")
        open_upload_page(theirs)
        theirs.get_by_test_id("file-input").set_input_files(str(image_file(tmp_path / "m.png")))
        expect(theirs.locator("#uploads li .state")).to_have_text("ready", timeout=90_000)

        register(page, site, "chief")
        accounts.set_role(Table(platform.settings.table_name), "chief@example.com", "admin")
        page.goto(f"{site}/admin/users")
        row = page.get_by_test_id("users").locator('tr[data-user="member"]')
        expect(row).to_contain_text("member@example.com")
        expect(row.locator('[data-cell="media"]')).to_have_text("1")
        stored = int(_profile(platform, "member").get(lifecycle.BYTES_COUNTER, 0))
        assert stored > 0  # the ready upload's bytes
        expect(row.locator('[data-cell="stored"]')).to_have_text(human_size(stored))
        assert _profile(platform, "member")["user_id"] not in row.inner_text()
        page.goto(f"{site}/admin/uploads")
        expect(page.get_by_test_id("uploads")).to_contain_text("member")

        # Disable: logged out at once, no login; enable: logs in again.
        page.goto(f"{site}/admin/users")
        row.get_by_role("button", name="Disable").click()
        expect(page.locator(".flash.success")).to_contain_text("disabled and logged out")
        theirs.goto(f"{site}/library")
        expect(theirs.get_by_role("heading", name="Log in")).to_be_visible()
        theirs.get_by_label("E-mail").fill("member@example.com")
        theirs.get_by_label("Password").fill(PASSWORD)
        with theirs.expect_response(lambda r: r.status == 401):
            theirs.get_by_role("button", name="Log in").click()
        expect(theirs.locator(".flash.error")).to_contain_text("disabled")
        row.get_by_role("button", name="Enable").click()
        expect(page.locator(".flash.success")).to_contain_text("enabled again")
        theirs.goto(f"{site}/login")
        log_in(theirs, "member@example.com")

        # Delete, after typing the name (never one's own account: no button for it).
        expect(page.get_by_test_id("users").locator('tr[data-user="chief"]')).not_to_contain_text(
            "Delete"
        )
        page.set_viewport_size({"width": WIDTHS["phone"], "height": 844})
        _no_sideways_scrolling(page)
        row.get_by_text("Delete…").click()
        row.get_by_label(re.compile("Type member to confirm")).fill("member")
        row.get_by_role("button", name="Delete member").click()
        expect(page.locator(".flash.success")).to_contain_text("“member” is logged out and being")
        expect(page.get_by_test_id("users").locator('tr[data-user="member"]')).to_have_count(0)
        theirs.goto(f"{site}/library")
        expect(theirs.get_by_role("heading", name="Log in")).to_be_visible()
    finally:
        member.close()


def test_the_landing_page_and_the_404_page(
    platform: LocalPlatform, page: Page, width: str, problems: list[str]
) -> None:
    site = platform.site_url
    _phone(page, width)
    page.goto(site)
    expect(page.get_by_role("heading", name="SnapStream", exact=True)).to_be_visible()
    for heading in (
        "Upload images, audio and video",
        "AI tags and transcripts",
        "Private playback",
    ):
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
    _no_sideways_scrolling(page)
    page.get_by_test_id("landing").get_by_role("link", name="Create an account").click()
    expect(page.get_by_role("heading", name="Create an account")).to_be_visible()
    page.go_back()
    page.get_by_test_id("landing").get_by_role("link", name="Log in").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()

    answer = page.goto(f"{site}/nowhere-at-all")
    assert answer is not None and answer.status == 404
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    expect(page.get_by_test_id("error-page")).to_contain_text("There is nothing at this address")
    expect(page.locator("header.topbar .brand")).to_be_visible()  # the site's own layout
    _no_sideways_scrolling(page)
    page.get_by_role("link", name="SnapStream's front page").click()
    expect(page.get_by_test_id("landing")).to_be_visible()


def test_the_unread_badge_updates_without_a_reload(
    platform: LocalPlatform, page: Page, tmp_path: Path, width: str, problems: list[str]
) -> None:
    site = platform.site_url
    _phone(page, width)
    page.clock.install()
    register(page, site, f"badge{width}")
    page.goto(f"{site}/library")
    badge = page.get_by_test_id("notifications-link").locator(".badge")
    expect(badge).to_have_count(0)

    other = page.context.new_page()  # another tab uploads; this one is left alone
    other.goto(f"{site}/upload")
    other.wait_for_load_state("load")
    other.get_by_test_id("file-input").set_input_files(str(image_file(tmp_path / "b.png")))
    expect(other.locator("#uploads li .state")).to_have_text("ready", timeout=90_000)

    polls: list[str] = []
    page.on("request", lambda r: polls.append(r.url) if "/api/notifications" in r.url else None)
    page.clock.fast_forward(31_000)
    expect(badge).to_have_text(re.compile(r"^[1-9][0-9]*$"))
    _open_menu(page, width)
    expect(badge).to_be_visible()
    assert polls, "the badge asked the notifications API"

    other.goto(f"{site}/notifications")
    other.get_by_test_id("mark-read").click()
    other.close()
    # Hidden: no polling at all; visible again: at once.
    page.evaluate(
        "() => { Object.defineProperty(document, 'hidden', {value: true, configurable: true});"
        " document.dispatchEvent(new Event('visibilitychange')); }"
    )
    polls.clear()
    page.clock.fast_forward(95_000)
    page.wait_for_timeout(500)
    assert polls == [], "no polling while the tab is hidden"
    with page.expect_request(lambda r: "/api/notifications" in r.url):
        page.evaluate(
            "() => { Object.defineProperty(document, 'hidden', {value: false, configurable: true});"
            " document.dispatchEvent(new Event('visibilitychange')); }"
        )
    expect(badge).to_have_count(0)
