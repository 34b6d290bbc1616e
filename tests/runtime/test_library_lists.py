"""Filtered and sorted lists read only what they show: one Query of the index that holds exactly
that list (runtime ``listings``), full pages, exact cursors, and keys that follow the status."""

from __future__ import annotations

from typing import Any

import botocore.client
import pytest

from snapstream_runtime import deletion_requests, library, lifecycle, listings
from snapstream_runtime.adapters.table import Table
from snapstream_runtime.lifecycle import Status
from snapstream_runtime.pagination import Page
from snapstream_runtime.settings import Settings
from tests.runtime.paging_support import CURSORS
from tests.runtime.uploads_helpers import OWNER, ticket_for

OTHER = "f" * 32


def _upload(settings: Settings, name: str, content_type: str = "image/png", **kw: Any) -> str:
    return ticket_for(settings, name, content_type, 10, **kw).media_id


def _move(settings: Settings, media_id: str, *statuses: Status) -> None:
    table = Table(settings.table_name)
    for status in statuses:
        media = lifecycle.load(table, media_id)
        assert media is not None
        lifecycle.transition(table, media, status)


def _ids(page: Page) -> list[str]:
    return [item["media_id"] for item in page.items]


def _queries(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Every Query the code makes from now on, as sent (with DynamoDB's ScannedCount)."""
    seen: list[dict[str, Any]] = []
    real = botocore.client.BaseClient._make_api_call  # type: ignore[attr-defined]

    def spy(client: Any, operation: str, params: dict[str, Any]) -> Any:
        response = real(client, operation, params)
        if operation == "Query":
            seen.append({**params, "ScannedCount": response["ScannedCount"]})
        return response

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", spy)
    return seen


def test_the_oldest_video_is_on_the_first_page_of_videos(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    video = _upload(settings, "old clip.mp4", "video/mp4")
    images = [_upload(settings, f"{i}.png") for i in range(30)]
    queries = _queries(monkeypatch)

    videos = library.library_page(settings.table_name, OWNER, cursors=CURSORS, kind="video")
    assert _ids(videos) == [video]
    assert videos.cursor is None
    [query] = queries
    assert query["IndexName"] == listings.KIND_INDEX
    assert "FilterExpression" not in query
    assert query["ScannedCount"] == 1  # read only what it shows

    first = library.library_page(
        settings.table_name, OWNER, cursors=CURSORS, kind="image", limit=24
    )
    assert _ids(first) == images[::-1][:24]
    rest = library.library_page(
        settings.table_name, OWNER, cursors=CURSORS, kind="image", cursor=first.cursor
    )
    assert _ids(rest) == images[::-1][24:]
    assert all(
        q["ScannedCount"] == len(_ids(p)) for q, p in zip(queries[1:], (first, rest), strict=True)
    )


def test_status_lists_follow_every_transition(settings: Settings) -> None:
    image, video = _upload(settings, "a.png"), _upload(settings, "b.mp4", "video/mp4")
    _upload(settings, "theirs.png", owner=OTHER)

    def listed(**filters: Any) -> list[str]:
        return _ids(library.library_page(settings.table_name, OWNER, cursors=CURSORS, **filters))

    assert listed(status="awaiting_upload") == [video, image]
    _move(settings, image, Status.UPLOADED, Status.PROCESSING, Status.READY)
    _move(settings, video, Status.UPLOADED, Status.PROCESSING, Status.FAILED)
    assert listed(status="awaiting_upload") == []
    assert listed(status="processing") == []
    assert listed(status="ready") == [image]
    assert listed(status="failed") == [video]
    assert listed(kind="video", status="failed") == [video]
    assert listed(kind="image", status="failed") == []
    assert listed(kind="image", status="ready") == [image]


def test_lists_by_date_either_way_and_by_name(settings: Settings) -> None:
    made = [_upload(settings, name) for name in ("beta.png", "Alpha.png", "gamma.png")]
    newest = library.library_page(settings.table_name, OWNER, cursors=CURSORS)
    oldest = library.library_page(settings.table_name, OWNER, cursors=CURSORS, sort="oldest")
    by_name = library.library_page(settings.table_name, OWNER, cursors=CURSORS, sort="name")
    assert _ids(newest) == made[::-1]
    assert _ids(oldest) == made
    assert [i["title"] for i in by_name.items] == ["Alpha.png", "beta.png", "gamma.png"]
    two = library.library_page(settings.table_name, OWNER, cursors=CURSORS, sort="name", limit=2)
    last = library.library_page(
        settings.table_name, OWNER, cursors=CURSORS, sort="name", cursor=two.cursor
    )
    assert [i["title"] for i in last.items] == ["gamma.png"]
    with pytest.raises(ValueError, match="another search"):  # a cursor is bound to its order
        library.library_page(settings.table_name, OWNER, cursors=CURSORS, cursor=two.cursor)
    with pytest.raises(library.UnsupportedList, match="whole library"):
        library.library_page(settings.table_name, OWNER, cursors=CURSORS, sort="name", kind="image")
    with pytest.raises(library.UnsupportedList, match="order is one of"):
        library.library_page(settings.table_name, OWNER, cursors=CURSORS, sort="size")


def test_a_media_marked_deleting_leaves_every_list_at_once(settings: Settings) -> None:
    table = Table(settings.table_name)
    doomed, kept = _upload(settings, "doomed.png"), _upload(settings, "kept.png")
    _move(settings, doomed, Status.UPLOADED)
    media = lifecycle.load(table, doomed)
    assert media is not None
    deletion_requests.mark(table, media, requested_by=OWNER)
    record = lifecycle.load(table, doomed)
    assert record is not None
    assert not {"gsi4pk", "gsi5pk", "gsi6pk", "gsi7pk", "gsi8sk"} & set(record.item)
    lists: list[dict[str, Any]] = [{"kind": "image"}, {"status": "uploaded"}, {"sort": "name"}, {}]
    for filters in lists:
        page = library.library_page(settings.table_name, OWNER, cursors=CURSORS, **filters)
        assert doomed not in _ids(page), filters
    month = record.created_at[:7]
    for status in ("uploaded", "deleting"):
        admins = library.all_uploads_page(
            settings.table_name, month, cursors=CURSORS, status=status
        )
        assert doomed not in _ids(admins)
    assert kept in _ids(library.library_page(settings.table_name, OWNER, cursors=CURSORS))


def test_admins_list_one_status_of_a_month_from_its_own_index(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    failed = [_upload(settings, f"{i}.png", owner=o) for i, o in enumerate((OWNER, OTHER))]
    waiting = _upload(settings, "waiting.png")
    for media_id in failed:
        _move(settings, media_id, Status.UPLOADED, Status.PROCESSING, Status.FAILED)
    month = lifecycle.load(Table(settings.table_name), waiting).created_at[:7]  # type: ignore[union-attr]
    queries = _queries(monkeypatch)
    page = library.all_uploads_page(settings.table_name, month, cursors=CURSORS, status="failed")
    assert _ids(page) == failed[::-1]
    assert queries[0]["IndexName"] == listings.MONTH_STATUS_INDEX
    assert queries[0]["ScannedCount"] == 2
    assert (
        library.all_uploads_page(
            settings.table_name, "2001-01", cursors=CURSORS, status="failed"
        ).items
        == []
    )
