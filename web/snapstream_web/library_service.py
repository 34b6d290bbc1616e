"""A page of the owner's library: the whole of it or one kind or status of it, newest or oldest
first or by name, or a search by title words or by tag. Both the pages and the JSON API call
:func:`library`, so both apply the same checks.

Constant work per page: one Query (of the index holding exactly that list, runtime
``library``), plus, for a search, one BatchGetItem for the records its items point at. A search
combined with a type or status filter checks them on those records, so such a page can be
short; its cursor still continues exactly.
"""

from __future__ import annotations

from typing import Any

from snapstream_runtime import lifecycle, tags, title_search
from snapstream_runtime.adapters.table import Table
from snapstream_runtime.library import NAME, NEWEST, OLDEST, SORTS, UnsupportedList, library_page
from snapstream_runtime.lifecycle import Status
from snapstream_runtime.pagination import Cursors, Page
from snapstream_runtime.settings import Settings
from snapstream_web.media_service import KINDS, STATUSES, BadFilter, card

__all__ = ["NAME", "NEWEST", "OLDEST", "SORTS", "library"]


def _check(kind: str | None, status: str | None, sort: str) -> None:
    if kind not in (None, "", *KINDS) or status not in (None, "", *STATUSES):
        raise BadFilter(
            f"the type filter is one of {', '.join(KINDS)} and the status filter one of "
            f"{', '.join(STATUSES)}"
        )
    if sort not in SORTS:
        raise BadFilter(f"the order is one of {', '.join(SORTS)}")


def _found(
    settings: Settings, owner_id: str, page: Page, kind: str | None, status: str | None
) -> list[dict[str, Any]]:
    """The records a search page points at (one BatchGetItem), in its order: the owner's, not
    being deleted, of ``kind`` and in ``status`` if given."""
    media_keys = [lifecycle.media_key(m) for m in dict.fromkeys(i["media_id"] for i in page.items)]
    records = {i["media_id"]: i for i in Table(settings.table_name).get_many(media_keys)}
    shown = []
    for item in page.items:
        record = records.get(item["media_id"])
        if (
            record is not None
            and record["owner_id"] == owner_id
            and record["status"] != Status.DELETING.value
            and (not kind or record["kind"] == kind)
            and (not status or record["status"] == status)
        ):
            shown.append(record)
    return shown


def library(
    settings: Settings,
    owner_id: str,
    *,
    cursors: Cursors,
    cursor: str | None = None,
    kind: str | None = None,
    status: str | None = None,
    tag: str | None = None,
    text: str | None = None,
    sort: str = NEWEST,
    limit: int = 24,
) -> tuple[list[dict[str, Any]], str | None]:
    """A page of cards and the next page's cursor (:class:`BadFilter` for what cannot be
    listed, with a message for people)."""
    _check(kind, status, sort)
    if tag and text:
        raise BadFilter("search by title words or by tag, one at a time")
    filters = (f"kind={kind or ''}", f"status={status or ''}")
    if (tag or text) and sort == NAME:
        raise BadFilter("search results are listed newest or oldest first, not by name")
    try:
        if text:
            page = title_search.search(
                settings.table_name,
                owner_id,
                text,
                cursors=cursors,
                cursor=cursor,
                limit=limit,
                descending=sort != OLDEST,
                bound_to=filters,
            )
        elif tag:
            page = tags.search(
                settings.table_name,
                owner_id,
                tag,
                cursors=cursors,
                limit=limit,
                cursor=cursor,
                bound_to=(*filters, f"sort={sort}"),
                descending=sort != OLDEST,
            )
        else:
            listing = library_page(
                settings.table_name,
                owner_id,
                cursors=cursors,
                limit=limit,
                cursor=cursor,
                kind=kind,
                status=status,
                sort=sort,
            )
            return [card(settings, i) for i in listing.items], listing.cursor
    except (title_search.BadSearch, UnsupportedList) as error:
        raise BadFilter(str(error)) from error
    return [card(settings, i) for i in _found(settings, owner_id, page, kind, status)], page.cursor
