"""Moving between the site's pages in a way the next step can rely on."""

from __future__ import annotations

from playwright.sync_api import Page


def open_upload_page(page: Page) -> None:
    """Follow the Upload link and wait for the page's scripts: upload.js attaches the picker's
    change handler at the end of the page, and files chosen before it ran went nowhere (seen
    about once in every few runs on a busy machine)."""
    with page.expect_navigation():
        page.get_by_role("link", name="Upload", exact=True).click()
    page.wait_for_load_state("load")
