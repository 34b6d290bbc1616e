"""Optional TOTP two-factor authentication, required for administrators where configured."""

from __future__ import annotations

import dataclasses
import re
from urllib.parse import parse_qs, urlsplit

import boto3
import pyotp
import pytest
from flask import Flask

from snapstream_runtime import keys
from snapstream_runtime.adapters.table import Table, Update
from snapstream_runtime.settings import Settings
from snapstream_web import create_app, security_notices, two_factor
from snapstream_web.config import WebConfig
from snapstream_web.throttle import Throttle
from tests.web.browser import PASSWORD, Browser, BrowserFactory
from tests.web.mailbox import sent
from tests.web.session_support import Clock, stored_sessions

_SECRET = re.compile(r'data-testid="totp-secret">([A-Z2-7]+)<')
_CODES = re.compile(r"<li><code>([A-Z0-9-]+)</code></li>")


def _enrol(browser: Browser, clock: Clock) -> tuple[str, list[str]]:
    """Turn two-factor on from the profile page: the secret and the recovery codes shown."""
    assert browser.form("/profile/two-factor/start", {}).status_code == 302
    page = browser.get("/profile/two-factor").get_data(as_text=True)
    found = _SECRET.search(page)
    assert found, page
    secret = found.group(1)
    confirm = {"code": _code(secret, clock), "password": PASSWORD}
    shown = browser.form("/profile/two-factor/confirm", confirm)
    assert shown.status_code == 200
    codes = _CODES.findall(shown.get_data(as_text=True))
    clock.advance(30)  # the next step's code (each one works once)
    return secret, codes


def _code(secret: str, clock: Clock) -> str:
    return pyotp.TOTP(secret).at(clock.now)


def _profile(settings: Settings, name: str) -> dict[str, object]:
    table = Table(settings.table_name)
    claim = table.get(**keys.email_key(f"{name}@example.com"))
    assert claim
    profile = table.get(**keys.profile_key(str(claim["user_id"])))
    assert profile
    return profile


def test_enrolment_shows_the_secret_and_stores_it_sealed(
    make_browser: BrowserFactory, web_settings: Settings, clock: Clock
) -> None:
    browser, elsewhere = make_browser(), make_browser()
    browser.register("alice")
    elsewhere.login("alice")
    assert browser.form("/profile/two-factor/start", {}).status_code == 302
    page = browser.get("/profile/two-factor").get_data(as_text=True)
    secret = _SECRET.search(page).group(1)  # type: ignore[union-attr]
    uri = re.search(r'data-testid="totp-uri">([^<]+)<', page).group(1)  # type: ignore[union-attr]
    parts = urlsplit(uri.replace("&amp;", "&"))
    assert parts.scheme == "otpauth" and parts.netloc == "totp"
    assert parse_qs(parts.query)["secret"] == [secret]
    assert parse_qs(parts.query)["issuer"] == ["SnapStream"]
    assert 'src="data:image/svg+xml' in page and "https://" not in page.split("<main")[1]

    wrong = browser.form("/profile/two-factor/confirm", {"code": "000000", "password": PASSWORD})
    assert wrong.status_code == 302
    assert "not right" in browser.get("/profile/two-factor").get_data(as_text=True)
    # A session alone cannot turn two-factor on: a stolen cookie would lock the owner out.
    no_password = {"code": _code(secret, clock), "password": "not the password"}
    assert browser.form("/profile/two-factor/confirm", no_password).status_code == 302
    assert _profile(web_settings, "alice").get("two_factor") in (None, False)
    shown = browser.form(
        "/profile/two-factor/confirm", {"code": _code(secret, clock), "password": PASSWORD}
    )
    codes = _CODES.findall(shown.get_data(as_text=True))
    assert len(codes) == 10 and len(set(codes)) == 10

    profile = _profile(web_settings, "alice")
    dump = str(boto3.client("dynamodb").scan(TableName=web_settings.table_name)["Items"])
    assert secret not in dump and all(code not in dump for code in codes)
    assert two_factor.unseal("test-only-session-key", str(profile["totp_secret"])) == secret
    assert two_factor.unseal("another site key", str(profile["totp_secret"])) is None
    assert len(profile["recovery_codes"]) == 10  # type: ignore[arg-type]
    assert "totp_pending" not in profile
    # turning it on ends the account's other sessions, not this one
    assert elsewhere.api("GET", "/api/me").status_code == 401
    assert browser.api("GET", "/api/me").status_code == 200
    assert "Recovery codes left: 10" in browser.get("/profile").get_data(as_text=True)


