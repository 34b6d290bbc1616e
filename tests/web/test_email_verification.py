"""Verified e-mail and password reset (verification.py): one answer for known and unknown
addresses, single-use, expiring links stored hashed, and mail through SES as configured."""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import timedelta
from typing import Any

import boto3
import pytest
from flask import Flask

from snapstream_runtime.adapters.table import Table
from snapstream_runtime.clock import utc_now
from snapstream_runtime.mail_events import record
from snapstream_runtime.settings import Settings
from snapstream_web import accounts, create_app, verification
from snapstream_web.config import WebConfig
from snapstream_web.verification import RESET_PATH, VERIFY_PATH
from tests.web.browser import BASE, PASSWORD, Browser, BrowserFactory
from tests.web.mailbox import SiteMail, sent
from tools.authority.recorder import Recording

NEW_PASSWORD = "a different passphrase"


def _profile(settings: Settings, email: str) -> dict[str, Any]:
    items = boto3.client("dynamodb").scan(TableName=settings.table_name)["Items"]
    [profile] = [i for i in items if i["sk"]["S"] == "PROFILE" and i["email"]["S"] == email]
    return dict(profile)


def _operations(recorded: Recording, since: int) -> list[str]:
    return [f"{c.service}:{c.operation}" for c in recorded.calls[since:]]


def _post_unread(browser: Browser, path: str, data: dict[str, str]) -> Any:
    """POST and keep the response open: what the site did before answering, not after."""
    payload = {**data, "csrf_token": browser.csrf()}
    return browser.client.post(path, data=payload, base_url=BASE)


def _answers(browser: Browser, recorded: Recording, path: str, data: dict[str, str]) -> Any:
    """(status, page with the address blanked, AWS calls before the answer, calls after)."""
    before = len(recorded.calls)
    response = _post_unread(browser, path, data)
    page = response.get_data(as_text=True).replace(data["email"], "ADDRESS")
    answered = len(recorded.calls)
    response.close()  # the response is sent: what the site does after it runs now
    return (
        response.status_code,
        page,
        _operations(recorded, before)[: answered - before],
        _operations(recorded, answered),
    )


def test_registration_answers_alike_whether_or_not_the_address_has_an_account(
    make_browser: BrowserFactory, _proven_authority: Recording
) -> None:
    make_browser().register("known")
    visitor = make_browser()
    visitor.get("/register")
    form = {"password": PASSWORD, "confirm": PASSWORD}
    known = _answers(
        visitor,
        _proven_authority,
        "/register",
        {**form, "email": "known@example.com", "username": "someone"},
    )
    unknown = _answers(
        visitor,
        _proven_authority,
        "/register",
        {**form, "email": "nobody@example.com", "username": "someone2"},
    )
    assert known[0] == unknown[0] == 200
    assert known[1] == unknown[1] and "Check your inbox" in known[1]
    assert "exists" not in known[1]
    # The same requests before the answer (no lookup of the address); the mail comes after.
    assert known[2] == unknown[2] == ["dynamodb:GetItem", "dynamodb:TransactWriteItems"]
    assert known[3][-1] == unknown[3][-1] == "sesv2:SendEmail"
    [notice] = sent("known@example.com")[1:]
    assert notice.subject == "Someone tried to register with your e-mail address"
    assert "/forgot-password" in notice.body and VERIFY_PATH not in notice.body
    [welcome] = sent("nobody@example.com")
    assert welcome.subject == "Confirm your e-mail address for SnapStream"
    # The username given with a taken address is held too (outside review: it stayed free, so
    # registering again with it told a taken address from a new one).
    for name in ("someone", "someone2"):
        again = visitor.form(
            "/register", {**form, "email": f"{name}-again@example.com", "username": name}
        )
        assert again.status_code == 400 and "username is taken" in again.get_data(as_text=True)


