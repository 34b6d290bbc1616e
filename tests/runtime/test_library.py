"""A user's library, the admins' listing and the dashboard: one Query or GetItem each."""

from __future__ import annotations

import pytest

from snapstream_runtime import library, lifecycle
from snapstream_runtime.adapters.table import Table
from snapstream_runtime.lifecycle import Status
from snapstream_runtime.settings import Settings
from tests.runtime.paging_support import CURSORS
from tests.runtime.uploads_helpers import OWNER, ticket_for

OTHER = "f" * 32


def test_the_library_is_newest_first_paginated_and_filterable(settings: Settings) -> None:
    table = Table(settings.table_name)
    mine = [ticket_for(settings, f"{i}.png", "image/png", 10).media_id for i in range(5)]
    video = ticket_for(settings, "v.mp4", "video/mp4", 10).media_id
    ticket_for(settings, "theirs.png", "image/png", 10, owner=OTHER)
    media = lifecycle.load(table, mine[0])
    assert media is not None
    lifecycle.transition(table, media, Status.REJECTED, reason="the file is empty")

    first = library.library_page(settings.table_name, OWNER, cursors=CURSORS, limit=4)
    assert [m["media_id"] for m in first.items] == [video, *mine[::-1][:3]]
    second = library.library_page(
        settings.table_name, OWNER, cursors=CURSORS, limit=4, cursor=first.cursor
    )
    assert [m["media_id"] for m in second.items] == mine[::-1][3:]
    videos = library.library_page(settings.table_name, OWNER, cursors=CURSORS, kind="video")
    assert [m["media_id"] for m in videos.items] == [video]
    rejected = library.library_page(settings.table_name, OWNER, cursors=CURSORS, status="rejected")
    assert [m["media_id"] for m in rejected.items] == [mine[0]]
    with pytest.raises(ValueError, match="another search"):
        library.library_page(settings.table_name, OTHER, cursors=CURSORS, cursor=first.cursor)


def test_admins_list_all_uploads_by_month(settings: Settings) -> None:
    ids = [ticket_for(settings, "a.png", "image/png", 10, owner=o).media_id for o in (OWNER, OTHER)]
    month = lifecycle.load(Table(settings.table_name), ids[0]).created_at[:7]  # type: ignore[union-attr]
    page = library.all_uploads_page(settings.table_name, month, cursors=CURSORS)
    assert [m["media_id"] for m in page.items] == ids[::-1]


def test_the_dashboard_reads_the_counters(settings: Settings) -> None:
    table = Table(settings.table_name)
    media = lifecycle.load(table, ticket_for(settings, "a.png", "image/png", 10).media_id)
    assert media is not None
    lifecycle.transition(table, media, Status.UPLOADED)
    assert library.dashboard(settings.table_name, OWNER) == {
        "completed": 0,
        "failed": 0,
        "processing": 1,
        "unread_notifications": 1,
        "uploads": 1,
    }
    assert library.dashboard(settings.table_name, OTHER)["uploads"] == 0
