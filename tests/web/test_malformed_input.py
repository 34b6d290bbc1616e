"""No malformed input is a 5xx: every route of the site and every method it has, anonymous and
logged in (with and without the CSRF token), with a generated set of hostile values in the path,
the query string, form fields and JSON bodies.

The routes come from Flask's URL map, so a route added later is walked too. Each request comes
from its own client address, so the login throttle's per-address delays never kick in.
"""

from __future__ import annotations

import base64
import itertools
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from werkzeug.routing import Rule
from werkzeug.security import generate_password_hash

from snapstream_web import accounts
from snapstream_web.config import WebConfig
from tests.web.browser import BASE, Browser, BrowserFactory
from tests.web.media_helpers import upload

#: every query argument and form field any route reads, more or less
NAMES = [
    "cursor", "limit", "kind", "status", "tag", "month", "ids", "prefix", "next", "token",
    "code", "email", "username", "password", "confirm", "current", "new", "enabled",
    "file_name", "content_type", "size", "session", "session_id", "user_id", "id",
]  # fmt: skip
TEXT = [
    "",
    " ",
    "²",
    "٣٤",
    "-1",
    "0",
    "1.5",
    "1e400",
    "NaN",
    "-Infinity",
    "9" * 40,
    "true",
    "null",
    "<script>alert(1)</script>",
    "\"'><img src=x onerror=alert(1)>",
    "' OR '1'='1' --",
    "\x00\x01\x7f",
    "%00%ff",
    "../../etc/passwd",
    "ß" * 600,
    "\U0001d518" * 300,
    "x" * 5000,
    "a@b.c<script>",
    "{{7*7}}${7*7}",
    base64.urlsafe_b64encode(json.dumps({"pk": "USER#x"}).encode()).decode(),
    "0" * 32,
]
BODIES: list[bytes] = [
    b"not json",
    b"{",
    b"[]",
    b"null",
    b'"text"',
    b"1e400",
    b"[" * 30_000,
    b'{"size": Infinity, "file_name": "a.png", "content_type": "image/png"}',
    b'{"size": NaN, "enabled": NaN, "tag": NaN}',
    b'{"size": 1e400, "file_name": "a.mp4", "content_type": "video/mp4"}',
    b'{"size": 10.5, "file_name": "a.png", "content_type": "image/png"}',
    b'{"size": true, "file_name": "a.png", "content_type": "image/png"}',
    b'{"size": "12", "file_name": "a.png", "content_type": "image/png"}',
    b'{"size": -1, "file_name": "a.png", "content_type": "image/png"}',
    b'{"size": 1' + b"0" * 40 + b', "file_name": "a.png", "content_type": "image/png"}',
    b'{"size": 10, "file_name": ["a.png"], "content_type": {"x": 1}}',
    b'{"tag": ["x"], "enabled": "yes", "email": {"$ne": ""}, "password": null}',
    b'{"tag": "' + b"x" * 5000 + b'", "enabled": 1, "code": 123456}',
    b'{"email": "<b>@x.com", "password": "' + b"p" * 300 + b'", "code": "\\u0000"}',
    b'{"file_name": "<svg onload=alert(1)>.png", "content_type": "text/html", "size": 10}',
    b"\xff\xfe\x00",
]


@dataclass(frozen=True)
class Attempt:
    path: str
    query: dict[str, str]
    form: dict[str, str] | None
    body: bytes | None


def _path_values(rule: Rule, own: str, theirs: str) -> Iterator[dict[str, str]]:
    """Values for the rule's path parameters: real and foreign ids, then hostile text."""
    converters = {name: type(c).__name__ for name, c in rule._converters.items()}
    ids = itertools.cycle([own, theirs, "0" * 32])
    texts = itertools.cycle(TEXT)
    while True:
        values = {}
        for name, kind in converters.items():
            if kind == "MediaIdConverter":
                values[name] = next(ids)
            elif kind == "PathConverter":
                values[name] = next(iter(["app.css", "../../app.py", "x/../../y"]))
            else:
                values[name] = next(texts) or "x"
        yield values


#: sent to every route (in forms, query strings and JSON bodies); the rest rotate over routes
CORE_TEXT = ["²", "٣٤", "1e400", "<script>alert(1)</script>", TEXT[-2]]
CORE_BODIES = [BODIES[6], BODIES[7], BODIES[1], BODIES[15], BODIES[8]]


