"""Page cursors over DynamoDB's LastEvaluatedKey: signed by the site, bound to their query.

A cursor is ``<key>.<tag>``: the last key a page read (compact JSON, base64url) and a truncated
HMAC-SHA256 over the query it came from (list, index, partition value, filters) and that key.
The MAC key is passed in by the caller (:class:`Cursors`; the site derives it from its session
secret); nothing here reads a secret. A cursor this site did not issue for this very query —
made up, altered, another user's, another search's, filter's or list's, or signed with a key
since rotated — raises :class:`BadCursor`, whose message is written for people. Even a cursor
with a good MAC must match the index's key schema (exactly its key attributes, strings, the
query's partition), so nothing unexpected ever reaches a Query.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from snapstream_runtime.adapters.table import KeyQuery, Table

MAX_CURSOR_LENGTH = 2048
#: the most items one page reads, whatever the caller asks for
MAX_PAGE = 100
TABLE_KEY = ("pk", "sk")
_TAG_BYTES = 16
_DERIVATION = b"snapstream/page-cursors/v1"
_SHAPE = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+", re.ASCII)
_DAMAGED = "the page link is not valid (it may be cut short): start again from the first page"
_FOREIGN = (
    "this page link belongs to another search or list, or has expired: "
    "start again from the first page"
)


class BadCursor(ValueError):
    """A page cursor this site did not issue for this query; the message is for people."""


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    cursor: str | None


def index_key(
    index: str, *, partition: str | None = None, sort: str | None = None
) -> tuple[str, ...]:
    """The attributes of a LastEvaluatedKey read from ``index`` (its keys and the table's); an
    index's keys are ``<index>pk``/``<index>sk`` unless it shares another's (``partition``,
    ``sort``)."""
    return (*TABLE_KEY, partition or f"{index}pk", sort or f"{index}sk")


@dataclass(frozen=True)
class PageQuery:
    """What a cursor is bound to: which list, which partition, which key schema and filters."""

    name: str
    partition: tuple[str, str]
    key_attributes: tuple[str, ...] = TABLE_KEY
    bound_to: tuple[str, ...] = ()

    def scope(self) -> bytes:
        parts = [self.name, *self.partition, *self.key_attributes, *self.bound_to]
        return json.dumps(parts, separators=(",", ":")).encode()

    def check(self, key: object) -> dict[str, str]:
        """``key`` if it has exactly this index's key attributes and this query's partition."""
        attribute, value = self.partition
        if (
            not isinstance(key, dict)
            or set(key) != set(self.key_attributes)
            or not all(isinstance(v, str) and v for v in key.values())
            or key[attribute] != value
        ):
            raise BadCursor(_FOREIGN)
        return key


class Cursors:
    """Signs and checks page cursors with a key the caller holds."""

    def __init__(self, key: bytes) -> None:
        if len(key) < 16:
            raise ValueError("a cursor key has at least 16 bytes")
        self._key = key

    @classmethod
    def from_secret(cls, secret: str) -> Cursors:
        """A key of its own, derived from the site's session secret: a cursor's MAC can never
        pass for a session signature, nor the reverse."""
        return cls(hmac.new(secret.encode(), _DERIVATION, hashlib.sha256).digest())

    def _tag(self, query: PageQuery, payload: bytes) -> bytes:
        signed = query.scope() + b"\n" + payload
        return hmac.new(self._key, signed, hashlib.sha256).digest()[:_TAG_BYTES]

    def encode(self, last_key: Mapping[str, Any] | None, query: PageQuery) -> str | None:
        """The cursor for the page after ``last_key`` (the last key a page read), or None."""
        if not last_key:
            return None
        payload = json.dumps(last_key, separators=(",", ":"), sort_keys=True).encode()
        return f"{_b64(payload)}.{_b64(self._tag(query, payload))}"

    def decode(self, cursor: str | None, query: PageQuery) -> dict[str, str] | None:
        """The start key (plain strings) ``cursor`` stands for, if this site issued it for
        ``query``; :class:`BadCursor` otherwise."""
        if not cursor:
            return None
        if len(cursor) > MAX_CURSOR_LENGTH or not _SHAPE.fullmatch(cursor):
            raise BadCursor(_DAMAGED)
        encoded_payload, encoded_tag = cursor.split(".")
        payload, tag = _unb64(encoded_payload), _unb64(encoded_tag)
        if not hmac.compare_digest(tag, self._tag(query, payload)):
            raise BadCursor(_FOREIGN)
        try:
            key = json.loads(payload)
        except ValueError as error:  # a MAC over bad JSON: only with a leaked key
            raise BadCursor(_FOREIGN) from error
        return query.check(key)


def query_page(
    table: Table,
    request: KeyQuery,
    query: PageQuery,
    *,
    cursors: Cursors,
    cursor: str | None,
    limit: int,
) -> Page:
    """One page of ``request`` (at most ``limit`` items read, 1 to :data:`MAX_PAGE`) resumed
    where ``cursor`` left off, with the next page's cursor."""
    start = cursors.decode(cursor, query)
    items, last = table.page(request, limit=max(1, min(limit, MAX_PAGE)), start=start)
    return Page(items, cursors.encode(last, query))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as error:
        raise BadCursor(_DAMAGED) from error
