"""Administrators see accounts by name with what each stores (from the profile's counters, no
Scan), see owners' names on the uploads pages, and delete an account through the account-deletion
workflow after typing its name; never their own."""

from __future__ import annotations

import re

import boto3
import pytest
from flask import Flask

from snapstream_runtime import keys
from snapstream_runtime.adapters.table import Table, Update
from snapstream_runtime.lifecycle import BYTES_COUNTER
from snapstream_runtime.settings import Settings
from tests.runtime.deletion_support import DeletionQueue, settle
from tests.web.browser import Browser, BrowserFactory
from tests.web.media_helpers import upload


def _admin(app: Flask, make_browser: BrowserFactory) -> Browser:
    admin = make_browser()
    admin.register("root")
    app.test_cli_runner().invoke(args=["promote", "root@example.com"])
    return admin


def _row(page: str, username: str) -> str:
    return page.split(f'data-user="{username}"', 1)[1].split("</tr>", 1)[0]


def _cell(row: str, name: str) -> str:
    found = re.search(rf'data-cell="{name}"[^>]*>([^<]*)<', row)
    assert found, name
    return found.group(1)


def _user_id(admin: Browser, username: str) -> str:
    listed = admin.api("GET", "/api/admin/users").json["items"]
    return str(next(u["user_id"] for u in listed if u["username"] == username))


