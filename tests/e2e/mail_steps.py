"""Steps through the local outbox (``make dev`` sends no e-mail: /dev/outbox shows it)."""

from __future__ import annotations

import re
import time

from playwright.sync_api import Page, expect

PASSWORD = "a long enough passphrase"


def open_newest_link(page: Page, site: str, address: str, subject: str) -> None:
    """Open the outbox and follow the link in the newest message to ``address``."""
    page.goto(f"{site}/dev/outbox")
    expect(page.get_by_role("heading", name="Local outbox: nothing was sent")).to_be_visible()
    message = page.get_by_test_id("outbox").locator("li", has_text=address).first
    for _ in range(50):  # the site writes it just after its answer
        if message.get_by_role("heading", name=subject).count():
            break
        time.sleep(0.1)
        page.reload()
    expect(message.get_by_role("heading", name=subject)).to_be_visible()
    message.get_by_role("link").first.click()


def log_in(page: Page, address: str, password: str = PASSWORD) -> None:
    page.get_by_label("E-mail").fill(address)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()


def register(page: Page, site: str, name: str, password: str = PASSWORD) -> None:
    """Register, confirm the address from the local outbox, log in: the dashboard shows."""
    address = f"{name}@example.com"
    page.goto(f"{site}/register")
    page.get_by_label("E-mail").fill(address)
    page.get_by_label("Username").fill(name)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_label("Repeat the password").fill(password)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()
    open_newest_link(page, site, address, "Confirm your e-mail address for SnapStream")
    page.get_by_role("button", name="Confirm my address").click()
    expect(page.locator(".flash.success")).to_contain_text("Your e-mail address is confirmed")
    expect(page).to_have_url(re.compile(r"/login$"))
    log_in(page, address, password)