def test_forgot_password_answers_alike_whether_or_not_the_address_has_an_account(
    make_browser: BrowserFactory, _proven_authority: Recording
) -> None:
    make_browser().register("known")
    visitor = make_browser()
    visitor.get("/forgot-password")
    known = _answers(visitor, _proven_authority, "/forgot-password", {"email": "known@example.com"})
    unknown = _answers(
        visitor, _proven_authority, "/forgot-password", {"email": "nobody@example.com"}
    )
    assert known[0] == unknown[0] == 200
    assert known[1] == unknown[1] and "Check your inbox" in known[1]
    assert known[2] == unknown[2] == []  # nothing is looked up before the answer
    assert known[3][-1] == "sesv2:SendEmail" and "sesv2:SendEmail" not in unknown[3]
    assert [m.subject for m in sent("known@example.com")][-1] == "Choose a new SnapStream password"
    assert sent("nobody@example.com") == []
    bad = visitor.form("/forgot-password", {"email": "<b>@example.com"})
    assert bad.status_code == 400 and "valid e-mail address" in bad.get_data(as_text=True)


def test_a_new_account_logs_in_only_once_its_address_is_confirmed(
    make_browser: BrowserFactory, web_settings: Settings
) -> None:
    browser = make_browser()
    assert browser.sign_up("vera").status_code == 200
    refused = browser.login("vera")
    assert refused.status_code == 401
    assert "confirm your e-mail address first" in refused.get_data(as_text=True)
    api = make_browser().api(
        "POST", "/api/session", {"email": "vera@example.com", "password": PASSWORD}
    )
    assert api.status_code == 401 and "confirm your e-mail address" in api.json["error"]
    # without the password nothing tells an unconfirmed account from a wrong guess
    guess = make_browser().login("vera", password="not the password")
    assert "wrong e-mail or password" in guess.get_data(as_text=True)

    [welcome] = sent("vera@example.com")
    link = welcome.link(VERIFY_PATH)
    opened = browser.get(link)  # a mail scanner opening the link uses nothing up
    assert opened.status_code == 200 and opened.headers["Cache-Control"] == "no-store"
    assert browser.login("vera").status_code == 401
    confirmed = browser.form(link, {})
    assert confirmed.status_code == 302 and confirmed.headers["Location"] == "/login"
    assert browser.login("vera").status_code == 302
    assert browser.get("/dashboard").status_code == 200
    profile = _profile(web_settings, "vera@example.com")
    assert profile["email_verified"] == {"BOOL": True}
    assert "verify_hash" not in profile and "verify_expires_at" not in profile
    again = make_browser().form(link, {})  # single use
    assert again.status_code == 410 and "does not work any more" in again.get_data(as_text=True)


def test_only_a_hash_of_each_link_is_stored(
    make_browser: BrowserFactory, web_settings: Settings
) -> None:
    browser = make_browser()
    browser.sign_up("walt")
    browser.form("/forgot-password", {"email": "walt@example.com"})
    verify, reset = sent("walt@example.com")
    table_dump = str(boto3.client("dynamodb").scan(TableName=web_settings.table_name)["Items"])
    profile = _profile(web_settings, "walt@example.com")
    for mail, path, field in ((verify, VERIFY_PATH, "verify"), (reset, RESET_PATH, "reset")):
        secret = mail.link(path).rsplit(".", 1)[1]
        assert len(secret) == 43 and secret not in table_dump
        assert profile[f"{field}_hash"]["S"] == hashlib.sha256(secret.encode()).hexdigest()


