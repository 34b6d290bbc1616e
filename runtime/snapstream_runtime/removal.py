"""The idempotent pieces of deleting one media: each may run again after a partial failure, or
twice at once, and never fails on what is already gone.

Nothing else's: objects are listed under the media's own prefixes only, records are addressed by
the media's keys, and counters move in the same transaction as the item they count, so a repeat
never counts twice. The deletion function (:mod:`snapstream_runtime.deletion`) runs them in order.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from snapstream_runtime import keys, lifecycle, owner_messages, title_index
from snapstream_runtime.adapters import storage
from snapstream_runtime.adapters.table import (
    Condition,
    ConditionFailed,
    Item,
    KeyQuery,
    Table,
    Update,
    delete_keys,
    put_transact_item,
    to_attributes,
)
from snapstream_runtime.clock import iso, new_id, utc_now
from snapstream_runtime.contract import MEDIA_PREFIX, UPLOADS_PREFIX
from snapstream_runtime.lifecycle import DELETING_COUNTER, UNREAD_COUNTER, Media, Status
from snapstream_runtime.tags import catalogue_sk, tag_pk

_TRANSACTION_LIMIT = 100
#: two operations per tag plus the record's own update stay within one transaction.
TAGS_PER_TRANSACTION = 49


def media_prefix(owner_id: str, media_id: str) -> str:
    return f"{MEDIA_PREFIX}{owner_id}/{media_id}/"


def upload_prefix(owner_id: str, media_id: str) -> str:
    """The folder of the media's upload (``keys.upload_key`` puts the one object there)."""
    return f"{UPLOADS_PREFIX}{owner_id}/{media_id}/"


def media_folder(media: Media) -> str:
    return media_prefix(media.owner_id, media.media_id)


# -- files ---------------------------------------------------------------------------------------


def delete_prefix(bucket: str, prefix: str) -> int:
    """Delete every version of every object under ``prefix``; returns how many were deleted."""
    if not prefix.endswith("/") or prefix.count("/") < 3:
        raise ValueError(f"refusing to delete the broad prefix {prefix!r}")
    batch: list[dict[str, str]] = []
    deleted = 0
    for version in storage.versions_under(bucket, prefix):
        batch.append(version)
        if len(batch) == storage.DELETE_BATCH:
            deleted += storage.delete_versions(bucket, batch)
            batch = []
    if batch:
        deleted += storage.delete_versions(bucket, batch)
    return deleted


def delete_files(*, uploads_bucket: str, media_bucket: str, owner_id: str, media_id: str) -> int:
    """Every version under the media's upload and media prefixes."""
    deleted = 0
    if uploads_bucket:
        deleted += delete_prefix(uploads_bucket, upload_prefix(owner_id, media_id))
    if media_bucket:
        deleted += delete_prefix(media_bucket, media_prefix(owner_id, media_id))
    return deleted


# -- tags ----------------------------------------------------------------------------------------


def tag_removal_items(table_name: str, media: Media, tags: Sequence[str]) -> list[dict[str, Any]]:
    """Transaction items taking ``tags`` off the media: each tag's search item and one off its
    catalogue count (the caller shrinks the record's ``tags`` in the same transaction)."""
    sort_key = keys.newest_first_sk(media.created_at, media.media_id)
    items: list[dict[str, Any]] = []
    for tag in tags:
        search_key = {"pk": tag_pk(media.owner_id, tag), "sk": sort_key}
        items.append({"Delete": {"TableName": table_name, "Key": to_attributes(search_key)}})
        catalogue = {"pk": keys.user_pk(media.owner_id), "sk": catalogue_sk(tag)}
        items.append(Update().add("count", -1).transact_item(table_name, catalogue))
    return items


def shrink_tags(record: Update, media: Media, batch_size: int) -> list[str]:
    """Set ``record`` to drop the first ``batch_size`` tags, guarded by ``tags_version``;
    returns the tags dropped."""
    tags = sorted(media.item.get("tags") or [])
    batch, rest = tags[:batch_size], tags[batch_size:]
    version = int(media.item.get("tags_version") or 0)
    record.set("tags", rest).set("tags_version", version + 1)
    if version:
        record.require_equal("tags_version", version)
    else:
        record.require_absent("tags_version")
    return batch


def untag(table: Table, media_id: str) -> None:
    """Take every tag off the media in transactions that also shrink its ``tags`` list, so a
    repeat after a half-done deletion never counts a tag off twice; then drop the owner's
    catalogue entries no media carries any more; then the title's search items (both callers,
    the mark and the deletion function, take a media's search items off here)."""
    conflicts = 0
    while (media := lifecycle.load(table, media_id)) is not None and media.item.get("tags"):
        record = Update()
        batch = shrink_tags(record, media, TAGS_PER_TRANSACTION)
        items = [record.transact_item(table.name, lifecycle.media_key(media_id))]
        try:
            table.transact([*items, *tag_removal_items(table.name, media, batch)])
        except ConditionFailed:
            conflicts += 1  # tagged meanwhile (the mark's own batch, or a last analyser)
            if conflicts >= 5:
                raise
            continue
        drop_unused_catalogue(table, media.owner_id, batch)
    unindex_title(table, media_id)


def unindex_title(table: Table, media_id: str) -> None:
    """Delete the title-word search items of a media being deleted (their keys follow from its
    title, which no longer changes; deleting an item that was never written is harmless)."""
    media = lifecycle.load(table, media_id)
    if media is None or media.status is not Status.DELETING:
        return
    found = title_index.item_keys(media.owner_id, media.media_id, media.created_at, media.title)
    delete_keys(table.name, found)


