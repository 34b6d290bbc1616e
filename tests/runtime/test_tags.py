"""Tags: normalized, thresholded, applied once, searchable newest first by their owner only."""

from __future__ import annotations

import pytest

from snapstream_runtime import lifecycle, tags
from snapstream_runtime.adapters.table import Table
from snapstream_runtime.settings import Settings
from snapstream_runtime.tags import Tag, TagSource
from tests.runtime.paging_support import CURSORS
from tests.runtime.uploads_helpers import OWNER, ticket_for

OTHER = "e" * 32


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("Fire Truck!", "fire truck"),
        ("  MAYOR   Smith ", "mayor smith"),
        ("Flood_warning", "flood warning"),
        ("Ünïcödé", "ünïcödé"),
        ("<b>x</b>", "b x b"),
        ("!", None),
        ("a" * 80, "a" * 40),
    ],
)
def test_normalize(raw: str, normal: str | None) -> None:
    assert tags.normalize(raw) == normal


def test_select_keeps_confident_tags_and_the_best_source() -> None:
    chosen = tags.select(
        [
            Tag("Car", TagSource.LABEL, 95),
            Tag("car", TagSource.TEXT, 99),
            Tag("Tree", TagSource.LABEL, 60),
        ],
        threshold=80,
    )
    assert set(chosen) == {"car"}
    assert chosen["car"].source == TagSource.TEXT


def _media(settings: Settings, owner: str = OWNER, name: str = "a.png") -> lifecycle.Media:
    ticket = ticket_for(settings, name, "image/png", 10, owner=owner)
    media = lifecycle.load(Table(settings.table_name), ticket.media_id)
    assert media is not None
    return media


def test_applying_twice_adds_nothing_and_counts_once(settings: Settings) -> None:
    table = Table(settings.table_name)
    media = _media(settings)
    candidates = [Tag("Fire truck", TagSource.LABEL, 97), Tag("Flood", TagSource.KEY_PHRASE, 90)]
    assert tags.apply(table, media.media_id, candidates, threshold=80) == ["fire truck", "flood"]
    assert tags.apply(table, media.media_id, candidates, threshold=80) == []
    catalogue = table.get(f"USER#{OWNER}", "TAG#flood")
    assert catalogue is not None and catalogue["count"] == 1
    stored = lifecycle.load(table, media.media_id)
    assert stored is not None and stored.item["tags"] == ["fire truck", "flood"]


def test_many_tags_are_written_in_batches(settings: Settings) -> None:
    table = Table(settings.table_name)
    media = _media(settings)
    many = [Tag(f"tag number {i}", TagSource.LABEL, 99) for i in range(100)]
    assert len(tags.apply(table, media.media_id, many, threshold=80)) == 100
    stored = lifecycle.load(table, media.media_id)
    assert stored is not None and stored.item["tags_version"] == 3  # 45 + 45 + 10


def test_search_is_newest_first_paginated_and_per_owner(settings: Settings) -> None:
    table = Table(settings.table_name)
    ids = []
    for index in range(5):
        media = _media(settings, name=f"{index}.png")
        tags.apply(table, media.media_id, [Tag("Flood", TagSource.LABEL, 99)], threshold=80)
        ids.append(media.media_id)
    theirs = _media(settings, owner=OTHER)
    tags.apply(table, theirs.media_id, [Tag("Flood", TagSource.LABEL, 99)], threshold=80)

    first = tags.search(settings.table_name, OWNER, "FLOOD", cursors=CURSORS, limit=3)
    assert [i["media_id"] for i in first.items] == ids[::-1][:3]
    assert first.cursor
    second = tags.search(
        settings.table_name, OWNER, "flood", cursors=CURSORS, limit=3, cursor=first.cursor
    )
    assert [i["media_id"] for i in second.items] == ids[::-1][3:]
    assert theirs.media_id not in {i["media_id"] for i in first.items + second.items}
    with pytest.raises(ValueError, match="another search"):
        tags.search(settings.table_name, OTHER, "flood", cursors=CURSORS, cursor=first.cursor)
    with pytest.raises(ValueError, match="not valid"):
        tags.search(settings.table_name, OWNER, "flood", cursors=CURSORS, cursor="%%%")


def test_suggestions_come_from_the_owners_catalogue(settings: Settings) -> None:
    table = Table(settings.table_name)
    media = _media(settings)
    tags.apply(
        table,
        media.media_id,
        [Tag(n, TagSource.LABEL, 99) for n in ("fire", "fire truck", "flood")],
        threshold=80,
    )
    assert tags.suggest(settings.table_name, OWNER, "fi") == ["fire", "fire truck"]
    assert tags.suggest(settings.table_name, OTHER, "fi") == []


def test_owners_add_and_remove_custom_tags(settings: Settings) -> None:
    table = Table(settings.table_name)
    media = _media(settings)
    with pytest.raises(PermissionError):
        tags.add_custom(table, media.media_id, "mine now", owner_id=OTHER)
    assert (
        tags.add_custom(table, media.media_id, "  Council  Meeting ", owner_id=OWNER)
        == "council meeting"
    )
    assert [
        i["source"]
        for i in tags.search(settings.table_name, OWNER, "council meeting", cursors=CURSORS).items
    ] == ["custom"]
    with pytest.raises(PermissionError):
        tags.remove(table, media.media_id, "council meeting", owner_id=OTHER)
    assert tags.remove(table, media.media_id, "COUNCIL meeting", owner_id=OWNER) is True
    assert tags.search(settings.table_name, OWNER, "council meeting", cursors=CURSORS).items == []
    assert tags.suggest(settings.table_name, OWNER, "co") == []  # count back to zero
    assert tags.remove(table, media.media_id, "council meeting", owner_id=OWNER) is False
    with pytest.raises(ValueError, match="two letters"):
        tags.add_custom(table, media.media_id, "!", owner_id=OWNER)


def test_a_media_keeps_at_most_the_most_confident_tags(settings: Settings) -> None:
    table = Table(settings.table_name)
    media = _media(settings)
    many = [Tag(f"label {i:03d}", TagSource.LABEL, 80 + (i % 20)) for i in range(400)]
    added = tags.apply(table, media.media_id, many, threshold=80)
    assert len(added) == tags.MAX_TAGS_PER_MEDIA
    assert tags.apply(table, media.media_id, many, threshold=80) == []
