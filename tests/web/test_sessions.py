"""Server-side sessions: a record per login, the cookie holding only its id, timeouts, and every
way a session ends (logout, the profile page, a password change, an administrator)."""

from __future__ import annotations

import hashlib

import pytest
from flask import Flask

from snapstream_runtime.settings import Settings
from snapstream_web import sessions
from snapstream_web.config import WebConfig
from tests.web.browser import PASSWORD, BrowserFactory
from tests.web.session_support import (
    Clock,
    cookie_contents,
    cookie_value,
    stored_sessions,
    with_cookie,
)

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0"


def test_a_login_stores_a_session_and_the_cookie_holds_only_its_id(
    app: Flask, make_browser: BrowserFactory, web_settings: Settings
) -> None:
    make_browser().register("alice")
    browser = make_browser()
    browser.client.environ_base["HTTP_USER_AGENT"] = FIREFOX
    assert browser.login("alice").status_code == 302

    contents = cookie_contents(app, browser)
    assert set(contents) <= {"sid", "csrf", "_permanent", "_flashes"}
    assert "uid" not in contents and "alice" not in str(contents)
    records = [s for s in stored_sessions(web_settings) if s["user_agent"]["S"] == FIREFOX]
    [record] = records
    handle = hashlib.sha256(contents["sid"].encode()).hexdigest()
    assert record["pk"]["S"] == f"SESSION#{handle}"  # the table holds the id's hash only
    assert contents["sid"] not in str(stored_sessions(web_settings))
    assert {
        "user_id",
        "created_at",
        "created",
        "last_seen",
        "absolute_expiry",
        "expires_at",
    } <= set(record)
    assert record["gsi1pk"]["S"] == f"SESSIONS#{record['user_id']['S']}"
    created, ttl = int(record["created"]["N"]), int(record["expires_at"]["N"])
    assert ttl == created + 3600  # WebConfig's default idle timeout, sooner than the absolute


@pytest.mark.parametrize("how", ["page", "api"])
def test_logging_out_ends_the_session_for_a_copied_cookie_too(
    make_browser: BrowserFactory, web_settings: Settings, how: str
) -> None:
    browser = make_browser()
    browser.register("bob")
    assert browser.api("GET", "/api/me").status_code == 200
    stolen = cookie_value(browser)
    assert stolen
    thief = with_cookie(make_browser(), stolen)
    assert thief.api("GET", "/api/me").status_code == 200

    if how == "page":
        assert browser.form("/logout", {}).status_code == 302
    else:
        assert browser.api("DELETE", "/api/session").status_code == 204
    assert stored_sessions(web_settings) == []
    assert thief.api("GET", "/api/me").status_code == 401
    assert thief.get("/library").status_code == 302
    assert browser.api("GET", "/api/me").status_code == 401


def test_a_forged_or_unknown_session_id_is_nobody(app: Flask, make_browser: BrowserFactory) -> None:
    browser = make_browser()
    browser.register("carol")
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    forged = serializer.dumps({"sid": "made-up", "csrf": "x"})
    assert with_cookie(make_browser(), forged).api("GET", "/api/me").status_code == 401
    unsigned = cookie_value(browser)
    assert unsigned
    tampered = unsigned[:-3] + ("AAA" if not unsigned.endswith("AAA") else "BBB")
    assert with_cookie(make_browser(), tampered).api("GET", "/api/me").status_code == 401


def test_an_idle_session_ends_and_use_keeps_it_alive(
    make_browser: BrowserFactory, web_settings: Settings, clock: Clock
) -> None:
    browser, idle = make_browser(), make_browser()
    browser.register("dave")
    idle.login("dave")
    [first, second] = sorted(int(s["last_seen"]["N"]) for s in stored_sessions(web_settings))
    assert first == second == clock.now

    clock.advance(30)
    assert browser.api("GET", "/api/me").status_code == 200
    seen = {int(s["last_seen"]["N"]) for s in stored_sessions(web_settings)}
    assert seen == {first}  # used within the minute: nothing written
    for _ in range(5):  # used every 15 minutes for over an hour
        clock.advance(15 * 60)
        assert browser.api("GET", "/api/me").status_code == 200
    assert idle.api("GET", "/api/me").status_code == 401  # an hour without a request
    [alive] = stored_sessions(web_settings)
    assert int(alive["last_seen"]["N"]) == clock.now
    assert int(alive["expires_at"]["N"]) == clock.now + 3600


