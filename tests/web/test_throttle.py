"""Failed logins slow down (per account and per client address) instead of locking anyone out.

tests/web/conftest.py: the account throttle gives 3 free failures, the address throttle 8, then
30 s doubling to at most 120 s.
"""

from __future__ import annotations

import dataclasses

import pytest
from flask import Flask

from snapstream_web import create_app, login_guard
from snapstream_web.config import WebConfig
from snapstream_web.throttle import Throttle
from tests.web.browser import PASSWORD, Browser, BrowserFactory
from tests.web.session_support import Clock, cookie_value, log_out, with_cookie

WRONG = "wrong password!"


def _from(browser: Browser, address: str) -> Browser:
    browser.client.environ_base["REMOTE_ADDR"] = address
    return browser


def test_the_delay_schedule_doubles_up_to_its_ceiling() -> None:
    policy = Throttle(free_failures=5, base_delay_seconds=30, max_delay_seconds=900)
    assert [policy.delay(n) for n in range(1, 13)] == [
        0,
        0,
        0,
        0,
        0,
        30,
        60,
        120,
        240,
        480,
        900,
        900,
    ]
    assert policy.delay(10_000) == 900
    with pytest.raises(ValueError, match="max_delay"):
        Throttle(free_failures=1, base_delay_seconds=60, max_delay_seconds=30)


def test_a_stranger_delays_new_browsers_for_a_while_but_never_the_owners_own(
    make_browser: BrowserFactory, clock: Clock
) -> None:
    make_browser().register("erin")
    owner = make_browser()
    owner.login("erin")  # this browser now knows the account (a login happened here)
    log_out(owner)
    stranger, new_browser = _from(make_browser(), "198.51.100.9"), make_browser()
    for _ in range(4):  # 3 free failures; the 4th makes the next attempt wait 30 s
        assert stranger.login("erin", password=WRONG).status_code == 401
    waiting = new_browser.login("erin")  # the right password, from a browser never used here
    assert waiting.status_code == 429
    assert 0 < int(waiting.headers["Retry-After"]) <= 30
    api = make_browser().api(
        "POST", "/api/session", {"email": "erin@example.com", "password": PASSWORD}
    )
    assert api.status_code == 429 and api.headers["Retry-After"]
    assert "try again" in api.json["error"]

    assert owner.login("erin").status_code == 302  # the owner's own browser gets in
    assert owner.api("GET", "/api/me").status_code == 200


def test_waiting_attempts_are_not_counted_and_the_wait_ends(
    make_browser: BrowserFactory, clock: Clock
) -> None:
    make_browser().register("fay")
    stranger = make_browser()
    for _ in range(4):
        stranger.login("fay", password=WRONG)
    for _ in range(20):  # hammering while it waits changes nothing
        assert stranger.login("fay", password=WRONG).status_code == 429
    clock.advance(31)
    assert stranger.login("fay", password=WRONG).status_code == 401  # 5th failure: 60 s now
    refused = stranger.login("fay")
    assert refused.status_code == 429 and 30 < int(refused.headers["Retry-After"]) <= 60
    clock.advance(61)
    newcomer = make_browser()
    assert newcomer.login("fay").status_code == 302  # the wait is over: the password works
    clock.advance(1)
    assert make_browser().login("fay", password=WRONG).status_code == 401  # the count was reset
    assert make_browser().login("fay").status_code == 302


def test_failures_are_forgotten_after_a_quiet_while(
    make_browser: BrowserFactory, clock: Clock
) -> None:
    make_browser().register("gus")
    stranger = make_browser()
    for _ in range(3):
        stranger.login("gus", password=WRONG)
    clock.advance(6 * 3600 + 1)  # forget_after_seconds (the item's TTL; TTL may lag)
    assert stranger.login("gus", password=WRONG).status_code == 401  # counts as the 1st again
    assert make_browser().login("gus").status_code == 302


def test_one_address_guessing_many_accounts_waits_and_others_do_not(
    make_browser: BrowserFactory, clock: Clock
) -> None:
    for name in ("hal", "ida"):
        make_browser().register(name)
    guesser = _from(make_browser(), "203.0.113.66")
    for n in range(9):  # 8 free failures from one address, then waits (accounts: 1 each)
        guesser.form("/login", {"email": f"victim{n}@example.com", "password": WRONG})
    assert guesser.login("hal").status_code == 429  # even a right password, from there
    assert _from(make_browser(), "203.0.113.67").login("hal").status_code == 302
    assert _from(make_browser(), "203.0.113.67").login("ida").status_code == 302
    clock.advance(31)
    assert guesser.login("hal").status_code == 302


def test_an_ipv6_client_is_counted_by_its_64_network(
    make_browser: BrowserFactory, clock: Clock
) -> None:
    """One subscriber's /64 holds 2**64 addresses: rotating through them buys no guesses."""
    make_browser().register("ivy")
    for n in range(9):  # each guess from a new address in the same /64
        guesser = _from(make_browser(), f"2001:db8:1:2::{n + 1:x}")
        guesser.form("/login", {"email": f"victim{n}@example.com", "password": WRONG})
    same_network = _from(make_browser(), "2001:db8:1:2:ffff:ffff:ffff:ffff")
    assert same_network.login("ivy").status_code == 429
    assert _from(make_browser(), "2001:db8:1:3::1").login("ivy").status_code == 302


