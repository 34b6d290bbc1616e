"""The site's own pages: the landing page for signed-out visitors, 404 and 500 in the site's words
and layout, the live unread badge's script, and the honest e-mail toggle under ``make dev``."""

from __future__ import annotations

import dataclasses
import re

from flask import Flask

from snapstream_web import create_app
from snapstream_web.config import WebConfig
from snapstream_web.verification import VERIFY_PATH
from tests.web.browser import Browser


def test_signed_out_visitors_get_the_landing_page(browser: Browser) -> None:
    page = browser.get("/")
    assert page.status_code == 200 and page.mimetype == "text/html"
    text = page.get_data(as_text=True)
    for words in ("Upload images, audio and video", "AI tags and transcripts", "Private playback"):
        assert words in text
    assert 'href="/login"' in text and 'href="/register"' in text
    assert "badge.js" not in text  # nothing to poll for a visitor
    browser.register("alice")
    signed_in = browser.get("/")
    assert signed_in.status_code == 302 and signed_in.headers["Location"].endswith("/dashboard")


def _topbar(text: str) -> bool:
    return '<header class="topbar">' in text and 'class="brand"' in text


def test_unknown_pages_answer_the_sites_404(browser: Browser) -> None:
    anonymous = browser.get("/no-such-page")
    text = anonymous.get_data(as_text=True)
    assert anonymous.status_code == 404 and _topbar(text)
    assert "<h1>Page not found</h1>" in text and "There is nothing at this address" in text
    assert "The requested URL was not found" not in text  # werkzeug's words
    assert 'href="/login"' in text and 'href="/"' in text

    browser.register("alice")
    signed_in = browser.get("/no-such-page").get_data(as_text=True)
    assert 'href="/library"' in signed_in and 'href="/dashboard"' in signed_in
    media = browser.get(f"/media/{'0' * 32}").get_data(as_text=True)
    assert "No such media." in media  # a description the site wrote is kept
    api = browser.api("GET", "/api/no-such-thing")
    assert api.status_code == 404 and api.json["error"].startswith("there is nothing at this")


def test_a_failure_answers_the_sites_500_without_its_details(web_config: WebConfig) -> None:
    app = create_app(web_config)

    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("secret detail from deep inside")

    @app.get("/api/boom")
    def api_boom() -> str:
        raise RuntimeError("secret detail from deep inside")

    browser = Browser(app)
    page = browser.get("/boom")
    text = page.get_data(as_text=True)
    assert page.status_code == 500 and _topbar(text)
    assert "<h1>Something went wrong on our side</h1>" in text and "Try again in a minute" in text
    assert "secret detail" not in text and "RuntimeError" not in text
    assert "internal error and was unable" not in text  # werkzeug's words
    api = browser.api("GET", "/api/boom")
    assert api.status_code == 500 and api.json["status"] == 500
    assert "secret" not in api.get_data(as_text=True)
    assert api.json["error"].startswith("SnapStream could not finish this request")


def test_signed_in_pages_keep_the_unread_badge_live(browser: Browser, app: Flask) -> None:
    browser.register("alice")
    text = browser.get("/library").get_data(as_text=True)
    assert re.search(r'<script src="/static/js/badge\.js\?v=[0-9a-f]{16}" defer></script>', text)
    assert 'data-testid="notifications-link" data-poll-seconds="30"' in text
    script = app.test_client().get("/static/js/badge.js").get_data(as_text=True)
    for part in (
        '"/api/notifications?limit=1"',
        "X-SnapStream-Background",
        "visibilitychange",
        "document.hidden",
        "clearTimeout",
    ):
        assert part in script
    assert browser.api("GET", "/api/notifications").json["unread"] == 0


def test_email_notifications_say_on_the_page_when_nothing_is_sent(
    web_config: WebConfig, browser: Browser
) -> None:
    local = Browser(create_app(dataclasses.replace(web_config, local_mail=True)))
    local.sign_up("nina")  # make dev: the link waits in the local outbox
    [kept] = local.get("/dev/outbox").get_data(as_text=True).split(VERIFY_PATH)[1:2]
    local.confirm(VERIFY_PATH + kept.split('"', 1)[0])
    local.login("nina")
    page = local.get("/notifications").get_data(as_text=True)
    assert 'data-testid="local-mail-note"' in page and "sends no e-mail" in page
    browser.register("omar")
    deployed = browser.get("/notifications").get_data(as_text=True)
    assert "local-mail-note" not in deployed and "AWS first mails you a link" in deployed