def _attempts(rule: Rule, ids: tuple[str, str], pairs: int, offset: int) -> Iterator[Attempt]:
    """``pairs`` times a form and a JSON body: the core values first, then values picked by
    ``offset`` (so that every hostile value reaches some of the routes)."""
    paths = _path_values(rule, *ids)
    for k in range(pairs):
        rotating = TEXT[(offset + k) % len(TEXT)]
        text = CORE_TEXT[k] if k < len(CORE_TEXT) else rotating
        body = CORE_BODIES[k] if k < len(CORE_BODIES) else BODIES[(offset + k) % len(BODIES)]
        for query_text, form, json_body in [(text, True, None), (rotating, False, body)]:
            path = rule.rule
            for name, value in next(paths).items():
                path = path.replace(f"<{_spec(rule, name)}>", quote(value, safe=""))
            query = dict.fromkeys(NAMES, query_text)
            yield Attempt(path, query, dict.fromkeys(NAMES, text) if form else None, json_body)


def _spec(rule: Rule, name: str) -> str:
    """The placeholder as written in the rule (``media_id:media_id``, ``path:filename``)."""
    for part in rule.rule.split("<")[1:]:
        spec = part.split(">")[0]
        if spec.split(":")[-1] == name:
            return spec
    raise AssertionError(name)


def _send(browser: Browser, method: str, attempt: Attempt, number: int, *, csrf: bool) -> Any:
    token = browser.csrf() if csrf else "forged-token"
    headers = {"X-CSRF-Token": token}
    form = {**(attempt.form or {}), "csrf_token": token} if attempt.form is not None else None
    return browser.client.open(
        attempt.path,
        method=method,
        query_string=attempt.query,
        data=form if form is not None else attempt.body,
        content_type=None if form is not None else "application/json",
        headers=headers,
        base_url=BASE,
        environ_base={
            "REMOTE_ADDR": f"10.{number // 65536 % 256}.{number // 256 % 256}.{number % 256}"
        },
    )


def _walk(
    app: Flask, browser: Browser, ids: tuple[str, str], *, csrf: bool, pairs: int, writes: bool
) -> tuple[int, list[str]]:
    """Every rule and method (only the state-changing ones unless ``writes``), ``pairs`` times a
    form and a JSON body (OPTIONS: once): how many requests were sent, and the 5xx answers."""
    sent, failures = 0, []
    ending = ("logout", "session")  # routes that may end the session: last
    rules = sorted(app.url_map.iter_rules(), key=lambda r: any(w in r.rule for w in ending))
    for number, rule in enumerate(rules):
        methods = (rule.methods or set()) - {"HEAD"} - (set() if writes else {"GET", "OPTIONS"})
        for method in sorted(methods):
            for attempt in _attempts(rule, ids, 1 if method == "OPTIONS" else pairs, number):
                sent += 1
                response = _send(browser, method, attempt, sent, csrf=csrf)
                if response.status_code >= 500:
                    sample = attempt.body[:40] if attempt.body else attempt.query["cursor"][:40]
                    failures.append(
                        f"{response.status_code} {method} {attempt.path[:80]} {sample!r}"
                    )
    return sent, failures


def _cheap_hash(password: str, method: str = "scrypt") -> str:
    return generate_password_hash(password, method="scrypt:1024:8:1")


def test_no_route_answers_malformed_input_with_a_5xx(
    app: Flask,
    make_browser: BrowserFactory,
    web_config: WebConfig,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    walker, other, anonymous = make_browser(), make_browser(), make_browser()
    with monkeypatch.context() as cheap:  # the walker's password checks cost little (speed)
        cheap.setattr(accounts, "generate_password_hash", _cheap_hash)
        walker.register("walker")
    app.test_cli_runner().invoke(args=["promote", "walker@example.com"])  # admin routes too
    other.register("other")
    ids = (upload(walker, web_config.settings, name="own.png"), upload(other, web_config.settings))

    started = time.perf_counter()
    runs = [
        _walk(app, anonymous, ids, csrf=True, pairs=1, writes=True),
        _walk(app, walker, ids, csrf=False, pairs=1, writes=False),
    ]
    walker.login("walker")
    runs.append(_walk(app, walker, ids, csrf=True, pairs=5, writes=True))
    sent = sum(n for n, _ in runs)
    print(f"{sent} requests in {time.perf_counter() - started:.1f} s")
    failures = [f for _, found in runs for f in found]
    assert not failures, "\n".join(failures[:40])
    assert sent > 700
