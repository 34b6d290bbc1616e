# ruff: noqa: F811 (fixtures imported from deletion_support)
"""Title words: search items written when the upload arrives, found by their first letters with
one Query per page, kept in step by renames and removed with the media."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from snapstream_runtime import media_details, title_index, title_search
from snapstream_runtime.adapters.table import Table
from snapstream_runtime.deletion_requests import request_media_deletion
from snapstream_runtime.ingest import ObjectCreated, ingest
from snapstream_runtime.lifecycle import Media, Status, load
from snapstream_runtime.settings import Settings
from tests.runtime.deletion_support import (  # noqa: F401 (fixtures)
    DeletionQueue,
    as_deletion_function,
    deletion_queue,
    deletion_settings,
    settle,
)
from tests.runtime.paging_support import CURSORS
from tests.runtime.samples import png_bytes
from tests.runtime.uploads_helpers import OWNER, put_object, ticket_for

OTHER = "f" * 32


def arrived(settings: Settings, name: str, owner: str = OWNER) -> Media:
    """An image whose upload arrived (ingest ran), as the library shows it."""
    body = png_bytes(4, 4)
    ticket = ticket_for(settings, name, "image/png", len(body), owner=owner)
    ingest(
        ObjectCreated(settings.uploads_bucket, ticket.key, put_object(settings, ticket.key, body)),
        settings,
    )
    media = load(Table(settings.table_name), ticket.media_id)
    assert media is not None and media.status is Status.UPLOADED
    return media


def found(settings: Settings, text: str, owner: str = OWNER, **kw: Any) -> list[str]:
    page = title_search.search(settings.table_name, owner, text, cursors=CURSORS, **kw)
    return [item["media_id"] for item in page.items]


def title_items(settings: Settings) -> list[dict[str, Any]]:
    scan = boto3.client("dynamodb").scan(TableName=settings.table_name)["Items"]
    return [i for i in scan if i["pk"]["S"].startswith("TITLE#")]


def test_words_and_prefixes() -> None:
    assert title_index.words("Flood-damage, Bristol 2026.JPG flood") == [
        "flood",
        "damage",
        "bristol",
        "2026",
        "jpg",
    ]
    assert title_index.prefixes("Flooding flood a") == {"fl", "flo", "floo", "flood", "floodi"}
    assert title_index.spelled("\uff26lood  Damage") == " flood damage "  # a full-width F
    many = " ".join(f"w{n}xyz" for n in range(20))
    assert len(title_index.prefixes(many)) == title_index.MAX_WORDS * 4


def test_a_title_is_searchable_once_its_upload_arrived(settings: Settings) -> None:
    waiting = ticket_for(settings, "harbour waiting.png", "image/png", 10).media_id
    harbour = arrived(settings, "Harbour at dusk.png")
    arrived(settings, "harbour theirs.png", owner=OTHER)
    assert found(settings, "harb") == [harbour.media_id]
    assert waiting not in found(settings, "harbour")
    assert found(settings, "ha") == [harbour.media_id]
    assert found(settings, "dusk") == [harbour.media_id]
    assert found(settings, "harbours") == []
    assert found(settings, "harbour dusk") == [harbour.media_id]
    assert found(settings, "harbour dawn") == []
    with pytest.raises(title_search.BadSearch, match="two letters"):
        found(settings, "a !")


def test_search_pages_are_newest_or_oldest_first_with_exact_cursors(settings: Settings) -> None:
    made = [arrived(settings, f"storm {n}.png").media_id for n in range(5)]
    first = title_search.search(settings.table_name, OWNER, "sto", cursors=CURSORS, limit=3)
    rest = title_search.search(
        settings.table_name, OWNER, "sto", cursors=CURSORS, cursor=first.cursor
    )
    assert [i["media_id"] for i in first.items + rest.items] == made[::-1]
    assert found(settings, "storm", descending=False) == made
    with pytest.raises(ValueError, match="another search"):
        title_search.search(
            settings.table_name, OWNER, "storm", cursors=CURSORS, cursor=first.cursor
        )


def test_a_rename_moves_the_search_items_and_the_name_order(settings: Settings) -> None:
    table = Table(settings.table_name)
    media = arrived(settings, "IMG_0001.png")
    renamed = media_details.edit(
        table,
        media.media_id,
        owner_id=OWNER,
        title=" Lifeboat\x00 launch ",
        description="Crew\r\nof six",
    )
    assert renamed.title == "Lifeboat launch"
    assert renamed.item["description"] == "Crew\nof six"
    assert renamed.item["gsi8sk"].startswith("lifeboat launch#")
    assert found(settings, "img") == []
    assert found(settings, "lifeb launch") == [media.media_id]
    assert len(title_items(settings)) == len(title_index.prefixes("Lifeboat launch"))
    cleared = media_details.edit(table, media.media_id, owner_id=OWNER, description="")
    assert "description" not in cleared.item and cleared.title == "Lifeboat launch"
    with pytest.raises(media_details.NotEditable):
        media_details.edit(table, media.media_id, owner_id=OTHER, title="mine now")
    with pytest.raises(media_details.BadDetails, match="at most 200"):
        media_details.edit(table, media.media_id, owner_id=OWNER, title="x" * 201)
    with pytest.raises(media_details.BadDetails, match="at least one"):
        media_details.edit(table, media.media_id, owner_id=OWNER, title="\t ")
    with pytest.raises(media_details.BadDetails, match="at most 2000"):
        media_details.edit(table, media.media_id, owner_id=OWNER, description="d" * 2001)


def test_a_media_renamed_before_its_upload_arrives_is_found_by_its_new_title(
    settings: Settings,
) -> None:
    table = Table(settings.table_name)
    body = png_bytes(4, 4)
    ticket = ticket_for(settings, "DSC_77.png", "image/png", len(body))
    media_details.edit(table, ticket.media_id, owner_id=OWNER, title="Regatta start")
    assert title_items(settings) == []  # nothing is searchable before it arrives
    version = put_object(settings, ticket.key, body)
    ingest(ObjectCreated(settings.uploads_bucket, ticket.key, version), settings)
    assert found(settings, "regat") == [ticket.media_id]
    assert found(settings, "dsc") == []


@pytest.mark.usefixtures("as_deletion_function")
def test_deleting_takes_the_search_items_off_at_once_and_the_function_leaves_none(
    deletion_settings: Settings, deletion_queue: DeletionQueue
) -> None:
    table = Table(deletion_settings.table_name)
    keep, doomed = (
        arrived(deletion_settings, "gale keep.png"),
        arrived(deletion_settings, "gale doomed.png"),
    )
    request_media_deletion(deletion_settings, doomed, requested_by=OWNER)
    assert found(deletion_settings, "gale") == [keep.media_id]
    with pytest.raises(media_details.NotEditable):
        media_details.edit(table, doomed.media_id, owner_id=OWNER, title="back")
    settle(deletion_queue)
    assert load(table, doomed.media_id) is None
    remaining = {i["media_id"]["S"] for i in title_items(deletion_settings)}
    assert remaining == {keep.media_id}
