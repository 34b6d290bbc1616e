"""What the site does with input it cannot use, and how every error answers.

- Routes cannot misread words as ids: ``<media_id:…>`` matches only 32 lower-case hex digits,
  so ``/api/media/status`` is never a media, and ``OPTIONS`` and ``Allow`` name only the
  methods a path really has.
- JSON bodies are standard JSON: ``NaN``, ``Infinity`` and numbers beyond a float's range are
  refused, and so is nesting too deep for the parser (a RecursionError would be a 500).
- Every error answers with a message written for people — JSON ``{"error", "status"}`` under
  ``/api/``, the error page elsewhere — keeping ``Allow`` (405) and ``Retry-After`` (429, 503).
  Our own input errors (a page cursor or filter the site did not issue) are 400s. No exception's
  text ever reaches an answer: anything unexpected is logged and answers a 500 in the site's
  words (the error page, in the site's layout, or the JSON error), as does an unknown address
  (404).
"""

from __future__ import annotations

import math
from typing import Any

from flask import Flask, Request, jsonify, render_template, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import BadRequest, HTTPException, RequestEntityTooLarge
from werkzeug.routing import BaseConverter

from snapstream_runtime.pagination import BadCursor
from snapstream_web.media_service import BadFilter

#: headers an error answer keeps (``Allow`` on every 405, ``Retry-After`` on 429/503)
_KEPT_HEADERS = frozenset({"Allow", "Retry-After"})
#: the site's own title and words where werkzeug would use its generic ones (a 404 keeps a
#: description the site wrote, such as "no such media"; a 500 never says anything else)
_OWN_WORDS = {
    404: (
        "Page not found",
        "there is nothing at this address: the link may be mistyped or out of date, or what it "
        "pointed to was deleted",
    ),
    500: (
        "Something went wrong on our side",
        "SnapStream could not finish this request; nothing you did caused it, and it was "
        "logged. Try again in a minute",
    ),
}


def _words(raised: HTTPException) -> tuple[str, str]:
    """The title and message an error answers with."""
    code = raised.code or 500
    title, message = raised.name, raised.description or raised.name
    if code in _OWN_WORDS and (code >= 500 or message == type(raised).description):
        title, message = _OWN_WORDS[code]
    return title, message


class MediaIdConverter(BaseConverter):
    """``<media_id:…>``: a media id, 32 lower-case hex digits, and nothing else."""

    regex = "[0-9a-f]{32}"


def _not_json(text: str) -> Any:
    raise ValueError(f"{text} is not JSON")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError("a number beyond a float's range")
    return value


class StrictJSON(DefaultJSONProvider):
    """Standard JSON only (RFC 8259), and parser failures are always a ValueError."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        kwargs.setdefault("parse_constant", _not_json)
        kwargs.setdefault("parse_float", _finite)
        try:
            return super().loads(s, **kwargs)
        except RecursionError as error:
            raise ValueError("nested too deeply") from error


class SiteRequest(Request):
    def on_json_loading_failed(self, e: ValueError | None) -> Any:
        """Never the parser's own words in an answer."""
        raise BadRequest(description="the body is not valid JSON")


def install(app: Flask, *, max_request_bytes: int) -> None:
    """Before any blueprint is registered (their routes use the converter)."""
    app.request_class = SiteRequest
    app.json = StrictJSON(app)
    app.url_map.converters["media_id"] = MediaIdConverter
    too_large = f"the request is larger than {max_request_bytes // 1024} KB (files go to storage)"

    def error(raised: HTTPException) -> Any:
        code = raised.code or 500
        title, message = _words(raised)
        if isinstance(raised, RequestEntityTooLarge):
            message = too_large
        headers = [(n, v) for n, v in raised.get_headers() if n in _KEPT_HEADERS]
        if request.path.startswith("/api/"):
            response = jsonify({"error": message, "status": code})
            response.status_code = code
            response.headers.extend(headers)
            return response
        page = render_template("error.html", code=code, name=title, message=message)
        return page, code, headers

    def bad_input(raised: BadCursor | BadFilter) -> Any:
        """Our own input errors, whose messages are written for people."""
        return error(BadRequest(description=str(raised)))

    app.register_error_handler(HTTPException, error)
    app.register_error_handler(BadCursor, bad_input)
    app.register_error_handler(BadFilter, bad_input)
