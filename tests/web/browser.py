"""A test-client session that behaves like a browser on the HTTPS site: keeps cookies, reads
the CSRF token from pages, submits forms and API calls with it."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, cast

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from snapstream_web.verification import VERIFY_PATH
from tests.web.mailbox import sent

BASE = "https://snapstream.test"
_CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')
PASSWORD = "correct horse battery"


class JsonResponse(TestResponse):
    """A response whose ``json`` is typed as whatever the JSON holds (tests index into it)."""

    @property
    def json(self) -> Any:
        return self.get_json(silent=True)


class Browser:
    def __init__(self, app: Flask) -> None:
        self.client = FlaskClient(app, JsonResponse, use_cookies=True)
        self._csrf: str | None = None

    def get(self, path: str, **kwargs: Any) -> JsonResponse:
        path = path.split("#", 1)[0]  # a browser never sends the fragment
        response = cast(JsonResponse, self.client.get(path, base_url=BASE, **kwargs))
        found = (
            _CSRF.search(response.get_data(as_text=True))
            if response.mimetype == "text/html"
            else None
        )
        if found:
            self._csrf = found.group(1)
        return response

    def csrf(self) -> str:
        if self._csrf is None:
            self._csrf = self.get("/api/session").json["csrf_token"]
        return self._csrf

    def form(self, path: str, data: dict[str, str], *, csrf: bool = True) -> JsonResponse:
        """POST a form; the response is read and closed at once, as a browser's would be (what
        the site does after sending a response, such as mail, has then run). For an e-mailed
        link's ``path#token``, the token goes into the form, as ``link_token.js`` puts it."""
        path, _, token = path.partition("#")
        payload = {**data, **({"token": token} if token else {})}
        payload |= {"csrf_token": self.csrf()} if csrf else {}
        response = self.client.post(path, data=payload, base_url=BASE, buffered=True)
        return cast(JsonResponse, response)

    def api(self, method: str, path: str, body: Any = None, *, csrf: bool = True) -> JsonResponse:
        headers = {"X-CSRF-Token": self.csrf()} if csrf and method != "GET" else {}
        response = self.client.open(path, method=method, json=body, headers=headers, base_url=BASE)
        return cast(JsonResponse, response)

    def sign_up(self, name: str, *, password: str = PASSWORD, email: str = "") -> JsonResponse:
        """The registration form alone (its answer: "check your inbox")."""
        return self.form(
            "/register",
            {
                "email": email or f"{name}@example.com",
                "username": name,
                "password": password,
                "confirm": password,
            },
        )

    def register(self, name: str, *, password: str = PASSWORD) -> JsonResponse:
        """Register ``name``@example.com, follow the verification link the site mailed, log in:
        the login's answer (the registration's when it mailed no verification link)."""
        address = f"{name}@example.com"
        before = len(sent(address))
        response = self.sign_up(name, password=password)
        links = [m for m in sent(address)[before:] if VERIFY_PATH in m.body]
        if response.status_code != 200 or not links:
            return response
        self.confirm(links[-1].link(VERIFY_PATH))
        return self.login(name, password=password)

    def confirm(self, path: str) -> JsonResponse:
        """Open an e-mail verification link and press its button."""
        self.get(path)
        return self.form(path, {})

    def login(self, name: str, *, password: str = PASSWORD) -> JsonResponse:
        response = self.form("/login", {"email": f"{name}@example.com", "password": password})
        self._csrf = None
        return response


BrowserFactory = Callable[[], Browser]
