"""Sessions end for real, in Chromium: one browser ends another's session from the profile page,
and a copy of a session cookie stops working the moment its owner logs out."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from tests.e2e.mail_steps import PASSWORD, log_in, register
from tools.local.platform import LocalPlatform


def test_ending_another_session_and_logging_out_end_them_for_real(
    platform: LocalPlatform, page: Page, chromium: Browser
) -> None:
    site = platform.site_url
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    register(page, site, "roamer")

    laptop = chromium.new_context(user_agent="SnapStream e2e laptop")
    try:
        other = laptop.new_page()
        other.goto(f"{site}/login")
        log_in(other, "roamer@example.com", PASSWORD)

        # The profile lists both sessions; end the laptop's.
        page.goto(f"{site}/profile")
        sessions = page.get_by_test_id("sessions").locator("tbody tr")
        expect(sessions).to_have_count(2)
        expect(page.get_by_test_id("this-session")).to_contain_text("(this session)")
        row = sessions.filter(has_text="SnapStream e2e laptop")
        row.get_by_role("button", name="End", exact=True).click()
        expect(page.locator(".flash.success")).to_contain_text("That session is logged out")
        expect(page.get_by_test_id("sessions").locator("tbody tr")).to_have_count(1)

        other.goto(f"{site}/library")
        expect(other).to_have_url(re.compile(r"/login\?next=/library$"))
        expect(other.get_by_role("heading", name="Log in")).to_be_visible()
    finally:
        laptop.close()

    # A copied cookie works while the session lives, and answers 401 once it is logged out.
    copied = [c for c in page.context.cookies() if c["name"] == "snapstream_session"]
    assert copied
    thief = chromium.new_context()
    try:
        thief.add_cookies(copied)  # type: ignore[arg-type]
        assert thief.request.get(f"{site}/api/me").status == 200
        page.locator(".topbar").get_by_role("button", name="Log out").click()
        expect(page.get_by_role("heading", name="Log in")).to_be_visible()
        assert thief.request.get(f"{site}/api/me").status == 401
    finally:
        thief.close()
    assert not errors, errors
