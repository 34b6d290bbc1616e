"""Query arguments the pages and the API read the same way: page cursors, page sizes, months.

Page cursors are signed with a key derived from the site's session secret and bound to their
query (runtime ``pagination.py``); every number is plain ASCII digits within range. Anything
else is a 400 with a message written for people, never Python's own words.
"""

from __future__ import annotations

import re

from flask import abort, request

from snapstream_runtime.clock import utc_now
from snapstream_runtime.pagination import Cursors
from snapstream_web import security

MAX_PAGE = 100
_DIGITS = re.compile(r"[0-9]{1,6}", re.ASCII)
_MONTH = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])", re.ASCII)


def cursors() -> Cursors:
    """The site's page-cursor signer (its key derived from the session secret)."""
    return Cursors.from_secret(security.web_config().secret_key)


def cursor_argument() -> str | None:
    return request.args.get("cursor") or None


def limit_argument(default: int) -> int:
    """``?limit=``: a whole number from 1 to 100 (``default`` when absent)."""
    raw = request.args.get("limit")
    if raw is None:
        return default
    if not _DIGITS.fullmatch(raw) or not 1 <= int(raw) <= MAX_PAGE:
        abort(400, description=f"limit must be a whole number from 1 to {MAX_PAGE}")
    return int(raw)


#: the library's query arguments: type and status filters, title words, tag, order
LIBRARY_ARGUMENTS = ("kind", "status", "q", "tag", "sort")


def library_arguments() -> dict[str, str | None]:
    """``?kind=&status=&q=&tag=&sort=`` as given, trimmed (empty ones as None; checked by the
    library)."""
    return {name: (request.args.get(name) or "").strip() or None for name in LIBRARY_ARGUMENTS}


def library_back() -> dict[str, str]:
    """The library list a form was posted from (its ``back_<argument>`` fields), to return to."""
    return {
        name: value for name in LIBRARY_ARGUMENTS if (value := request.form.get(f"back_{name}"))
    }


def month_argument() -> str:
    """``?month=2026-11`` (this month when absent)."""
    month = request.args.get("month") or utc_now().strftime("%Y-%m")
    if not _MONTH.fullmatch(month):
        abort(400, description="month must look like 2026-11")
    return month
