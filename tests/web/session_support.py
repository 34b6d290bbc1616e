"""Shared by the session, throttle and two-factor tests: the cookie, the stored records, a clock."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from flask import Flask

from snapstream_runtime.settings import Settings
from snapstream_web import sessions, throttle, two_factor
from tests.web.browser import Browser

COOKIE = "snapstream_session"
DOMAIN = "snapstream.test"


def cookie_value(browser: Browser) -> str | None:
    cookie = browser.client.get_cookie(COOKIE, domain=DOMAIN)
    return cookie.value if cookie else None


def cookie_contents(app: Flask, browser: Browser) -> dict[str, Any]:
    """What the signed session cookie holds (it is signed, not encrypted)."""
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    value = cookie_value(browser)
    assert serializer is not None and value is not None
    return dict(serializer.loads(value))


def with_cookie(browser: Browser, value: str) -> Browser:
    """``browser`` holding a copy of someone's session cookie."""
    browser.client.set_cookie(COOKIE, value, domain=DOMAIN)
    return browser


def log_out(browser: Browser) -> None:
    """Log out from the page (the next form needs the new, anonymous session's CSRF token)."""
    assert browser.form("/logout", {}).status_code == 302
    browser._csrf = None


def stored_sessions(settings: Settings) -> list[dict[str, Any]]:
    items = boto3.client("dynamodb").scan(TableName=settings.table_name)["Items"]
    return [i for i in items if i["pk"]["S"].startswith("SESSION#")]


class Clock:
    """Moves the site's clocks (sessions, throttles, two-factor codes) together."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, start: int) -> None:
        self.now = start
        monkeypatch.setattr(sessions, "clock", lambda: self.now)
        monkeypatch.setattr(throttle, "now", lambda: self.now)
        monkeypatch.setattr(two_factor, "clock", lambda: float(self.now))

    def advance(self, seconds: int) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    import time

    return Clock(monkeypatch, int(time.time()))
