"""What the web tier lists: a user's library, all uploads (admins), the dashboard counters.

Each is one Query or GetItem whatever the table size (ARCHITECTURE.md data model).
"""

from __future__ import annotations

from snapstream_runtime import keys
from snapstream_runtime.adapters.table import KeyQuery, Table
from snapstream_runtime.lifecycle import DASHBOARD_COUNTER, UNREAD_COUNTER, UPLOADS_COUNTER
from snapstream_runtime.pagination import Cursors, Page, PageQuery, index_key, query_page


def _newest_first(index: str, pk: str, **equal: str | None) -> KeyQuery:
    """One partition of ``index``, newest first, with optional equality filters (kind,
    status): they thin a page, never widen what is read."""
    wanted = {name: value for name, value in equal.items() if value}
    return KeyQuery(
        f"{index}pk = :pk",
        {":pk": pk, **{f":{name}": value for name, value in wanted.items()}},
        index=index,
        filter=" AND ".join(f"#{name} = :{name}" for name in wanted) or None,
        names={f"#{name}": name for name in wanted},
        descending=True,
    )


def library_page(
    table_name: str,
    owner_id: str,
    *,
    cursors: Cursors,
    limit: int = 24,
    cursor: str | None = None,
    kind: str | None = None,
    status: str | None = None,
) -> Page:
    """The owner's media, newest first (GSI1 ``OWNER#<owner>``)."""
    pk = keys.owner_index_pk(owner_id)
    query = PageQuery(
        "library",
        ("gsi1pk", pk),
        index_key("gsi1"),
        (f"kind={kind or ''}", f"status={status or ''}"),
    )
    request = _newest_first("gsi1", pk, kind=kind, status=status)
    return query_page(
        Table(table_name), request, query, cursors=cursors, cursor=cursor, limit=limit
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
    """Every user's uploads of one month (``2026-11``), newest first (GSI2) — for admins."""
    pk = keys.all_uploads_index_pk(f"{month}-01")
    query = PageQuery("all-uploads", ("gsi2pk", pk), index_key("gsi2"), (f"status={status or ''}",))
    request = _newest_first("gsi2", pk, status=status)
    return query_page(
        Table(table_name), request, query, cursors=cursors, cursor=cursor, limit=limit
    )


def dashboard(table_name: str, owner_id: str) -> dict[str, int]:
    """Totals from the counters the status machine keeps (never by counting items)."""
    profile = Table(table_name).get(keys.user_pk(owner_id), keys.PROFILE_SK) or {}
    names = {UPLOADS_COUNTER, UNREAD_COUNTER, *DASHBOARD_COUNTER.values()}
    return {name.removeprefix("count_"): int(profile.get(name, 0)) for name in sorted(names)}
