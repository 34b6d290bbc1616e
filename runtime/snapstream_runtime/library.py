"""What the web tier lists: a user's library, all uploads (admins), the dashboard counters.

Each is one Query or GetItem whatever the table size (ARCHITECTURE.md data model). A filtered
list reads an index that holds exactly that list (:mod:`snapstream_runtime.listings`), never
GSI1 with a FilterExpression: a page of ``?kind=video`` reads videos only, is full whenever
there are that many, and its cursor continues exactly after its last item.
"""

from __future__ import annotations

from dataclasses import dataclass

from snapstream_runtime import keys, listings
from snapstream_runtime.adapters.table import KeyQuery, Table
from snapstream_runtime.lifecycle import DASHBOARD_COUNTER, UNREAD_COUNTER, UPLOADS_COUNTER
from snapstream_runtime.pagination import Cursors, Page, PageQuery, index_key, query_page

NEWEST, OLDEST, NAME = "newest", "oldest", "name"
#: the orders a list can be read in (by date either way, or by title from A)
SORTS = (NEWEST, OLDEST, NAME)


class UnsupportedList(ValueError):
    """A combination of filters and order no index serves; the message is for people."""


@dataclass(frozen=True)
class _Listing:
    """One partition of one index: the list as stored, in its sort key's order."""

    index: str
    partition_key: str
    partition: str
    sort_key: str

    def page(
        self,
        table_name: str,
        name: str,
        *,
        sort: str,
        cursors: Cursors,
        cursor: str | None,
        limit: int,
        bound_to: tuple[str, ...],
    ) -> Page:
        query = PageQuery(
            name,
            (self.partition_key, self.partition),
            index_key(self.index, partition=self.partition_key, sort=self.sort_key),
            (*bound_to, f"sort={sort}"),
        )
        request = KeyQuery(
            f"{self.partition_key} = :pk",
            {":pk": self.partition},
            index=self.index,
            descending=sort == NEWEST,
        )
        return query_page(
            Table(table_name), request, query, cursors=cursors, cursor=cursor, limit=limit
        )


def _indexed(index: str, partition: str) -> _Listing:
    partition_key, sort_key = listings.INDEXES[index]
    return _Listing(index, partition_key, partition, sort_key)


def _owner_listing(owner_id: str, kind: str | None, status: str | None, sort: str) -> _Listing:
    if sort not in SORTS:
        raise UnsupportedList(f"the order is one of {', '.join(SORTS)}")
    if sort == NAME:
        if kind or status:
            raise UnsupportedList(
                "sorting by name lists the whole library: clear the type and status filters, "
                "or list them newest or oldest first"
            )
        return _indexed(listings.NAME_INDEX, keys.owner_index_pk(owner_id))
    if kind and status:
        pk = keys.kind_status_index_pk(owner_id, kind, status)
        return _indexed(listings.KIND_STATUS_INDEX, pk)
    if kind:
        return _indexed(listings.KIND_INDEX, keys.kind_index_pk(owner_id, kind))
    if status:
        return _indexed(listings.STATUS_INDEX, keys.status_index_pk(owner_id, status))
    return _Listing("gsi1", "gsi1pk", keys.owner_index_pk(owner_id), "gsi1sk")


def library_page(
    table_name: str,
    owner_id: str,
    *,
    cursors: Cursors,
    limit: int = 24,
    cursor: str | None = None,
    kind: str | None = None,
    status: str | None = None,
    sort: str = NEWEST,
) -> Page:
    """The owner's media, newest first (or oldest first, or by name), of one kind and/or in one
    status: one Query of the index holding exactly that list (:class:`UnsupportedList` for a
    name order with filters, which no index holds)."""
    listing = _owner_listing(owner_id, kind, status, sort)
    return listing.page(
        table_name,
        "library",
        sort=sort,
        cursors=cursors,
        cursor=cursor,
        limit=limit,
        bound_to=(f"kind={kind or ''}", f"status={status or ''}"),
    )


def all_uploads_page(
    table_name: str,
    month: str,
    *,
    cursors: Cursors,
    limit: int = 50,
    cursor: str | None = None,
    status: str | None = None,
) -> Page:
    """Every user's uploads of one month (``2026-11``), newest first (GSI2, or GSI7 for one
    status) — for admins."""
    listing = (
        _indexed(listings.MONTH_STATUS_INDEX, keys.month_status_index_pk(month, status))
        if status
        else _Listing("gsi2", "gsi2pk", keys.all_uploads_index_pk(f"{month}-01"), "gsi2sk")
    )
    return listing.page(
        table_name,
        "all-uploads",
        sort=NEWEST,
        cursors=cursors,
        cursor=cursor,
        limit=limit,
        bound_to=(f"status={status or ''}",),
    )


def dashboard(table_name: str, owner_id: str) -> dict[str, int]:
    """Totals from the counters the status machine keeps (never by counting items)."""
    profile = Table(table_name).get(keys.user_pk(owner_id), keys.PROFILE_SK) or {}
    names = {UPLOADS_COUNTER, UNREAD_COUNTER, *DASHBOARD_COUNTER.values()}
    return {name.removeprefix("count_"): int(profile.get(name, 0)) for name in sorted(names)}
