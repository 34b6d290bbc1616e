"""Title words as search items, so that the first letters of a title word find the media.

Data model, like a tag's search items (:mod:`snapstream_runtime.tags`), one Query per page:
``TITLE#<owner>#<prefix>`` / ``<created_at>#<media>``, one item for each distinct prefix of 2 to
:data:`MAX_PREFIX` letters of the title's first :data:`MAX_WORDS` words, newest first. A media
with two words sharing a prefix ("flood", "flooding") has one item for it, so a page never
repeats a media. Each item also spells every word of the title (``words``, `` flood damage ``)
so that a longer or several-word search is one Query on its first letters, filtered on these.

The items exist once the upload has arrived (the status machine writes them as the media leaves
``awaiting_upload``), follow every rename in the rename's transaction and go with the media
(:func:`snapstream_runtime.removal.untag`). At most ``MAX_WORDS * (MAX_PREFIX - 1)`` = 40 items,
so a rename's deletions and puts fit one transaction.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from snapstream_runtime import keys
from snapstream_runtime.adapters.table import to_attributes

MIN_PREFIX = 2
MAX_PREFIX = 6
MAX_WORDS = 8
_WORD = re.compile(r"[^\W_]+")


def words(text: str) -> list[str]:
    """``"Flood-damage, Bristol 2026.jpg"`` -> ``["flood", "damage", "bristol", "2026", "jpg"]``:
    distinct, in order, case and width folded."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return list(dict.fromkeys(_WORD.findall(folded)))


def prefixes(title: str) -> set[str]:
    """The prefixes the title's search items are filed under."""
    indexed = [w for w in words(title) if len(w) >= MIN_PREFIX][:MAX_WORDS]
    return {w[:n] for w in indexed for n in range(MIN_PREFIX, min(len(w), MAX_PREFIX) + 1)}


def spelled(title: str) -> str:
    """Every word of the title between spaces: `` flood damage `` contains `` flo``."""
    return f" {' '.join(words(title))} "


def _key(owner_id: str, prefix: str, created_at: str, media_id: str) -> dict[str, str]:
    return {
        "pk": keys.title_word_pk(owner_id, prefix),
        "sk": keys.newest_first_sk(created_at, media_id),
    }


def item_keys(owner_id: str, media_id: str, created_at: str, title: str) -> list[dict[str, Any]]:
    """The keys (attribute form) of the title's search items."""
    return [
        to_attributes(_key(owner_id, prefix, created_at, media_id))
        for prefix in sorted(prefixes(title))
    ]


def put_items(
    table_name: str, *, owner_id: str, media_id: str, created_at: str, title: str
) -> list[dict[str, Any]]:
    """Transaction items writing the title's search items (plain puts: a repeat is harmless)."""
    spelling = spelled(title)
    return [
        {
            "Put": {
                "TableName": table_name,
                "Item": to_attributes(
                    {
                        **_key(owner_id, prefix, created_at, media_id),
                        "media_id": media_id,
                        "owner_id": owner_id,
                        "created_at": created_at,
                        "words": spelling,
                    }
                ),
            }
        }
        for prefix in sorted(prefixes(title))
    ]


def delete_items(
    table_name: str,
    *,
    owner_id: str,
    media_id: str,
    created_at: str,
    title: str,
    keep: Iterable[str] = (),
) -> list[dict[str, Any]]:
    """Transaction items deleting the title's search items but those filed under ``keep``."""
    return [
        {
            "Delete": {
                "TableName": table_name,
                "Key": to_attributes(_key(owner_id, prefix, created_at, media_id)),
            }
        }
        for prefix in sorted(prefixes(title) - set(keep))
    ]
