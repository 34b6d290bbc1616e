"""Tags: what every analyser says a media shows or says, and search by tag.

Data model (one Query per access pattern, whatever the table size):

- ``TAG#<owner>#<tag>`` / ``<created_at>#<media>``: one item per tagged media, newest first;
- ``USER#<owner>`` / ``TAG#<tag>``: the owner's tag catalogue with a count (prefix typeahead);
- the media record keeps the set of its tags (``tags``) and a ``tags_version``.

Tags are applied in one transaction per batch of up to 45 new tags, guarded by the media's
``tags_version``: a redelivered analysis adds nothing, and two analysers tagging the same media at
once cannot double-count (the loser re-reads and retries). A media being deleted takes no tags.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from snapstream_runtime import keys, lifecycle
from snapstream_runtime.adapters.table import (
    ConditionFailed,
    KeyQuery,
    Table,
    Update,
    to_attributes,
)
from snapstream_runtime.lifecycle import Media, MediaGone, Status
from snapstream_runtime.pagination import Cursors, Page, PageQuery, query_page

MAX_TAG_LENGTH = 40
MAX_TAGS_PER_MEDIA = 250
_BATCH = 45  # 1 media update + 2 items per tag <= 100 items per transaction
_NOT_ALLOWED = re.compile(r"[^\w\s-]+")
_SPACES = re.compile(r"[\s_]+")


class TagSource:
    LABEL = "label"
    TEXT = "text"
    PERSON = "person"
    ENTITY = "entity"
    KEY_PHRASE = "keyphrase"
    CUSTOM = "custom"


@dataclass(frozen=True)
class Tag:
    name: str
    source: str
    confidence: float = 100.0


def normalize(text: str) -> str | None:
    """``"Fire Truck!"`` -> ``"fire truck"``; None when nothing tag-worthy is left."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    cleaned = _SPACES.sub(" ", _NOT_ALLOWED.sub(" ", folded)).strip(" -")
    if len(cleaned) < 2:
        return None
    return cleaned[:MAX_TAG_LENGTH].rstrip(" -")


def select(candidates: Iterable[Tag], *, threshold: float) -> dict[str, Tag]:
    """Normalized tags at or above ``threshold`` confidence; the most confident source wins."""
    chosen: dict[str, Tag] = {}
    for candidate in candidates:
        name = normalize(candidate.name)
        if name is None or candidate.confidence < threshold:
            continue
        current = chosen.get(name)
        if current is None or candidate.confidence > current.confidence:
            chosen[name] = Tag(name, candidate.source, candidate.confidence)
    return chosen


def tag_pk(owner_id: str, tag: str) -> str:
    return f"TAG#{owner_id}#{tag}"


def catalogue_sk(tag: str) -> str:
    return f"TAG#{tag}"


def apply(table: Table, media_id: str, candidates: Iterable[Tag], *, threshold: float) -> list[str]:
    """Add the media's new tags (those it does not have yet); returns the names added.

    A media keeps at most :data:`MAX_TAGS_PER_MEDIA` tags, the most confident first.
    """
    wanted = select(candidates, threshold=threshold)
    added: list[str] = []
    conflicts = 0
    while True:
        media = lifecycle.load(table, media_id)
        if media is None:
            return added
        if media.status is Status.DELETING:
            raise MediaGone(media_id, media.owner_id)
        have = set(media.item.get("tags") or ())
        room = max(MAX_TAGS_PER_MEDIA - len(have), 0)
        new = sorted(
            (tag for name, tag in wanted.items() if name not in have),
            key=lambda t: (-t.confidence, t.name),
        )[:room]
        if not new:
            return added
        batch = new[:_BATCH]
        try:
            _write(table, media, batch)
        except ConditionFailed:
            conflicts += 1  # someone else tagged it meanwhile: re-read and retry
            if conflicts >= 5:
                raise
            continue
        added.extend(t.name for t in batch)


