"""Register, log in (throttled), log out, profile changes."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from flask import Flask

from snapstream_runtime.settings import Settings
from tests.web.browser import PASSWORD, Browser, BrowserFactory
from tests.web.mailbox import sent


def _profile_items(settings: Settings) -> list[dict[str, Any]]:
    items = boto3.client("dynamodb").scan(TableName=settings.table_name)["Items"]
    return [i for i in items if i["sk"]["S"] == "PROFILE"]


def test_register_logs_in_and_stores_only_a_scrypt_hash(
    browser: Browser, web_settings: Settings
) -> None:
    response = browser.register("alice")
    assert response.status_code == 302
    assert browser.get("/dashboard").status_code == 200
    [profile] = _profile_items(web_settings)
    stored = profile["password_hash"]["S"]
    assert stored.startswith("scrypt:") and PASSWORD not in stored
    assert PASSWORD not in str(boto3.client("dynamodb").scan(TableName=web_settings.table_name))


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"email": "not-an-address"}, "valid e-mail"),
        ({"username": "a"}, "3-32"),
        ({"username": "<script>"}, "3-32"),
        ({"password": "short", "confirm": "short"}, "10 to 256"),
        ({"confirm": "something else entirely"}, "differ"),
    ],
)
def test_registration_refuses_bad_input_clearly(
    browser: Browser, fields: dict[str, str], message: str
) -> None:
    form = {
        "email": "bob@example.com",
        "username": "bob",
        "password": PASSWORD,
        "confirm": PASSWORD,
    }
    response = browser.form("/register", {**form, **fields})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_email_and_username_are_unique(make_browser: BrowserFactory) -> None:
    assert make_browser().register("carol").status_code == 302
    again = make_browser().form(
        "/register",
        {
            "email": "CAROL@example.com",
            "username": "other",
            "password": PASSWORD,
            "confirm": PASSWORD,
        },
    )
    # never said on the page (tests/web/test_email_verification.py): the owner is mailed
    assert again.status_code == 200 and "Check your inbox" in again.get_data(as_text=True)
    assert [m.subject for m in sent("carol@example.com")][-1].startswith("Someone tried")
    same_name = make_browser().form(
        "/register",
        {"email": "c2@example.com", "username": "Carol", "password": PASSWORD, "confirm": PASSWORD},
    )
    assert "taken" in same_name.get_data(as_text=True)


def test_login_logout_and_a_new_session_on_login(make_browser: BrowserFactory) -> None:
    make_browser().register("dave")
    browser = make_browser()
    browser.get("/login")
    before = browser.client.get_cookie("snapstream_session", domain="snapstream.test")
    assert browser.login("dave").status_code == 302
    after = browser.client.get_cookie("snapstream_session", domain="snapstream.test")
    assert after is not None and (before is None or before.value != after.value)
    assert browser.get("/library").status_code == 200
    assert browser.form("/logout", {}).status_code == 302
    assert browser.get("/library").status_code == 302  # back to the login page


def test_wrong_passwords_then_a_wait_even_for_the_right_one(make_browser: BrowserFactory) -> None:
    """From a browser that never logged in to the account (tests/web/test_throttle.py)."""
    make_browser().register("erin")
    browser = make_browser()
    for _ in range(4):  # web_config: 3 free failures, the 4th makes the next attempt wait
        assert browser.login("erin", password="wrong password!").status_code == 401
    locked = browser.login("erin")
    assert locked.status_code == 429
    assert int(locked.headers["Retry-After"]) > 0
    api = make_browser().api(
        "POST", "/api/session", {"email": "erin@example.com", "password": PASSWORD}
    )
    assert api.status_code == 429


def test_unknown_addresses_fail_like_wrong_passwords(browser: Browser) -> None:
    response = browser.form("/login", {"email": "nobody@example.com", "password": PASSWORD})
    assert response.status_code == 401
    assert "wrong e-mail or password" in response.get_data(as_text=True)


def test_password_change_logs_out_other_sessions(make_browser: BrowserFactory) -> None:
    first, second = make_browser(), make_browser()
    first.register("frank")
    second.login("frank")
    changed = first.form(
        "/profile/password",
        {"current": PASSWORD, "new": "a brand new passphrase", "confirm": "a brand new passphrase"},
    )
    assert changed.status_code == 302
    assert first.get("/library").status_code == 200  # this session stays valid
    assert second.get("/library").status_code == 302  # the other one is logged out
    assert make_browser().login("frank", password="a brand new passphrase").status_code == 302
    notice = sent("frank@example.com")[-1]  # the owner hears of it, with the way back
    assert notice.subject == "Your SnapStream password was changed"
    assert "/forgot-password" in notice.body and "brand new" not in notice.body


def test_password_change_needs_the_current_password(browser: Browser) -> None:
    browser.register("gina")
    browser.form(
        "/profile/password", {"current": "nope nope nope", "new": "x" * 12, "confirm": "x" * 12}
    )
    assert "not right" in browser.get("/profile").get_data(as_text=True)


def test_username_change_frees_the_old_name(make_browser: BrowserFactory) -> None:
    browser = make_browser()
    browser.register("hank")
    assert browser.form("/profile/username", {"username": "henry"}).status_code == 302
    assert "henry" in browser.get("/profile").get_data(as_text=True)
    again = make_browser().form(
        "/register",
        {"email": "h2@example.com", "username": "hank", "password": PASSWORD, "confirm": PASSWORD},
    )
    assert again.status_code == 200  # the old name is free again: "check your inbox"
    assert sent("h2@example.com")


def test_login_redirects_only_to_local_paths(make_browser: BrowserFactory) -> None:
    make_browser().register("ivy")
    browser = make_browser()
    for target, expected in [
        ("/library", "/library"),
        ("https://evil.example/", "/dashboard"),
        ("//evil.example/x", "/dashboard"),
    ]:
        browser.get("/login")
        response = browser.client.post(
            f"/login?next={target}",
            data={"email": "ivy@example.com", "password": PASSWORD, "csrf_token": browser.csrf()},
            base_url="https://snapstream.test",
        )
        browser._csrf = None
        assert response.headers["Location"] == expected


def test_admin_cli_promotes_a_user(app: Flask, browser: Browser) -> None:
    browser.register("judy")
    result = app.test_cli_runner().invoke(args=["promote", "judy@example.com"])
    assert result.exit_code == 0, result.output
    assert browser.get("/admin/users").status_code == 200