def test_the_badges_polling_does_not_keep_an_idle_session_alive(
    make_browser: BrowserFactory, clock: Clock
) -> None:
    """An unattended tab polls the unread count every 30 s: that is not the user at work."""
    from snapstream_web.security import BACKGROUND_HEADER

    browser = make_browser()
    browser.register("ella")
    polled = {"headers": {BACKGROUND_HEADER: "1"}}
    answer = browser.get("/api/notifications?limit=1", **polled)
    assert answer.status_code == 200 and answer.json["unread"] >= 0
    for _ in range(5):  # polled every 15 minutes for over an hour, never used
        clock.advance(15 * 60)
        browser.get("/api/notifications?limit=1", **polled)
    assert browser.get("/api/notifications?limit=1", **polled).status_code == 401
    assert browser.api("GET", "/api/me").status_code == 401  # the session ended


def test_a_session_ends_at_its_absolute_deadline_however_busy(
    app: Flask, make_browser: BrowserFactory, web_settings: Settings, clock: Clock
) -> None:
    config: WebConfig = app.extensions["snapstream"]
    browser = make_browser()
    browser.register("erin")
    [record] = stored_sessions(web_settings)
    assert int(record["absolute_expiry"]["N"]) == clock.now + config.session_absolute_seconds
    for _ in range(config.session_absolute_seconds // 1800 - 1):
        clock.advance(1800)
        assert browser.api("GET", "/api/me").status_code == 200
    clock.advance(1800)
    assert browser.api("GET", "/api/me").status_code == 401
    assert stored_sessions(web_settings) == []


def test_the_profile_lists_sessions_and_ends_one_or_all_others(
    make_browser: BrowserFactory, web_settings: Settings
) -> None:
    here, laptop, phone = make_browser(), make_browser(), make_browser()
    here.register("frank")
    laptop.client.environ_base["HTTP_USER_AGENT"] = FIREFOX
    laptop.login("frank")
    phone.login("frank")
    page = here.get("/profile").get_data(as_text=True)
    assert page.count('name="session"') == 3 and "(this session)" in page and FIREFOX in page

    laptop_record = next(s for s in stored_sessions(web_settings) if "Firefox" in str(s))
    ended = here.form("/profile/sessions/end", {"session": laptop_record["session"]["S"]})
    assert ended.status_code == 302
    assert laptop.api("GET", "/api/me").status_code == 401
    assert phone.api("GET", "/api/me").status_code == 200

    assert here.form("/profile/sessions/end-others", {}).status_code == 302
    assert phone.api("GET", "/api/me").status_code == 401
    assert here.api("GET", "/api/me").status_code == 200
    assert len(stored_sessions(web_settings)) == 1
    assert here.form("/profile/sessions/end", {"session": "not-a-session"}).status_code == 400


def test_nobody_can_end_someone_elses_session(
    make_browser: BrowserFactory, web_settings: Settings
) -> None:
    alice, mallory = make_browser(), make_browser()
    alice.register("alice")
    [handle] = [s["session"]["S"] for s in stored_sessions(web_settings)]
    mallory.register("mallory")
    mallory.form("/profile/sessions/end", {"session": handle})
    assert "had ended already" in mallory.get("/profile").get_data(as_text=True)
    assert alice.api("GET", "/api/me").status_code == 200


def test_a_password_change_ends_every_other_session(
    make_browser: BrowserFactory, web_settings: Settings
) -> None:
    first, second = make_browser(), make_browser()
    first.register("gina")
    second.login("gina")
    assert len(stored_sessions(web_settings)) == 2
    new = "a brand new passphrase"
    first.form("/profile/password", {"current": PASSWORD, "new": new, "confirm": new})
    assert first.api("GET", "/api/me").status_code == 200
    assert second.api("GET", "/api/me").status_code == 401
    assert len(stored_sessions(web_settings)) == 1


def test_a_stale_auth_version_ends_a_session_the_index_missed(
    make_browser: BrowserFactory, web_settings: Settings
) -> None:
    """The session listing is an eventually consistent index; the version check is not."""
    from snapstream_runtime import keys
    from snapstream_runtime.adapters.table import Table, Update

    browser = make_browser()
    browser.register("hank")
    [record] = stored_sessions(web_settings)
    table = Table(web_settings.table_name)
    table.update(keys.profile_key(record["user_id"]["S"]), Update().add("auth_version", 1))
    assert browser.api("GET", "/api/me").status_code == 401
    assert stored_sessions(web_settings) == []


def test_records_expire_by_ttl_at_the_sooner_deadline(web_settings: Settings) -> None:
    from snapstream_runtime.adapters.table import Table
    from snapstream_web.accounts import register

    table = Table(web_settings.table_name)
    user = register(table, email="ivy@example.com", username="ivy", password=PASSWORD)
    timeouts = sessions.Timeouts(idle_seconds=600, absolute_seconds=300)
    _, record = sessions.start(
        table, user, stage=sessions.ACTIVE, user_agent="x", timeouts=timeouts, at=1000
    )
    assert record.absolute_expiry == 1300
    assert sessions.load(table, "no such id", timeouts, at=1000) is None
    assert not record.alive(1300, timeouts) and record.alive(1299, timeouts)
