"""Bad input gets a clear 4xx, never a 500: page cursors, sizes, numbers, ids, e-mail addresses,
and every error's message is written for people (issue #17)."""

from __future__ import annotations

import base64
import json
import re
from typing import Any

import pytest
from flask import Flask

from snapstream_web.accounts import AccountError, normalize_email
from snapstream_web.config import WebConfig
from tests.web.browser import Browser, BrowserFactory
from tests.web.media_helpers import upload

#: what Python's own error texts look like; none may reach an answer
PYTHON_WORDS = re.compile(
    r"Traceback|invalid literal|KeyError|TypeError|ValueError|OverflowError|Expecting value|"
    r"object has no attribute|codec can't|could not convert|cannot convert|line \d+ column"
)
UPLOAD = {"file_name": "a.png", "content_type": "image/png"}


def _clear(response_text: str) -> None:
    assert not PYTHON_WORDS.search(response_text), response_text[:500]


def _unsigned(key: dict[str, Any]) -> str:
    """A cursor in the old, unsigned format (base64 of the key's JSON), as an attacker makes it."""
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode()


@pytest.fixture
def alice(app: Flask, browser: Browser) -> Browser:
    browser.register("alice")
    app.test_cli_runner().invoke(args=["promote", "alice@example.com"])
    return browser


def test_forged_and_foreign_cursors_are_a_400_on_every_list(
    alice: Browser, make_browser: BrowserFactory, web_config: WebConfig
) -> None:
    for name in ("first.png", "second.png"):
        upload(alice, web_config.settings, name=name)
    alice.api("POST", "/api/media/" + "0" * 32 + "/tags", {"tag": "x"})
    me = alice.api("GET", "/api/me").json["user_id"]
    lists = [
        "/api/media",
        "/api/media?tag=harbour",
        "/library",
        "/api/notifications",
        "/notifications",
        "/api/admin/users",
        "/admin/users",
        "/api/admin/uploads",
        "/admin/uploads",
        "/admin/failures",
    ]
    forged = [
        "%%%",
        "²",
        "x" * 5000,
        _unsigned({"pk": f"USER#{me}"}),  # the notification cursor that raised KeyError
        _unsigned({"pk": f"USER#{me}", "sk": {"S": "NOTIF#"}}),
        _unsigned({"gsi1pk": f"OWNER#{me}", "gsi1sk": 5, "pk": "x", "sk": "y"}),
        alice.api("GET", "/api/media?limit=1").json["cursor"] + "A",
    ]
    for path in lists:
        assert alice.get(path).status_code == 200, path
        for cursor in forged:
            joiner = "&" if "?" in path else "?"
            response = alice.get(f"{path}{joiner}cursor={cursor}")
            assert response.status_code == 400, (path, cursor[:40], response.status_code)
            text = response.get_data(as_text=True)
            assert "first page" in text, (path, text[:300])
            _clear(text)

    cursor = alice.api("GET", "/api/media?limit=1").json["cursor"]
    assert alice.api("GET", f"/api/media?limit=1&cursor={cursor}").status_code == 200
    assert alice.get(f"/library?cursor={cursor}").status_code == 200  # the same query
    for other in [
        f"/api/media?kind=image&cursor={cursor}",  # another filter
        f"/api/media?status=uploaded&cursor={cursor}",
        f"/api/media?tag=first&cursor={cursor}",  # another search
        f"/api/notifications?cursor={cursor}",  # another list
        f"/api/admin/uploads?cursor={cursor}",
    ]:
        assert alice.api("GET", other).status_code == 400, other
    bob = make_browser()
    bob.register("bob")
    refused = bob.api("GET", f"/api/media?cursor={cursor}")
    assert refused.status_code == 400 and "another search" in refused.json["error"]


SIZES = {
    400: [
        *["Infinity", "-Infinity", "NaN", "1e400", "1.5", "10.0", "true", "false", '"10"'],
        *['"²"', "null", "[10]", '{"bytes": 10}'],
    ],
    422: ["-1", "0", "1" + "0" * 30, "9" * 4000, str(50 * 1024**2 + 1)],
}


def test_sizes_must_be_json_integers_within_range(alice: Browser) -> None:
    for status, sizes in SIZES.items():
        for size in sizes:
            body = json.dumps(UPLOAD)[:-1] + f', "size": {size}}}'
            response = alice.client.post(
                "/api/uploads",
                data=body,
                content_type="application/json",
                headers={"X-CSRF-Token": alice.csrf()},
                base_url="https://snapstream.test",
            )
            assert response.status_code == status, (size, response.get_data(as_text=True))
            message = response.get_json()["error"]
            assert re.search(r"whole number|empty|limit|JSON", message), message
            _clear(message)
    accepted = alice.api("POST", "/api/uploads", {**UPLOAD, "size": 50 * 1024**2})
    assert accepted.status_code == 201 and accepted.json["size"] == 50 * 1024**2


def test_limits_are_plain_whole_numbers_from_1_to_100(alice: Browser) -> None:
    for limit in ["²", "٣", "0", "101", "-1", "1.5", "1e2", " 5", "5 ", "0x10", "9" * 50, "abc"]:
        response = alice.client.get(
            "/api/media", query_string={"limit": limit}, base_url="https://snapstream.test"
        )
        assert response.status_code == 400, limit
        assert response.get_json()["error"] == "limit must be a whole number from 1 to 100"
    assert alice.api("GET", "/api/media?limit=100").status_code == 200