def test_login_asks_for_the_code_after_the_password(
    make_browser: BrowserFactory, web_settings: Settings, clock: Clock
) -> None:
    owner = make_browser()
    owner.register("bob")
    secret, _ = _enrol(owner, clock)

    browser = make_browser()
    response = browser.client.post(
        "/login?next=/library",
        data={"email": "bob@example.com", "password": PASSWORD, "csrf_token": browser.csrf()},
        base_url="https://snapstream.test",
    )
    browser._csrf = None
    assert response.status_code == 302 and "/login/two-factor" in response.headers["Location"]
    # the password alone opens nothing
    assert browser.api("GET", "/api/me").status_code == 401
    assert browser.get("/library").status_code == 302
    assert browser.get("/login/two-factor").status_code == 200
    wrong = browser.form("/login/two-factor?next=/library", {"code": "123456"})
    assert wrong.status_code == 401
    code = _code(secret, clock)
    done = browser.form("/login/two-factor?next=/library", {"code": code})
    assert done.status_code == 302 and done.headers["Location"] == "/library"
    assert browser.api("GET", "/api/me").status_code == 200
    pending = [s for s in stored_sessions(web_settings) if s["stage"]["S"] != "active"]
    assert pending == []  # the waiting login became a new session

    replay = make_browser()
    replay.login("bob")
    assert replay.form("/login/two-factor", {"code": code}).status_code == 401  # used once


def test_a_recovery_code_works_once(make_browser: BrowserFactory, clock: Clock) -> None:
    owner = make_browser()
    owner.register("carol")
    _, codes = _enrol(owner, clock)
    first = make_browser()
    first.login("carol")
    assert first.form("/login/two-factor", {"code": codes[0].lower()}).status_code == 302
    second = make_browser()
    second.login("carol")
    assert second.form("/login/two-factor", {"code": codes[0]}).status_code == 401
    assert "Recovery codes left: 9" in owner.get("/profile").get_data(as_text=True)


def test_five_wrong_codes_end_the_waiting_login(
    web_config: WebConfig, web_settings: Settings, clock: Clock
) -> None:
    # the account's throttle (3 free failures in these tests) would make the browser wait first
    patient = create_app(dataclasses.replace(web_config, account_throttle=Throttle(10)))
    owner = Browser(patient)
    owner.register("dave")
    _enrol(owner, clock)
    browser = Browser(patient)
    browser.login("dave")
    for _ in range(4):
        assert browser.form("/login/two-factor", {"code": "000000"}).status_code == 401
    ended = browser.form("/login/two-factor", {"code": "000000"})
    assert ended.status_code == 302 and ended.headers["Location"].startswith("/login")
    assert browser.get("/login/two-factor").status_code == 302
    assert all(s["stage"]["S"] == "active" for s in stored_sessions(web_settings))


def test_the_api_login_takes_the_code_too(make_browser: BrowserFactory, clock: Clock) -> None:
    owner = make_browser()
    owner.register("erin")
    secret, _ = _enrol(owner, clock)
    client = make_browser()
    credentials = {"email": "erin@example.com", "password": PASSWORD}
    asked = client.api("POST", "/api/session", credentials)
    assert asked.status_code == 401 and asked.json["two_factor"] is True
    wrong = client.api("POST", "/api/session", {**credentials, "code": "000000"})
    assert wrong.status_code == 401 and "not right" in wrong.json["error"]
    ok = client.api("POST", "/api/session", {**credentials, "code": _code(secret, clock)})
    assert ok.status_code == 200 and ok.json["user"]["username"] == "erin"


def test_turning_it_off_needs_the_password_and_a_code(
    make_browser: BrowserFactory, web_settings: Settings, clock: Clock
) -> None:
    browser = make_browser()
    browser.register("fay")
    secret, _ = _enrol(browser, clock)
    elsewhere = make_browser()
    elsewhere.login("fay")
    assert elsewhere.form("/login/two-factor", {"code": _code(secret, clock)}).status_code == 302
    clock.advance(30)
    browser.form("/profile/two-factor/disable", {"password": "not it at all", "code": "000000"})
    assert "totp_secret" in _profile(web_settings, "fay")
    code = _code(secret, clock)
    browser.form("/profile/two-factor/disable", {"password": PASSWORD, "code": code})
    assert "totp_secret" not in _profile(web_settings, "fay")
    # less protection: the other sessions end, this one stays
    assert elsewhere.api("GET", "/api/me").status_code == 401
    assert browser.api("GET", "/api/me").status_code == 200
    assert make_browser().login("fay").headers["Location"] == "/dashboard"


