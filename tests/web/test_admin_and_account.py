"""Admin pages (no password hashes anywhere) and deleting an account with all its data."""

from __future__ import annotations

import boto3
import pytest
from flask import Flask

from snapstream_runtime import lifecycle
from snapstream_runtime.adapters.table import Table
from snapstream_runtime.lifecycle import Status
from snapstream_runtime.settings import Settings
from tests.runtime.deletion_support import DeletionQueue, settle
from tests.web.browser import PASSWORD, BrowserFactory
from tests.web.mailbox import sent
from tests.web.media_helpers import upload


def test_admin_sees_users_uploads_and_failures(
    app: Flask, make_browser: BrowserFactory, web_settings: Settings
) -> None:
    alice, admin = make_browser(), make_browser()
    alice.register("alice")
    admin.register("root")
    app.test_cli_runner().invoke(args=["promote", "root@example.com"])
    media_id = upload(alice, web_settings, name="broken.png")
    table = Table(web_settings.table_name)
    media = lifecycle.load(table, media_id)
    assert media is not None
    lifecycle.transition(table, media, Status.FAILED, reason="the transcoder gave up")

    users = admin.get("/admin/users")
    text = users.get_data(as_text=True)
    assert "alice@example.com" in text and "scrypt" not in text
    api_users = admin.api("GET", "/api/admin/users").json
    assert {u["username"] for u in api_users["items"]} == {"alice", "root"}
    assert "password" not in str(api_users)
    failures = admin.get("/admin/failures").get_data(as_text=True)
    assert "broken.png" in failures and "the transcoder gave up" in failures
    uploads = admin.api("GET", "/api/admin/uploads?status=failed").json
    assert [r["media_id"] for r in uploads["items"]] == [media_id]
    assert admin.api("GET", "/api/admin/uploads?month=2026-13").status_code == 400
    assert admin.get(f"/media/{media_id}").status_code == 200  # admins may read
    assert admin.api("POST", f"/api/media/{media_id}/tags", {"tag": "x1"}).status_code == 404


@pytest.mark.usefixtures("as_deletion_function")
def test_deleting_the_account_removes_everything_of_it_only(
    app: Flask,
    make_browser: BrowserFactory,
    web_settings: Settings,
    deletion_queue: DeletionQueue,
) -> None:
    alice, bob, admin = make_browser(), make_browser(), make_browser()
    alice.register("alice")
    bob.register("bob")
    admin.register("root")
    app.test_cli_runner().invoke(args=["promote", "root@example.com"])
    mine = [upload(alice, web_settings, name=f"a{n}.png") for n in range(3)]
    alice.api("POST", f"/api/media/{mine[0]}/tags", {"tag": "harbour"})
    theirs = upload(bob, web_settings, name="b.png")
    refused = alice.form("/profile/delete", {"password": "not my password"})
    assert refused.status_code == 302 and lifecycle.load(Table(web_settings.table_name), mine[0])

    assert alice.form("/profile/delete", {"password": PASSWORD}).status_code == 302
    # At once: logged out everywhere, no login, off the admins' list; the address still taken.
    assert alice.get("/library").status_code == 302
    assert make_browser().login("alice").status_code == 401
    users = admin.api("GET", "/api/admin/users").json["items"]
    assert {u["username"] for u in users} == {"bob", "root"}
    # registering the address answers as always; the owner is told it is still being deleted
    assert make_browser().sign_up("alice2", email="alice@example.com").status_code == 200
    assert sent("alice@example.com")[-1].subject == "Your SnapStream account is still being deleted"

    settle(deletion_queue)
    items = boto3.client("dynamodb").scan(TableName=web_settings.table_name)["Items"]
    # "alice2", given with alice's taken address, is held for no account until its TTL
    [held] = [i for i in items if i["pk"]["S"] == "USERNAME#alice2"]
    assert held["user_id"] == {"S": ""} and "expires_at" in held
    dump = str([i for i in items if i is not held])
    assert "alice" not in dump and all(m not in dump for m in mine)
    assert theirs in dump
    listing = boto3.client("s3").list_object_versions(Bucket=web_settings.uploads_bucket)
    keys = [v["Key"] for v in listing.get("Versions", [])]
    assert len(keys) == 1 and theirs in keys[0]
    assert make_browser().login("alice").status_code == 401
    # the e-mail address can be registered again
    assert make_browser().register("alice").status_code == 302