def test_months_and_filters_are_checked_too(alice: Browser) -> None:
    for query in ["month=٢٠٢٦-11", "month=2026-11%0A", "month=2026-1", "status=deleting"]:
        response = alice.api("GET", f"/api/admin/uploads?{query}")
        assert response.status_code == 400, query
        _clear(response.json["error"])
    assert alice.api("GET", "/api/admin/uploads?month=2026-11").status_code == 200
    refused = alice.api("GET", "/api/media?kind=<b>")
    assert refused.status_code == 400 and "image, video, audio" in refused.json["error"]
    assert "<b>" not in alice.get("/library?kind=<b>").get_data(as_text=True)


def test_routes_cannot_be_misread_as_ids(alice: Browser, web_config: WebConfig) -> None:
    options = alice.client.options("/api/media/status", base_url="https://snapstream.test")
    assert set(options.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
    deleted = alice.api("DELETE", "/api/media/status")
    assert deleted.status_code == 405
    assert set(deleted.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
    assert deleted.json == {"error": deleted.json["error"], "status": 405}
    for word in ["status", "STATUS", "A" * 32, "0" * 31, "0" * 33, "g" * 32]:
        assert alice.api("GET", f"/api/media/{word}/playback").status_code == 404, word
        assert alice.get(f"/media/{word}").status_code == 404, word
    media_id = upload(alice, web_config.settings)  # existing URLs keep working
    assert alice.api("GET", f"/api/media/{media_id}").status_code == 200
    assert alice.get(f"/media/{media_id}").status_code == 200
    assert alice.api("GET", f"/api/media/status?ids={media_id}").json[media_id]


def _sample_path(rule: str) -> str:
    samples = {"media_id:media_id": "0" * 32, "path:filename": "app.css"}
    return re.sub(r"<([^>]+)>", lambda m: samples.get(m.group(1), "x"), rule)


def test_every_405_says_which_methods_are_allowed(app: Flask, alice: Browser) -> None:
    """Every method a path does not have (whatever the session and token): 405 with ``Allow``
    naming exactly the methods it has, as OPTIONS does."""
    routes = app.url_map.bind("snapstream.test")
    seen = 0
    for rule in app.url_map.iter_rules():
        path = _sample_path(rule.rule)
        allowed = set(routes.allowed_methods(path))
        for method in {"GET", "POST", "PUT", "PATCH", "DELETE"} - allowed:
            response = alice.client.open(
                path,
                method=method,
                headers={"X-CSRF-Token": alice.csrf()},
                base_url="https://snapstream.test",
            )
            assert response.status_code == 405, (path, method, response.status_code)
            assert set(response.headers["Allow"].split(", ")) == allowed, (path, method)
            seen += 1
        options = alice.client.options(path, base_url="https://snapstream.test")
        assert set(options.headers["Allow"].split(", ")) == allowed, path
    assert seen > 100
    assert alice.api("GET", "/api/me").status_code == 200  # nothing was done on the way


def test_error_messages_are_written_for_people(alice: Browser) -> None:
    headers = {"X-CSRF-Token": alice.csrf()}
    bodies = ["{", "[" * 60_000, '{"tag": NaN}', "\xff\xfe", '{"a": 1e999}']
    for body in bodies:
        for path in ["/api/uploads", "/api/media/" + "0" * 32 + "/tags", "/api/session"]:
            response = alice.client.post(
                path,
                data=body,
                content_type="application/json",
                headers=headers,
                base_url="https://snapstream.test",
            )
            assert 400 <= response.status_code < 500, (path, body[:10])
            _clear(response.get_data(as_text=True))
    too_large = alice.api("POST", "/api/uploads", {"file_name": "x" * 100_000})
    assert too_large.status_code == 413 and "64 KB" in too_large.json["error"]
    wrong_types: list[tuple[str, str, dict[str, Any]]] = [
        ("POST", "/api/uploads", {**UPLOAD, "file_name": ["a.png"], "size": 10}),
        ("PUT", "/api/notifications/email", {"enabled": "yes"}),
        ("POST", "/api/session", {"email": {"$ne": ""}, "password": ["x"]}),
    ]
    for method, path, payload in wrong_types:
        response = alice.api(method, path, payload)
        assert 400 <= response.status_code < 500, path
        _clear(response.get_data(as_text=True))


@pytest.mark.parametrize(
    "address",
    [
        "<script>alert(1)</script>@example.com",
        "alice@example.com<script>",
        "alice@<b>example</b>.com",
        '"alice"@example.com',
        "o'hara@example.com",
        "ali ce@example.com",
        "alice@exa mple.com",
        "alice@example",
        "alice@@example.com",
        "alice@-example.com",
        "älice@example.com",
        "\u212aelvin@example.com",  # KELVIN SIGN casefolds to k: never someone else's address
        "alice@example.com\n",
        "a" * 65 + "@example.com",
        "alice@" + "a" * 250 + ".com",
        "",
    ],
)
def test_email_addresses_with_markup_quotes_or_spaces_are_refused(address: str) -> None:
    if address.endswith("\n"):  # surrounding white space is trimmed, as a form field's is
        assert normalize_email(address) == address.strip()
        return
    with pytest.raises(AccountError, match="valid e-mail address"):
        normalize_email(address)


def test_plain_email_addresses_are_accepted_in_lower_case() -> None:
    assert normalize_email(" Jane.Doe+News@Example.CO.uk ") == "jane.doe+news@example.co.uk"
    assert normalize_email("x_1%2@mail-1.xn--p1ai") == "x_1%2@mail-1.xn--p1ai"