def test_the_owner_is_mailed_when_two_factor_goes_on_or_off(
    make_browser: BrowserFactory, clock: Clock
) -> None:
    browser = make_browser()
    browser.register("gil")
    before = len(sent("gil@example.com"))
    secret, _ = _enrol(browser, clock)
    browser.form(
        "/profile/two-factor/disable", {"password": PASSWORD, "code": _code(secret, clock)}
    )
    on, off = sent("gil@example.com")[before:]
    assert " UTC)" in on.body  # when it happened
    assert on.subject == security_notices.TWO_FACTOR_ON
    assert off.subject == security_notices.TWO_FACTOR_OFF
    for notice in (on, off):  # with the way back
        assert "/forgot-password" in notice.body and secret not in notice.body


def test_a_waiting_login_ends_when_the_account_changes_meanwhile(
    make_browser: BrowserFactory, web_settings: Settings, clock: Clock
) -> None:
    """The password was right when the login began; a password change, or two-factor set up
    again, since then (``auth_version`` moved) ends the waiting login, right code or not."""
    owner = make_browser()
    owner.register("hank")
    secret, _ = _enrol(owner, clock)
    waiting = make_browser()
    assert "/login/two-factor" in waiting.login("hank").headers["Location"]
    profile = _profile(web_settings, "hank")
    Table(web_settings.table_name).update(
        keys.profile_key(str(profile["user_id"])), Update().add("auth_version", 1)
    )
    answer = waiting.form("/login/two-factor", {"code": _code(secret, clock)})
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/login")
    assert waiting.api("GET", "/api/me").status_code == 401


@pytest.fixture
def strict_app(web_config: WebConfig) -> Flask:
    """An environment that requires two-factor authentication of administrators (staging)."""
    return create_app(dataclasses.replace(web_config, require_admin_two_factor=True))


def test_an_admin_without_two_factor_is_sent_to_enrol_first(
    strict_app: Flask, clock: Clock
) -> None:
    admin = Browser(strict_app)
    admin.register("root")
    strict_app.test_cli_runner().invoke(args=["promote", "root@example.com"])
    for path in ("/dashboard", "/admin/users", "/library", "/profile"):
        sent = admin.get(path)
        assert sent.status_code == 302 and sent.headers["Location"] == "/profile/two-factor"
    assert admin.api("GET", "/api/admin/users").status_code == 403
    assert admin.api("GET", "/api/me").status_code == 403
    assert "must turn on" in admin.get("/profile/two-factor").get_data(as_text=True)
    user = Browser(strict_app)
    user.register("user")
    assert user.get("/library").status_code == 200  # only administrators must

    _enrol(admin, clock)
    assert admin.get("/admin/users").status_code == 200
    refused = admin.form("/profile/two-factor/disable", {"password": PASSWORD, "code": "x"})
    assert refused.status_code == 302
    assert "must keep" in admin.get("/profile").get_data(as_text=True)


def test_after_a_new_site_key_recovery_codes_work_and_it_is_set_up_again(
    make_browser: BrowserFactory, web_config: WebConfig, clock: Clock
) -> None:
    """Rotating the session key (docs/web-hosting.md) makes the sealed secret unreadable: codes
    from the app are refused (never accepted blindly), recovery codes work, enrolment reopens."""
    owner = make_browser()
    owner.register("gil")
    secret, codes = _enrol(owner, clock)
    rotated = create_app(dataclasses.replace(web_config, secret_key="a brand new site key"))
    browser = Browser(rotated)
    browser.login("gil")
    assert browser.form("/login/two-factor", {"code": _code(secret, clock)}).status_code == 401
    assert browser.form("/login/two-factor", {"code": codes[1]}).status_code == 302
    assert "can no longer be checked" in browser.get("/profile").get_data(as_text=True)
    new_secret, _ = _enrol(browser, clock)
    assert new_secret != secret
    assert "can no longer be checked" not in browser.get("/profile").get_data(as_text=True)
