"""Search a user's media by the first letters of title words: one Query per page, no Scan.

The longest word searched picks the partition (its first letters, :mod:`title_index`); the
other words, and a word longer than the items' prefixes, are checked on the items' spelled-out
``words`` in the same Query (a filter: such a page can hold fewer than the page size, and its
cursor still continues exactly). Results are search items (media id, creation time), newest or
oldest first; the caller reads the records.
"""

from __future__ import annotations

from snapstream_runtime import keys, title_index
from snapstream_runtime.adapters.table import KeyQuery, Table
from snapstream_runtime.pagination import Cursors, Page, PageQuery, query_page

MAX_QUERY = 100
MAX_TERMS = 5


class BadSearch(ValueError):
    """Nothing searchable in what was typed; the message is for people."""


def terms(text: str) -> list[str]:
    """The words a search looks for (at most :data:`MAX_TERMS`, two letters or more)."""
    found = [w for w in title_index.words(text[:MAX_QUERY]) if len(w) >= title_index.MIN_PREFIX]
    return found[:MAX_TERMS]


def search(
    table_name: str,
    owner_id: str,
    text: str,
    *,
    cursors: Cursors,
    limit: int = 24,
    cursor: str | None = None,
    descending: bool = True,
    bound_to: tuple[str, ...] = (),
) -> Page:
    """The owner's media with a title word starting with each word of ``text``. Cursors are
    bound to the owner, the words, the order and ``bound_to`` (the caller's own filters)."""
    words = terms(text)
    if not words:
        raise BadSearch("search titles with at least two letters or digits of a word")
    key = max(words, key=len)
    pk = keys.title_word_pk(owner_id, key[: title_index.MAX_PREFIX])
    checked = [w for w in words if w != key or len(w) > title_index.MAX_PREFIX]
    order = "newest" if descending else "oldest"
    query = PageQuery("title-search", ("pk", pk), bound_to=(*bound_to, *words, order))
    values = {f":w{i}": f" {word}" for i, word in enumerate(checked)}
    request = KeyQuery(
        "pk = :pk",
        {":pk": pk, **values},
        filter=" AND ".join(f"contains(#words, {v})" for v in values) or None,
        names={"#words": "words"} if values else {},
        descending=descending,
    )
    return query_page(
        Table(table_name), request, query, cursors=cursors, cursor=cursor, limit=limit
    )
