"""Deleting one media: its S3 objects (every version), its MediaPackage asset and its records.

Nothing else's: objects are listed under the media's own prefixes only, records are addressed by
the media's keys. Files go first and records last, so a deletion that fails half-way can simply
be repeated (the record is still there to find the rest).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from botocore.exceptions import ClientError

from snapstream_runtime import keys, lifecycle
from snapstream_runtime.adapters.clients import client
from snapstream_runtime.adapters.table import ConditionFailed, Table, Update, to_attributes
from snapstream_runtime.contract import MEDIA_PREFIX
from snapstream_runtime.lifecycle import DASHBOARD_COUNTER, UPLOADS_COUNTER, Media, Status
from snapstream_runtime.settings import Settings
from snapstream_runtime.tags import catalogue_sk, tag_pk

_TRANSACTION_LIMIT = 100
#: two operations per tag plus the record's own update stay within one transaction.
_TAGS_PER_TRANSACTION = 49


class DeletionDenied(PermissionError):
    """Only the owner (or an admin) may delete a media."""


def media_folder(media: Media) -> str:
    return f"{MEDIA_PREFIX}{media.owner_id}/{media.media_id}/"


def upload_folder(media: Media) -> str:
    return media.upload_key.rsplit("/", 1)[0] + "/"


def delete_media(
    settings: Settings, media: Media, *, requester_id: str, requester_is_admin: bool = False
) -> None:
    """Delete ``media`` entirely; raises :class:`DeletionDenied` for anyone but owner/admin."""
    if media.owner_id != requester_id and not requester_is_admin:
        raise DeletionDenied("only the owner of this media can delete it")
    if settings.uploads_bucket:
        delete_prefix(settings.uploads_bucket, upload_folder(media))
    if settings.media_bucket:
        delete_prefix(settings.media_bucket, media_folder(media))
    if media.item.get("asset_id"):
        _delete_asset(str(media.item["asset_id"]))
    _delete_records(Table(settings.table_name), media)


def _object_versions(bucket: str, prefix: str) -> Iterator[dict[str, str]]:
    pages = (
        client("s3").get_paginator("list_object_versions").paginate(Bucket=bucket, Prefix=prefix)
    )
    for page in pages:
        for entry in [*page.get("Versions", []), *page.get("DeleteMarkers", [])]:
            # A prefix match on "a/b/" never reaches "a/bc/"; still, refuse anything outside it.
            if entry["Key"].startswith(prefix):
                yield {"Key": entry["Key"], "VersionId": entry["VersionId"]}


def delete_prefix(bucket: str, prefix: str) -> int:
    """Delete every version of every object under ``prefix``; returns how many were deleted."""
    if not prefix.endswith("/") or prefix.count("/") < 3:
        raise ValueError(f"refusing to delete the broad prefix {prefix!r}")
    batch: list[dict[str, str]] = []
    deleted = 0
    for version in _object_versions(bucket, prefix):
        batch.append(version)
        if len(batch) == 1000:
            deleted += _delete_objects(bucket, batch)
            batch = []
    if batch:
        deleted += _delete_objects(bucket, batch)
    return deleted


def _delete_objects(bucket: str, objects: list[dict[str, str]]) -> int:
    response = client("s3").delete_objects(
        Bucket=bucket, Delete={"Objects": objects, "Quiet": True}
    )
    errors = response.get("Errors", [])
    if errors:
        first = errors[0]
        raise RuntimeError(f"S3 refused to delete {len(errors)} objects: {first.get('Code')}")
    return len(objects)


def _delete_asset(asset_id: str) -> None:
    try:
        client("mediapackage-vod").delete_asset(Id=asset_id)
    except ClientError as error:
        if error.response["Error"]["Code"] != "NotFoundException":
            raise


def _media_items(table: Table, media_id: str) -> list[dict[str, Any]]:
    """Keys of the media record and its analysis items (one partition)."""
    response = client("dynamodb").query(
        TableName=table.name,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues=to_attributes({":pk": keys.media_pk(media_id)}),
        ProjectionExpression="pk, sk",
    )
    return list(response["Items"])


def _chunks(items: list[dict[str, Any]], size: int) -> Iterable[list[dict[str, Any]]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _untag(table: Table, media: Media) -> Media:
    """Remove the media's tags (search items, catalogue counts) in transactions that also shrink
    its ``tags`` list, so repeating a half-done deletion never counts a tag off twice."""
    current: Media | None = media
    conflicts = 0
    while current is not None and current.item.get("tags"):
        tags = sorted(current.item["tags"])
        batch, rest = tags[:_TAGS_PER_TRANSACTION], tags[_TAGS_PER_TRANSACTION:]
        version = int(current.item.get("tags_version") or 0)
        record = Update().set("tags", rest).set("tags_version", version + 1)
        if version:
            record.require_equal("tags_version", version)
        else:
            record.require_absent("tags_version")
        items = [record.transact_item(table.name, lifecycle.media_key(current.media_id))]
        sort_key = keys.newest_first_sk(current.created_at, current.media_id)
        for tag in batch:
            search_key = {"pk": tag_pk(current.owner_id, tag), "sk": sort_key}
            items.append({"Delete": {"TableName": table.name, "Key": to_attributes(search_key)}})
            catalogue = {"pk": keys.user_pk(current.owner_id), "sk": catalogue_sk(tag)}
            items.append(Update().add("count", -1).transact_item(table.name, catalogue))
        try:
            table.transact(items)
        except ConditionFailed:
            conflicts += 1
            if conflicts >= 5:
                raise
        current = lifecycle.load(table, media.media_id)
    return current or media


def _delete_records(table: Table, media: Media) -> None:
    media = _untag(table, media)
    content_hash = media.item.get("content_hash")
    if content_hash:
        try:
            client("dynamodb").delete_item(
                TableName=table.name,
                Key=to_attributes({"pk": f"HASH#{media.owner_id}#{content_hash}", "sk": "HASH"}),
                ConditionExpression="media_id = :mine",
                ExpressionAttributeValues=to_attributes({":mine": media.media_id}),
            )
        except client("dynamodb").exceptions.ConditionalCheckFailedException:
            pass  # the hash names another media: it stays theirs

    analysis = [
        {"Delete": {"TableName": table.name, "Key": item}}
        for item in _media_items(table, media.media_id)
        if item["sk"]["S"] != keys.META_SK
    ]
    for chunk in _chunks(analysis, _TRANSACTION_LIMIT):
        table.transact(chunk)
    _delete_meta_and_count(table, media)


def _delete_meta_and_count(table: Table, media: Media) -> None:
    """Delete the record and take it off the owner's counters, in one transaction.

    The delete requires the status we counted from; if the pipeline moved it meanwhile, re-read.
    """
    current: Media | None = media
    for _ in range(5):
        if current is None:
            return
        profile = Update()
        if current.status is not Status.AWAITING_UPLOAD:
            profile.add(UPLOADS_COUNTER, -1)
            counter = DASHBOARD_COUNTER.get(current.status)
            if counter:
                profile.add(counter, -1)
        items: list[dict[str, Any]] = [
            {
                "Delete": {
                    "TableName": table.name,
                    "Key": to_attributes(lifecycle.media_key(current.media_id)),
                    "ConditionExpression": "#status = :status",
                    "ExpressionAttributeNames": {"#status": "status"},
                    "ExpressionAttributeValues": to_attributes({":status": current.status.value}),
                }
            }
        ]
        if profile.has_changes:
            items.append(
                profile.transact_item(
                    table.name, {"pk": keys.user_pk(current.owner_id), "sk": keys.PROFILE_SK}
                )
            )
        try:
            table.transact(items)
            return
        except ConditionFailed:
            current = lifecycle.load(table, media.media_id)
    raise ConditionFailed(f"media {media.media_id} kept changing while it was being deleted")