def test_links_expire(
    make_browser: BrowserFactory, web_config: WebConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = verification.now()
    browser = make_browser()
    browser.sign_up("xena")
    browser.form("/forgot-password", {"email": "xena@example.com"})
    verify, reset = sent("xena@example.com")
    assert "for 48 hours" in verify.body and "for 1 hour." in reset.body
    later = started + web_config.password_reset_seconds + 1
    monkeypatch.setattr(verification, "now", lambda: later)
    form = {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    assert browser.form(reset.link(RESET_PATH), form).status_code == 410
    assert browser.form(verify.link(VERIFY_PATH), {}).status_code == 302  # not expired yet
    monkeypatch.setattr(
        verification, "now", lambda: started + web_config.email_verification_seconds + 1
    )
    browser.sign_up("yuri")
    monkeypatch.setattr(
        verification, "now", lambda: started + 2 * web_config.email_verification_seconds + 2
    )
    assert browser.form(sent("yuri@example.com")[0].link(VERIFY_PATH), {}).status_code == 410
    assert browser.login("yuri").status_code == 401
    assert browser.login("xena", password=NEW_PASSWORD).status_code == 401  # never reset


@pytest.mark.parametrize(
    "token",
    [
        "not-a-token",
        "0" * 32 + "." + "A" * 43,  # well formed, stored nowhere
        "../../admin",
    ],
)
def test_made_up_links_do_nothing(browser: Browser, token: str) -> None:
    assert browser.form(f"{VERIFY_PATH}#{token}", {}).status_code == 410
    form = {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    assert browser.form(f"{RESET_PATH}#{token}", form).status_code == 410


def test_a_reset_sets_the_password_and_logs_every_session_out(
    make_browser: BrowserFactory, web_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second, visitor = make_browser(), make_browser(), make_browser()
    first.register("zoe")
    second.login("zoe")
    visitor.form("/forgot-password", {"email": "zoe@example.com"})
    later = verification.now() + verification.MAIL_INTERVAL_SECONDS + 1
    monkeypatch.setattr(verification, "now", lambda: later)
    visitor.form("/forgot-password", {"email": "zoe@example.com"})
    older, newer = sent("zoe@example.com")[1:]
    link = newer.link(RESET_PATH)
    page = visitor.get(link)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    replaced = visitor.form(older.link(RESET_PATH), {"password": PASSWORD, "confirm": PASSWORD})
    assert replaced.status_code == 410  # replaced by the newer one
    short = visitor.form(link, {"password": "short", "confirm": "short"})
    assert short.status_code == 400 and "10 to 256" in short.get_data(as_text=True)
    differ = visitor.form(link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD + "!"})
    assert differ.status_code == 400 and "differ" in differ.get_data(as_text=True)

    done = visitor.form(link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302 and done.headers["Location"] == "/login"
    assert first.get("/library").status_code == 302  # both sessions are logged out
    assert second.get("/library").status_code == 302
    assert make_browser().login("zoe").status_code == 401
    assert make_browser().login("zoe", password=NEW_PASSWORD).status_code == 302
    assert visitor.form(link, {"password": PASSWORD, "confirm": PASSWORD}).status_code == 410
    profile = _profile(web_settings, "zoe@example.com")
    assert "reset_hash" not in profile and profile["auth_version"] == {"N": "2"}


def test_an_address_gets_at_most_one_message_a_minute_from_the_forms(
    make_browser: BrowserFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_browser().register("busy")
    visitor, started = make_browser(), verification.now()
    for attempt in range(3):  # a new username each time: each one given is held
        assert visitor.form("/forgot-password", {"email": "busy@example.com"}).status_code == 200
        assert visitor.sign_up(f"busy{attempt}x", email="busy@example.com").status_code == 200
    assert [m.subject for m in sent("busy@example.com")][1:] == ["Choose a new SnapStream password"]
    monkeypatch.setattr(
        verification, "now", lambda: started + verification.MAIL_INTERVAL_SECONDS + 1
    )
    visitor.sign_up("busy9x", email="busy@example.com")
    assert sent("busy@example.com")[-1].subject.startswith("Someone tried to register")


def test_a_reset_confirms_an_address_someone_else_registered(make_browser: BrowserFactory) -> None:
    """Someone registers your address with their password: you take it over by resetting."""
    make_browser().sign_up("mallory", email="victim@example.com", password="mallory's password")
    owner = make_browser()
    owner.form("/forgot-password", {"email": "victim@example.com"})
    reset = sent("victim@example.com")[-1].link(RESET_PATH)
    owner.form(reset, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    login = {"email": "victim@example.com", "password": NEW_PASSWORD}
    assert owner.form("/login", login).status_code == 302
    mallory = {"email": "victim@example.com", "password": "mallory's password"}
    assert make_browser().form("/login", mallory).status_code == 401


def _account_items(settings: Settings, email: str, username: str) -> dict[str, dict[str, Any]]:
    """The profile and the e-mail and username claims of one account, by sort key."""
    items = boto3.client("dynamodb").scan(TableName=settings.table_name)["Items"]
    user_id = _profile(settings, email)["user_id"]["S"]
    wanted = {f"USER#{user_id}", f"EMAIL#{email}", f"USERNAME#{username.lower()}"}
    return {i["sk"]["S"]: i for i in items if i["pk"]["S"] in wanted}


def test_an_unconfirmed_account_expires_and_confirming_keeps_it(
    make_browser: BrowserFactory, web_settings: Settings
) -> None:
    registered = verification.now()
    browser = make_browser()
    browser.sign_up("una")
    browser.sign_up("ulla")
    for name in ("una", "ulla"):
        items = _account_items(web_settings, f"{name}@example.com", name)
        assert sorted(items) == ["EMAIL", "PROFILE", "USERNAME"]
        for item in items.values():  # DynamoDB's TTL removes all three unless confirmed
            expires = int(item["expires_at"]["N"])
            assert 0 <= expires - registered - verification.UNCONFIRMED_SECONDS <= 5

    browser.confirm(sent("una@example.com")[0].link(VERIFY_PATH))
    for item in _account_items(web_settings, "una@example.com", "una").values():
        assert "expires_at" not in item
    browser.form("/forgot-password", {"email": "ulla@example.com"})  # a reset confirms too
    reset = sent("ulla@example.com")[-1].link(RESET_PATH)
    browser.form(reset, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    for item in _account_items(web_settings, "ulla@example.com", "ulla").values():
        assert "expires_at" not in item


def test_a_link_cannot_confirm_an_account_whose_claims_ttl_removed(
    make_browser: BrowserFactory, web_settings: Settings
) -> None:
    browser = make_browser()
    browser.sign_up("otto")
    boto3.client("dynamodb").delete_item(  # as DynamoDB's TTL would (it is lazy: items differ)
        TableName=web_settings.table_name,
        Key={"pk": {"S": "USERNAME#otto"}, "sk": {"S": "USERNAME"}},
    )
    answer = browser.form(sent("otto@example.com")[0].link(VERIFY_PATH), {})
    assert answer.status_code == 410
    profile = _profile(web_settings, "otto@example.com")
    assert profile["email_verified"] == {"BOOL": False} and "verify_hash" in profile
    assert "expires_at" in profile  # still removed with the rest


def _claim_expiry(settings: Settings, pk: str) -> int:
    claims = boto3.client("dynamodb").scan(TableName=settings.table_name)["Items"]
    [claim] = [c for c in claims if c["pk"]["S"] == pk]
    return int(claim["expires_at"]["N"])


def test_without_javascript_the_whole_pasted_link_works(make_browser: BrowserFactory) -> None:
    browser = make_browser()
    browser.sign_up("pam")
    link = sent("pam@example.com")[0].link(VERIFY_PATH)
    pasted = {"token": f"https://snapstream.example{link}"}  # the field, filled by hand
    assert browser.form(VERIFY_PATH, pasted).status_code == 302
    assert browser.login("pam").status_code == 302


def test_a_name_is_held_as_long_after_a_taken_address_as_after_a_new_one(
    make_browser: BrowserFactory, web_settings: Settings
) -> None:
    """Otherwise the name would come free sooner after a taken address, and tell them apart."""
    make_browser().register("owner")
    make_browser().sign_up("newcomer")
    make_browser().sign_up("prober", email="owner@example.com")  # a taken address
    held_new = _claim_expiry(web_settings, "USERNAME#newcomer")
    held_taken = _claim_expiry(web_settings, "USERNAME#prober")
    assert abs(held_new - held_taken) <= 5


def test_an_expired_registration_frees_its_address_and_name_before_ttl_removes_it(
    make_browser: BrowserFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DynamoDB's TTL may take days: an unconfirmed account past its lifetime counts as gone."""
    make_browser().sign_up("pete")
    later = utc_now() + timedelta(seconds=verification.UNCONFIRMED_SECONDS + 60)
    monkeypatch.setattr(accounts, "utc_now", lambda: later)
    monkeypatch.setattr(verification, "now", lambda: int(later.timestamp()))
    again = make_browser()
    assert again.sign_up("pete").status_code == 200  # the same address and name
    _first, second = sent("pete@example.com")
    assert VERIFY_PATH in second.body  # a new account's link, not an "already registered" note
    again.confirm(second.link(VERIFY_PATH))
    assert again.login("pete").status_code == 302


def test_an_unconfirmed_account_cannot_be_promoted(
    make_browser: BrowserFactory, app: Flask
) -> None:
    make_browser().sign_up("quinn")
    result = app.test_cli_runner().invoke(args=["promote", "quinn@example.com"])
    assert result.exit_code != 0 and "has not confirmed its address yet" in result.output


def test_nothing_more_is_mailed_to_an_address_that_bounced(
    make_browser: BrowserFactory, web_settings: Settings
) -> None:
    make_browser().register("bounce")
    bounced = {
        "eventType": "Bounce",
        "bounce": {
            "bounceType": "Permanent",
            "bouncedRecipients": [{"emailAddress": "bounce@example.com"}],
        },
    }
    record(bounced, Table(web_settings.table_name), utc_now())
    visitor = make_browser()
    assert visitor.form("/forgot-password", {"email": "bounce@example.com"}).status_code == 200
    assert visitor.sign_up("bounce2", email="bounce@example.com").status_code == 200
    assert len(sent("bounce@example.com")) == 1  # the verification link, before the bounce


def test_mail_goes_from_the_sender_through_the_configuration_set(
    make_browser: BrowserFactory, site_mail: SiteMail, _proven_authority: Recording
) -> None:
    make_browser().sign_up("una")
    [mail] = sent("una@example.com")
    assert mail.source == site_mail.sender
    [call] = [c for c in _proven_authority.calls if c.operation == "SendEmail"]
    assert call.actor == "site"
    assert call.params["ConfigurationSetName"] == site_mail.configuration_set
    assert call.params["Destination"] == {"ToAddresses": ["una@example.com"]}


def test_links_point_at_the_sites_own_domain_whatever_the_host_header(
    web_config: WebConfig,
) -> None:
    settings = dataclasses.replace(web_config.settings, site_domain="snapstream.example")
    app = create_app(dataclasses.replace(web_config, settings=settings))
    Browser(app).register("host")
    evil = Browser(app).client  # a visitor whose requests carry Host: evil.example
    page = evil.get("/forgot-password", base_url="https://evil.example").get_data(as_text=True)
    token = page.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]
    evil.post(
        "/forgot-password",
        data={"email": "host@example.com", "csrf_token": token},
        base_url="https://evil.example",
        buffered=True,
    )
    body = sent("host@example.com")[-1].body
    assert "https://snapstream.example/reset-password#" in body and "evil.example" not in body


def test_the_local_outbox_keeps_mail_and_says_nothing_was_sent(web_config: WebConfig) -> None:
    deployed = Browser(create_app(web_config))
    assert deployed.get("/dev/outbox").status_code == 404  # never registered when deployed
    local = Browser(create_app(dataclasses.replace(web_config, local_mail=True)))
    answer = local.sign_up("lena").get_data(as_text=True)
    assert "Open the local outbox" in answer
    page = local.get("/dev/outbox")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Local outbox: nothing was sent" in text
    assert "lena@example.com" in text and f'href="http://snapstream.test{VERIFY_PATH}' not in text
    assert f"{BASE}{VERIFY_PATH}" in text
    assert sent() == []  # SES was not called


def test_email_notifications_say_locally_that_nothing_is_sent(
    web_config: WebConfig, app: Flask
) -> None:
    local = Browser(create_app(dataclasses.replace(web_config, local_mail=True)))
    local.sign_up("nina")
    [kept] = local.get("/dev/outbox").get_data(as_text=True).split(VERIFY_PATH)[1:2]
    local.confirm(VERIFY_PATH + kept.split('"', 1)[0])
    local.login("nina")
    local.get("/notifications")
    answer = local.form("/notifications/email", {"enabled": "on"})
    flashed = local.get(answer.headers["Location"]).get_data(as_text=True)
    assert "sends no e-mail" in flashed and "Check nina@example.com" not in flashed
    deployed = Browser(app)
    deployed.register("omar")
    deployed.get("/notifications")
    deployed.form("/notifications/email", {"enabled": "on"})
    assert "message from AWS to confirm" in deployed.get("/notifications").get_data(as_text=True)
