"""E-mail links in a real Chromium against ``make dev``'s platform, whose mail waits in the local
outbox (nothing is sent): register -> outbox -> confirm -> log in; forgot password -> outbox ->
new password -> log in with it."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.mail_steps import PASSWORD, log_in, open_newest_link, register
from tools.local.platform import LocalPlatform

NEW_PASSWORD = "another long passphrase"


def _watch_errors(page: Page) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    return errors


def test_register_confirm_from_the_outbox_and_log_in(platform: LocalPlatform, page: Page) -> None:
    site = platform.site_url
    page.goto(f"{site}/register")
    page.get_by_label("E-mail").fill("early@example.com")
    page.get_by_label("Username").fill("early")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat the password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()
    # not before the address is confirmed
    page.goto(f"{site}/login")
    page.get_by_label("E-mail").fill("early@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".flash.error")).to_contain_text("confirm your e-mail address first")

    errors = _watch_errors(page)
    open_newest_link(page, site, "early@example.com", "Confirm your e-mail address for SnapStream")
    # the token came in the fragment (never sent, never in an access log): the page's script
    # moved it into the form, hid the field a visitor without JavaScript would paste it into,
    # and dropped it from the address bar
    expect(page.get_by_label("Code from the link")).to_be_hidden()
    assert "#" not in page.url and page.url.endswith("/verify-email"), page.url
    page.get_by_role("button", name="Confirm my address").click()
    expect(page.locator(".flash.success")).to_contain_text("Your e-mail address is confirmed")
    log_in(page, "early@example.com")
    assert errors == [], errors

    register(page, site, "second")  # the whole way, as every browser test registers
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()


def test_forgot_password_reset_from_the_outbox_and_log_in_with_the_new_one(
    platform: LocalPlatform, page: Page
) -> None:
    site = platform.site_url
    register(page, site, "forgetful")
    page.get_by_role("button", name="Log out").click()
    errors = _watch_errors(page)
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("E-mail").fill("forgetful@example.com")
    page.get_by_role("button", name="Send me a link").click()
    expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()
    page.get_by_role("link", name="Open the local outbox").click()
    expect(page.get_by_test_id("outbox-notice")).to_contain_text("No e-mail leaves this machine")
    open_newest_link(page, site, "forgetful@example.com", "Choose a new SnapStream password")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Repeat the new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set the new password").click()
    expect(page.locator(".flash.success")).to_contain_text("Your password is changed")
    log_in(page, "forgetful@example.com", NEW_PASSWORD)
    assert errors == [], errors

    page.get_by_role("button", name="Log out").click()
    page.get_by_label("E-mail").fill("forgetful@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".flash.error")).to_contain_text("wrong e-mail or password")
