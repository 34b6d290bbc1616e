"""Moving between the site's pages in a way the next step can rely on."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

#: an upload row once its file is stored: processing, or already through it
STORED = re.compile(r"^(uploaded, processing|ready)$")


def open_upload_page(page: Page) -> None:
    """Follow the Upload link and wait for the page's scripts: upload.js attaches the picker's
    change handler at the end of the page, and files chosen before it ran went nowhere (seen
    about once in every few runs on a busy machine)."""
    with page.expect_navigation():
        page.get_by_role("link", name="Upload", exact=True).click()
    page.wait_for_load_state("load")


def expect_stored(row: Locator) -> None:
    """Wait until the upload page's ``row`` says its file is stored (the row moves on to
    "ready" by itself, so either state will do)."""
    expect(row.locator(".state")).to_have_text(STORED, timeout=30_000)
