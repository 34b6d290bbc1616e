"""Fingerprinted static URLs: ``/static/app.css?v=<content hash>``, cached for a year.

CloudFront caches ``/static/*`` by path and ``v`` (SiteDistribution), so a new release's files
get new URLs and nobody is served last release's script.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import Any

from flask import Flask, Response, request

VERSION_PARAMETER = "v"
#: A fingerprinted URL names one content forever.
IMMUTABLE = "public, max-age=31536000, immutable"


@cache
def fingerprint(folder: str, filename: str) -> str:
    """The first 16 hex digits of the file's SHA-256 (empty if it does not exist)."""
    path = Path(folder, filename)
    if not path.is_file():
        return ""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def install(app: Flask) -> None:
    folder = str(app.static_folder)

    @app.url_defaults
    def _add_version(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint == "static" and VERSION_PARAMETER not in values:
            version = fingerprint(folder, str(values.get("filename", "")))
            if version:
                values[VERSION_PARAMETER] = version

    @app.after_request
    def _cache_fingerprinted(response: Response) -> Response:
        if request.endpoint == "static" and response.status_code == 200:
            version = request.args.get(VERSION_PARAMETER, "")
            filename = str((request.view_args or {}).get("filename", ""))
            if version and version == fingerprint(folder, filename):
                response.headers["Cache-Control"] = IMMUTABLE
        return response