def test_users_are_listed_by_name_with_their_media_and_bytes(
    app: Flask, make_browser: BrowserFactory, web_settings: Settings
) -> None:
    alice, bob = make_browser(), make_browser()
    alice.register("alice")
    bob.register("bob")
    admin = _admin(app, make_browser)
    for n in range(2):
        upload(alice, web_settings, name=f"a{n}.png")
    alice_id = _user_id(admin, "alice")
    # the bytes an account stores: the profile's counter, moved by the status machine (the two
    # uploads have arrived); topped up to 1.5 MB to check the page's units
    table = Table(web_settings.table_name)
    arrived = int((table.get(**keys.profile_key(alice_id)) or {}).get(BYTES_COUNTER, 0))
    assert arrived > 0
    table.update(
        keys.profile_key(alice_id), Update().add(BYTES_COUNTER, 3 * 1024 * 1024 // 2 - arrived)
    )

    page = admin.get("/admin/users").get_data(as_text=True)
    alice_row, bob_row = _row(page, "alice"), _row(page, "bob")
    assert "alice" in alice_row and "alice@example.com" in alice_row
    assert alice_id not in re.sub(r'(action|id|for)="[^"]*"', "", alice_row)  # names, not ids
    assert (_cell(alice_row, "media"), _cell(alice_row, "stored")) == ("2", "1.5 MB")
    assert (_cell(bob_row, "media"), _cell(bob_row, "stored")) == ("0", "0 bytes")
    listed = {u["username"]: u for u in admin.api("GET", "/api/admin/users").json["items"]}
    assert listed["alice"]["media_count"] == 2
    assert listed["alice"]["bytes_stored"] == 3 * 1024 * 1024 // 2
    assert "password" not in str(listed) and "scrypt" not in page


def test_the_uploads_pages_name_the_owners(
    app: Flask, make_browser: BrowserFactory, web_settings: Settings
) -> None:
    alice, bob = make_browser(), make_browser()
    alice.register("alice")
    bob.register("bob")
    admin = _admin(app, make_browser)
    upload(alice, web_settings, name="harbour.png")
    upload(bob, web_settings, name="fake.jpg", body=b"not a jpeg", content_type="image/jpeg")

    page = admin.get("/admin/uploads").get_data(as_text=True)
    rows = {r.split("</a>", 1)[0].rsplit(">", 1)[1]: r for r in page.split("<tr>")[2:]}
    assert "<td>alice</td>" in rows["harbour.png"] and "<td>bob</td>" in rows["fake.jpg"]
    assert _user_id(admin, "alice")[:8] not in page
    items = admin.api("GET", "/api/admin/uploads").json["items"]
    assert {i["title"]: i["owner_name"] for i in items} == {
        "harbour.png": "alice",
        "fake.jpg": "bob",
    }


@pytest.mark.usefixtures("as_deletion_function")
def test_an_admin_deletes_an_account_after_typing_its_name(
    app: Flask,
    make_browser: BrowserFactory,
    web_settings: Settings,
    deletion_queue: DeletionQueue,
) -> None:
    alice, bob = make_browser(), make_browser()
    alice.register("alice")
    bob.register("bob")
    admin = _admin(app, make_browser)
    mine = upload(alice, web_settings, name="mine.png")
    theirs = upload(bob, web_settings, name="theirs.png")
    alice_id = _user_id(admin, "alice")
    assert "Delete alice" in _row(admin.get("/admin/users").get_data(as_text=True), "alice")

    wrong = admin.form(f"/admin/users/{alice_id}/delete", {"confirm": "alic"})
    assert wrong.status_code == 302
    assert "nothing was deleted" in admin.get("/admin/users").get_data(as_text=True)
    assert alice.api("GET", "/api/me").status_code == 200

    done = admin.form(f"/admin/users/{alice_id}/delete", {"confirm": "alice"})
    assert done.status_code == 302
    page = admin.get("/admin/users").get_data(as_text=True)
    assert "being deleted with all its media" in page and 'data-user="alice"' not in page
    assert alice.api("GET", "/api/me").status_code == 401  # logged out at once
    assert make_browser().login("alice").status_code == 401
    again = admin.form(f"/admin/users/{alice_id}/delete", {"confirm": "alice"})
    assert again.status_code == 404  # being deleted already

    settle(deletion_queue)
    items = boto3.client("dynamodb").scan(TableName=web_settings.table_name)["Items"]
    dump = str(items)
    assert alice_id not in dump and mine not in dump and theirs in dump
    assert make_browser().register("alice").status_code == 302  # the address is free again


def test_deleting_needs_an_admin_another_account_and_the_token(
    app: Flask, make_browser: BrowserFactory
) -> None:
    alice, bob = make_browser(), make_browser()
    alice.register("alice")
    bob.register("bob")
    admin = _admin(app, make_browser)
    alice_id, me = _user_id(admin, "alice"), _user_id(admin, "root")
    assert "Delete root" not in admin.get("/admin/users").get_data(as_text=True)

    assert bob.form(f"/admin/users/{alice_id}/delete", {"confirm": "alice"}).status_code == 403
    mine = admin.form(f"/admin/users/{me}/delete", {"confirm": "root"})
    assert mine.status_code == 400 and "your own account" in mine.get_data(as_text=True)
    assert admin.form(f"/admin/users/{'0' * 32}/delete", {"confirm": "x"}).status_code == 404
    assert admin.form("/admin/users/not-an-id/delete", {"confirm": "x"}).status_code == 404
    forged = admin.form(f"/admin/users/{alice_id}/delete", {"confirm": "alice"}, csrf=False)
    assert forged.status_code == 400
    assert alice.api("GET", "/api/me").status_code == 200
    assert admin.api("GET", "/api/me").status_code == 200


def test_a_disabled_account_can_be_deleted_and_cannot_log_in_meanwhile(
    app: Flask, make_browser: BrowserFactory
) -> None:
    alice = make_browser()
    alice.register("alice")
    admin = _admin(app, make_browser)
    alice_id = _user_id(admin, "alice")
    assert admin.form(f"/admin/users/{alice_id}/disable", {}).status_code == 302
    assert alice.api("GET", "/api/me").status_code == 401
    refused = make_browser().login("alice")
    assert refused.status_code == 401 and "disabled" in refused.get_data(as_text=True)
    row = _row(admin.get("/admin/users").get_data(as_text=True), "alice")
    assert "Enable" in row and "Delete alice" in row
    assert admin.form(f"/admin/users/{alice_id}/delete", {"confirm": "alice"}).status_code == 302
    assert 'data-user="alice"' not in admin.get("/admin/users").get_data(as_text=True)