def test_an_ipv6_site_rotating_through_its_64s_waits_too(
    make_browser: BrowserFactory, clock: Clock
) -> None:
    """A /48 holds 65,536 /64s: it is counted as well, with four times the free failures."""
    make_browser().register("ike")
    site_free = 8 * login_guard.IPV6_SITE_FACTOR  # tests/web/conftest.py: 8 per address
    for n in range(site_free + 1):  # one guess from each of as many /64s
        guesser = _from(make_browser(), f"2001:db8:7:{n + 1:x}::1")
        guesser.form("/login", {"email": f"victim{n}@example.com", "password": WRONG})
    assert _from(make_browser(), "2001:db8:7:ffff::1").login("ike").status_code == 429
    assert _from(make_browser(), "2001:db8:8:1::1").login("ike").status_code == 302


@pytest.mark.parametrize(
    ("address", "counted_as"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
        ("::ffff:203.0.113.7", "203.0.113.7"),  # IPv4 in IPv6 clothing: the IPv4 address
        ("not an address", "not an address"),
    ],
)
def test_throttled_address(address: str, counted_as: str) -> None:
    assert login_guard.throttled_address(address) == counted_as


def test_a_success_does_not_reset_the_address(make_browser: BrowserFactory, clock: Clock) -> None:
    """A guesser with an account of their own cannot wipe their address's failures."""
    own = make_browser()
    own.register("jim")
    guesser = make_browser()
    for n in range(8):
        guesser.form("/login", {"email": f"someone{n}@example.com", "password": WRONG})
    assert guesser.login("jim").status_code == 302  # 8 free failures: not waiting yet
    log_out(guesser)
    guesser.form("/login", {"email": "other@example.com", "password": WRONG})
    assert guesser.login("jim").status_code == 429


def test_behind_the_proxies_the_viewer_address_counts(web_config: WebConfig, clock: Clock) -> None:
    """Deployed (two proxies), the address is the one CloudFront saw: a spoofed leftmost
    X-Forwarded-For entry changes nothing."""
    app: Flask = create_app(dataclasses.replace(web_config, proxy_count=2))
    Browser(app).register("kim")

    def attempt(forwarded: str, account: str) -> int:
        browser = Browser(app)
        browser.client.environ_base["HTTP_X_FORWARDED_FOR"] = forwarded
        form = {"email": f"{account}@example.com", "password": WRONG}
        return browser.form("/login", form).status_code

    for n in range(9):
        attempt(f"10.0.0.{n}, 192.0.2.10, 130.176.0.1", f"nobody{n}")
    assert attempt("10.9.9.9, 192.0.2.10, 130.176.0.1", "else") == 429
    assert attempt("192.0.2.11, 130.176.0.1", "other") == 401  # another viewer: not waiting


def test_the_deletion_password_check_is_throttled_too(
    make_browser: BrowserFactory, clock: Clock
) -> None:
    browser = make_browser()
    browser.register("lou")
    for _ in range(9):
        browser.form("/profile/delete", {"password": WRONG})
    refused = browser.form("/profile/delete", {"password": PASSWORD})
    assert refused.status_code == 302
    assert "try again" in browser.get("/profile").get_data(as_text=True)
    assert browser.api("GET", "/api/me").status_code == 200  # not deleted


def test_a_stolen_session_cannot_guess_the_password_on_the_change_form(
    make_browser: BrowserFactory, clock: Clock
) -> None:
    """The current-password check of a password change counts like a login (outside review:
    40 wrong guesses were answered without a wait, the 41st changed the password)."""
    browser = make_browser()
    browser.register("mia")
    stolen = cookie_value(browser)
    assert stolen is not None
    thief = with_cookie(_from(make_browser(), "203.0.113.77"), stolen)
    change = {"new": "a stolen passphrase", "confirm": "a stolen passphrase"}
    for _ in range(4):  # 3 free failures on the account from a browser it does not know
        thief.form("/profile/password", {**change, "current": WRONG})
    thief.form("/profile/password", {**change, "current": PASSWORD})  # right, but waiting
    assert "try again" in thief.get("/profile").get_data(as_text=True)
    # The password did not change: it would have logged the owner's session out.
    assert browser.api("GET", "/api/me").status_code == 200


def test_a_used_reset_link_ends_the_strangers_hold_on_new_browsers(
    make_browser: BrowserFactory, clock: Clock
) -> None:
    """Outside review: a stranger's failures kept the owner out of any new browser even right
    after a successful reset. Whoever holds the mailbox is the owner."""
    from snapstream_web.verification import RESET_PATH
    from tests.web.mailbox import sent

    make_browser().register("nia")
    stranger = _from(make_browser(), "198.51.100.44")
    for _ in range(4):
        assert stranger.login("nia", password=WRONG).status_code == 401
    new_phone = make_browser()
    assert new_phone.login("nia").status_code == 429
    new_phone.form("/forgot-password", {"email": "nia@example.com"})
    link = sent("nia@example.com")[-1].link(RESET_PATH)
    new_password = "the owner's new passphrase"
    done = new_phone.form(link, {"password": new_password, "confirm": new_password})
    assert done.status_code == 302
    assert new_phone.login("nia", password=new_password).status_code == 302
    # and any other new browser may try again too: the account's count is cleared
    assert make_browser().login("nia", password=new_password).status_code == 302
