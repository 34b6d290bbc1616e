"""The sparse index of media in flight, which the stuck-media sweeper reads (GSI3, keys only).

A media record carries ``gsi3pk = WATCH#<status>`` and ``gsi3sk = <since>#<media id>`` exactly
while it is ``uploaded``, ``processing`` or ``deleting``: the status machine sets both in the
write that moves a media into one of these statuses and removes them in the write that moves it
out (:func:`track`), so the index holds only media in flight, oldest first, whatever the table's
size. ``since`` is when the media entered the status; the sweeper moves it forward when it
re-drives a media or finds it still active. The sweeper reads one partition per status with a
Query bounded by the deadline (:func:`overdue`), never a Scan.
"""

from __future__ import annotations

from dataclasses import dataclass

from snapstream_runtime import keys
from snapstream_runtime.adapters.table import KeyQuery, Table, Update

INDEX = "gsi3"
PARTITION_KEY = "gsi3pk"
SORT_KEY = "gsi3sk"
#: Statuses whose media the sweeper watches (lifecycle.Status values).
WATCHED = ("uploaded", "processing", "deleting")


def sort_key(since: str, media_id: str) -> str:
    return keys.newest_first_sk(since, media_id)  # ``<since>#<media id>``: oldest first


def track(update: Update, status: str, since: str, media_id: str) -> Update:
    """In ``update`` (a write that leaves the media in ``status``): put it on the index if the
    sweeper watches ``status``, else take it off."""
    if status in WATCHED:
        return update.set(PARTITION_KEY, keys.watch_index_pk(status)).set(
            SORT_KEY, sort_key(since, media_id)
        )
    return update.remove(PARTITION_KEY).remove(SORT_KEY)


@dataclass(frozen=True)
class Watched:
    """One media found on the index: its id and its sort key as stored (the version a write
    made on the strength of this finding requires)."""

    media_id: str
    key: str

    @property
    def since(self) -> str:
        return self.key.split("#", 1)[0]


def overdue(table: Table, status: str, before: str, *, limit: int) -> list[Watched]:
    """At most ``limit`` media watched in ``status`` since before ``before`` (an ISO time),
    oldest first: one Query, paginated, that reads only what is overdue."""
    query = KeyQuery(
        f"{PARTITION_KEY} = :pk AND {SORT_KEY} < :before",
        {":pk": keys.watch_index_pk(status), ":before": before},
        index=INDEX,
    )
    return [
        Watched(str(item["pk"]).removeprefix("MEDIA#"), str(item[SORT_KEY]))
        for item in table.items(query, limit=limit)
    ]
