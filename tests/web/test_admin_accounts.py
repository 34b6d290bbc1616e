"""Administrators disable an account (it is logged out everywhere and cannot log in) and enable
it again."""

from __future__ import annotations

from flask import Flask

from snapstream_runtime.settings import Settings
from tests.web.browser import BrowserFactory
from tests.web.session_support import stored_sessions


def _user_id(admin_page: str, username: str) -> str:
    row = admin_page.split(f'data-user="{username}"', 1)[1].split("</tr>", 1)[0]
    return row.split("/admin/users/", 1)[1].split("/", 1)[0]


def test_an_admin_disables_and_enables_an_account(
    app: Flask, make_browser: BrowserFactory, web_settings: Settings
) -> None:
    alice, alice_phone, admin = make_browser(), make_browser(), make_browser()
    alice.register("alice")
    alice_phone.login("alice")
    admin.register("root")
    app.test_cli_runner().invoke(args=["promote", "root@example.com"])
    page = admin.get("/admin/users").get_data(as_text=True)
    uid = _user_id(page, "alice")

    assert admin.form(f"/admin/users/{uid}/disable", {}).status_code == 302
    assert alice.api("GET", "/api/me").status_code == 401
    assert alice_phone.get("/library").status_code == 302
    assert all(s["user_id"]["S"] != uid for s in stored_sessions(web_settings))
    refused = make_browser().login("alice")
    assert refused.status_code == 401 and "disabled" in refused.get_data(as_text=True)
    listed = admin.api("GET", "/api/admin/users").json["items"]
    assert {u["username"]: u["disabled"] for u in listed} == {"alice": True, "root": False}
    assert "Enable" in admin.get("/admin/users").get_data(as_text=True)

    assert admin.form(f"/admin/users/{uid}/enable", {}).status_code == 302
    assert make_browser().login("alice").status_code == 302


def test_only_admins_disable_and_never_themselves(app: Flask, make_browser: BrowserFactory) -> None:
    alice, admin = make_browser(), make_browser()
    alice.register("alice")
    admin.register("root")
    app.test_cli_runner().invoke(args=["promote", "root@example.com"])
    page = admin.get("/admin/users").get_data(as_text=True)
    alice_id = _user_id(page, "alice")
    me = admin.api("GET", "/api/me").json["user_id"]

    assert alice.form(f"/admin/users/{alice_id}/disable", {}).status_code == 403
    assert admin.form(f"/admin/users/{me}/disable", {}).status_code == 400
    assert admin.form(f"/admin/users/{'0' * 32}/disable", {}).status_code == 404
    assert admin.form("/admin/users/not-an-id/disable", {}).status_code == 404
    assert admin.form(f"/admin/users/{alice_id}/disable", {}, csrf=False).status_code == 400
    assert alice.api("GET", "/api/me").status_code == 200