def _write(table: Table, media: Media, batch: list[Tag]) -> None:
    version = int(media.item.get("tags_version") or 0)
    record = (
        Update()
        .set("tags_version", version + 1)
        .set("tags", sorted({*media.item.get("tags", ()), *[t.name for t in batch]}))
    )
    record.require_exists("pk").require_not_equal("status", Status.DELETING.value)
    if version:
        record.require_equal("tags_version", version)
    else:
        record.require_absent("tags_version")
    items = [record.transact_item(table.name, lifecycle.media_key(media.media_id))]
    for tag in batch:
        items.append(
            {
                "Put": {
                    "TableName": table.name,
                    "Item": to_attributes(
                        {
                            "pk": tag_pk(media.owner_id, tag.name),
                            "sk": keys.newest_first_sk(media.created_at, media.media_id),
                            "media_id": media.media_id,
                            "owner_id": media.owner_id,
                            "tag": tag.name,
                            "source": tag.source,
                            "confidence": round(tag.confidence, 2),
                            "title": media.title,
                            "kind": media.kind,
                            "created_at": media.created_at,
                        }
                    ),
                }
            }
        )
        items.append(
            Update()
            .add("count", 1)
            .set("tag", tag.name)
            .transact_item(
                table.name, {"pk": keys.user_pk(media.owner_id), "sk": catalogue_sk(tag.name)}
            )
        )
    table.transact(items)


def _owned(table: Table, media_id: str, owner_id: str) -> Media:
    media = lifecycle.load(table, media_id)
    if media is None or media.owner_id != owner_id or media.status is Status.DELETING:
        raise PermissionError("only the owner of this media can change its tags")
    return media


def add_custom(table: Table, media_id: str, text: str, *, owner_id: str) -> str:
    """A tag the owner typed; returns its normalized form (ValueError if nothing is left,
    PermissionError for anyone but the owner)."""
    name = normalize(text)
    if name is None:
        raise ValueError("a tag needs at least two letters or digits")
    _owned(table, media_id, owner_id)
    apply(table, media_id, [Tag(name, TagSource.CUSTOM)], threshold=0)
    return name


def remove(table: Table, media_id: str, text: str, *, owner_id: str) -> bool:
    """Remove one tag from a media (its search item and one from the catalogue count)."""
    _owned(table, media_id, owner_id)
    name = normalize(text)
    for _ in range(5):
        media = lifecycle.load(table, media_id)
        if media is None or name is None or name not in (media.item.get("tags") or ()):
            return False
        version = int(media.item.get("tags_version") or 0)
        record = (
            Update()
            .set("tags_version", version + 1)
            .set("tags", sorted(set(media.item["tags"]) - {name}))
            .require_equal("tags_version", version)
        )
        items = [
            record.transact_item(table.name, lifecycle.media_key(media.media_id)),
            {
                "Delete": {
                    "TableName": table.name,
                    "Key": to_attributes(
                        {
                            "pk": tag_pk(media.owner_id, name),
                            "sk": keys.newest_first_sk(media.created_at, media.media_id),
                        }
                    ),
                }
            },
            Update()
            .add("count", -1)
            .transact_item(
                table.name, {"pk": keys.user_pk(media.owner_id), "sk": catalogue_sk(name)}
            ),
        ]
        try:
            table.transact(items)
        except ConditionFailed:
            continue
        return True
    raise ConditionFailed(f"could not untag media {media_id}: it kept changing")


def search(
    table_name: str,
    owner_id: str,
    tag: str,
    *,
    cursors: Cursors,
    limit: int = 24,
    cursor: str | None = None,
    bound_to: tuple[str, ...] = (),
    descending: bool = True,
) -> Page:
    """The owner's media with ``tag``, newest first (or oldest first): one Query per page,
    whatever the table size. Its cursors are bound to the owner, the tag and ``bound_to`` (the
    caller's own filters and order)."""
    name = normalize(tag)
    pk = tag_pk(owner_id, name or "")
    query = PageQuery("tag-search", ("pk", pk), bound_to=bound_to)
    if name is None:  # no such tag, and no cursor was ever issued for it
        cursors.decode(cursor, query)
        return Page([], None)
    request = KeyQuery("pk = :pk", {":pk": pk}, descending=descending)
    return query_page(
        Table(table_name), request, query, cursors=cursors, cursor=cursor, limit=limit
    )


def suggest(table_name: str, owner_id: str, prefix: str, *, limit: int = 10) -> list[str]:
    """The owner's tags starting with ``prefix`` (typeahead): one Query."""
    start = normalize(prefix) if len(prefix.strip()) >= 2 else prefix.strip().casefold()
    catalogue = KeyQuery(
        "pk = :pk AND begins_with(sk, :prefix)",
        {":pk": keys.user_pk(owner_id), ":prefix": catalogue_sk(start or ""), ":zero": 0},
        filter="#count > :zero",
        names={"#count": "count"},
    )
    items, _ = Table(table_name).page(catalogue, limit=max(1, min(limit, 50)))
    return [item["tag"] for item in items]