def drop_unused_catalogue(table: Table, owner_id: str, tags: Sequence[str]) -> None:
    """Delete the owner's catalogue entries of ``tags`` whose count reached zero."""
    for tag in tags:
        unused = Condition().require("#count <= :zero", {"#count": "count"}, {":zero": 0})
        # not deleted while another media still carries it
        table.delete({"pk": keys.user_pk(owner_id), "sk": catalogue_sk(tag)}, unused)


# -- records -------------------------------------------------------------------------------------


def delete_analysis_items(table: Table, media_id: str) -> int:
    """Every item of the media's partition but the record itself (analysis results)."""
    doomed = [
        {"Delete": {"TableName": table.name, "Key": item}}
        for item in table.item_keys(keys.media_pk(media_id))
        if item["sk"]["S"] != keys.META_SK
    ]
    for start in range(0, len(doomed), _TRANSACTION_LIMIT):
        table.transact(doomed[start : start + _TRANSACTION_LIMIT])
    return len(doomed)


def release_hash(table: Table, media: Media) -> None:
    """The owner's claim on the media's content hash, if it is this media's."""
    content_hash = media.item.get("content_hash")
    if not content_hash:
        return
    # not deleted if gone already, or if the hash names another media: it stays theirs
    mine = Condition().require_equal("media_id", media.media_id)
    table.delete(keys.hash_key(media.owner_id, str(content_hash)), mine)


def _notifications_about(table: Table, owner_id: str, media_id: str) -> Iterator[Item]:
    query = KeyQuery(
        "pk = :pk AND begins_with(sk, :prefix)",
        {":pk": keys.user_pk(owner_id), ":prefix": "NOTIF#", ":media": media_id},
        filter="media_id = :media",
        projection="pk, sk, created_at",
    )
    return table.items(query)


def delete_notifications_about(table: Table, owner_id: str, media_id: str) -> int:
    """The owner's notifications about the media; an unread one also comes off the unread
    counter, in the same transaction (so exactly once)."""
    deleted = 0
    for notification in _notifications_about(table, owner_id, media_id):
        key = {"pk": notification["pk"], "sk": notification["sk"]}
        # Unread: the profile's counter is positive and its read mark is older.
        unread = (
            Update()
            .add(UNREAD_COUNTER, -1)
            .require(
                "#unread > :zero AND (attribute_not_exists(#read_at) OR #read_at < :created)",
                {"#unread": UNREAD_COUNTER, "#read_at": "notifications_read_at"},
                {":zero": 0, ":created": str(notification.get("created_at", ""))},
            )
            .transact_item(table.name, keys.profile_key(owner_id))
        )
        delete = _delete_existing(table.name, key)
        try:
            table.transact([delete, unread])
        except ConditionFailed:
            try:  # already read (or the profile is gone): just the item, if it is still there
                table.transact([delete])
            except ConditionFailed:
                continue
        deleted += 1
    return deleted


def _delete_existing(table_name: str, key: dict[str, str]) -> dict[str, Any]:
    return {
        "Delete": {
            "TableName": table_name,
            "Key": to_attributes(key),
            "ConditionExpression": "attribute_exists(pk)",
        }
    }


def delete_record(
    table: Table,
    media: Media,
    *,
    notification: Item | None,
) -> bool:
    """The last step: delete the ``deleting`` record and take it off the owner's
    ``count_deleting``, with the owner's "deleted" ``notification`` if given, in one
    transaction. False if the record was gone already (a repeat)."""
    items: list[dict[str, Any]] = [
        {
            "Delete": {
                "TableName": table.name,
                "Key": to_attributes(lifecycle.media_key(media.media_id)),
                "ConditionExpression": "#status = :deleting",
                "ExpressionAttributeNames": {"#status": "status"},
                "ExpressionAttributeValues": to_attributes({":deleting": Status.DELETING.value}),
            }
        }
    ]
    profile = Update().add(DELETING_COUNTER, -1).require_exists("pk")
    if notification is not None:
        profile.add(UNREAD_COUNTER, 1)
        items.append(put_transact_item(table.name, notification))
    owner = keys.profile_key(media.owner_id)
    with_profile = [*items, profile.transact_item(table.name, owner)]
    for attempt in (with_profile, items[:1]):
        try:
            table.transact(attempt)
            return True
        except ConditionFailed:
            current = lifecycle.load(table, media.media_id)
            if current is None:
                return False
            if current.status is not Status.DELETING:
                raise
            if table.get(**owner) is not None:
                raise  # the profile is there: a real conflict, retried by the queue
    return False


def deleted_notification(media: Media, *, created_at: str, expires_at: int) -> Item:
    """The owner's notice that the media is gone (no ``media_id``: nothing left to open)."""
    notification_id = new_id()
    return {
        "pk": keys.user_pk(media.owner_id),
        "sk": keys.notification_sk(created_at, notification_id),
        "notification_id": notification_id,
        "user_id": media.owner_id,
        "event": "media.deleted",
        "title": media.title,
        "message": owner_messages.describe("media.deleted", media.title, None),
        "created_at": created_at,
        "read": False,
        "expires_at": expires_at,
    }


def record_failure(table: Table, key: Mapping[str, str], reason: str, attempt: int) -> None:
    """Say on a ``deleting`` media record or profile why its deletion failed (best effort: the
    step's own error is what the queue must see)."""
    with contextlib.suppress(Exception):
        table.update(
            key,
            Update()
            .set("deletion.error", reason[:500])
            .set("deletion.attempts", attempt)
            .set("deletion.failed_at", iso(utc_now()))
            .require_equal("status", Status.DELETING.value),
        )
