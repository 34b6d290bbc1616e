"""The OpenAPI document describes every JSON route with its methods."""

from __future__ import annotations

import re

from flask import Flask

from tests.web.browser import Browser


def test_every_api_route_is_documented(app: Flask, browser: Browser) -> None:
    document = browser.get("/api/openapi.json").json
    assert document["openapi"].startswith("3.1")
    paths = document["paths"]
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        assert path in paths, path
        for method in rule.methods - {"HEAD", "OPTIONS"}:  # type: ignore[operator]
            operation = paths[path][method.lower()]
            assert operation["responses"], (path, method)
    documented = {(p, m) for p, ops in paths.items() for m in ops}
    assert len(documented) >= 20
