"""What the owner may change about a media: its title and its description (plain text).

A rename is one transaction: the record's title and its place in the by-name index
(``gsi8sk``, :mod:`listings`), the title-word search items that no longer apply deleted and
the new ones written (:mod:`title_index`), all conditional on the title the change was
computed from and on the media not being deleted. A media still awaiting its upload has no
search items yet: the status machine writes them, for the title it then has, on arrival.
"""

from __future__ import annotations

import unicodedata

from snapstream_runtime import keys, lifecycle, listings, title_index
from snapstream_runtime.adapters.table import ConditionFailed, Table, Update
from snapstream_runtime.clock import iso, utc_now
from snapstream_runtime.lifecycle import Media, Status

MAX_TITLE = 200
MAX_DESCRIPTION = 2000


class BadDetails(ValueError):
    """A title or description that cannot be stored; the message is for people."""


class NotEditable(LookupError):
    """No such media, not the requester's, or being deleted."""


def _plain(text: str, *, keep_newlines: bool) -> str:
    """NFC text without control characters (line breaks kept if asked), trimmed."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n"))
    kept = "".join(
        ch for ch in text if unicodedata.category(ch)[0] != "C" or (keep_newlines and ch == "\n")
    )
    return kept.strip()


def clean_title(text: str) -> str:
    title = _plain(text, keep_newlines=False)
    if not title:
        raise BadDetails("a title needs at least one letter, digit or sign")
    if len(title) > MAX_TITLE:
        raise BadDetails(f"a title has at most {MAX_TITLE} characters")
    return title


def clean_description(text: str) -> str:
    description = _plain(text, keep_newlines=True)
    if len(description) > MAX_DESCRIPTION:
        raise BadDetails(f"a description has at most {MAX_DESCRIPTION} characters")
    return description


def _change(table: Table, media: Media, title: str | None, description: str | None) -> None:
    record = Update().set("updated_at", iso(utc_now())).require_equal("title", media.title)
    record.require_equal("owner_id", media.owner_id)
    record.require_not_equal("status", Status.DELETING.value)
    indexed = media.status is not Status.AWAITING_UPLOAD
    if indexed:
        record.require_not_equal("status", Status.AWAITING_UPLOAD.value)
    else:
        record.require_equal("status", Status.AWAITING_UPLOAD.value)
    if description is not None:
        if description:
            record.set("description", description)
        else:
            record.remove("description")
    items = []
    if title is not None and title != media.title:
        record.set("title", title).set(listings.NAME_KEY, keys.name_sort_key(title, media.media_id))
        if indexed:
            where = {
                "owner_id": media.owner_id,
                "media_id": media.media_id,
                "created_at": media.created_at,
            }
            keep = title_index.prefixes(title)
            items += title_index.delete_items(table.name, title=media.title, keep=keep, **where)
            items += title_index.put_items(table.name, title=title, **where)
    table.transact([record.transact_item(table.name, lifecycle.media_key(media.media_id)), *items])


def edit(
    table: Table,
    media_id: str,
    *,
    owner_id: str,
    title: str | None = None,
    description: str | None = None,
) -> Media:
    """Rename the media and/or set its description (empty removes it); returns the media as
    it now stands. :class:`BadDetails` for text that cannot be stored, :class:`NotEditable`
    for anyone but the owner of a media that is not being deleted."""
    title = clean_title(title) if title is not None else None
    description = clean_description(description) if description is not None else None
    for _ in range(5):
        media = lifecycle.load(table, media_id)
        if media is None or media.owner_id != owner_id or media.status is Status.DELETING:
            raise NotEditable(media_id)
        try:
            _change(table, media, title, description)
        except ConditionFailed:
            continue  # renamed, arrived or marked meanwhile: look again
        changed = lifecycle.load(table, media_id)
        if changed is None:
            raise NotEditable(media_id)
        return changed
    raise BadDetails("the media kept changing while it was being edited: try again")
