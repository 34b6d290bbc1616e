"""Judge each object that lands in the uploads bucket: accept it into the pipeline or reject it.

Reads the object's size (HEAD) and first bytes (one ranged GET), never the whole file, and makes
a constant number of AWS calls whatever the table size.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from snapstream_runtime import lifecycle
from snapstream_runtime.adapters import storage
from snapstream_runtime.adapters.publishing import put_event
from snapstream_runtime.adapters.table import Table
from snapstream_runtime.announcements import finish_announcement
from snapstream_runtime.clock import iso, utc_now
from snapstream_runtime.contract import MEDIA_UPLOADED
from snapstream_runtime.keys import decode_event_key, parse_upload_key
from snapstream_runtime.lifecycle import Media, MediaGone, StaleTransition, Status
from snapstream_runtime.media_types import ALLOWED, SNIFF_BYTES, Detected, sniff
from snapstream_runtime.settings import Settings
from snapstream_runtime.sizes import human_size


class MalformedEvent(ValueError):
    """The queue message is not an S3 event notification (it will end in the DLQ for a human)."""


class Outcome(StrEnum):
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    DUPLICATE = "duplicate"
    RESUMED = "resumed"
    UNKNOWN_KEY = "unknown_key"
    OVERWRITE_REMOVED = "overwrite_removed"
    VANISHED = "vanished"
    #: the upload landed for a media being deleted: its bytes are removed, nothing is written
    DISCARDED = "discarded"


@dataclass(frozen=True)
class ObjectCreated:
    bucket: str
    key: str
    version_id: str | None


def parse_notification(body: str) -> list[ObjectCreated]:
    """The ObjectCreated records of one S3 notification message (none for ``s3:TestEvent``)."""
    try:
        message = json.loads(body)
    except json.JSONDecodeError as error:
        raise MalformedEvent(f"message body is not JSON: {body[:80]!r}") from error
    if not isinstance(message, dict):
        raise MalformedEvent("message body is not a JSON object")
    if message.get("Event") == "s3:TestEvent":
        return []
    records = message.get("Records")
    if not isinstance(records, list):
        raise MalformedEvent("message has no S3 Records")
    created = []
    for record in records:
        try:
            if not str(record["eventName"]).startswith("ObjectCreated:"):
                continue
            s3 = record["s3"]
            created.append(
                ObjectCreated(
                    bucket=s3["bucket"]["name"],
                    key=decode_event_key(s3["object"]["key"]),
                    version_id=s3["object"].get("versionId") or None,
                )
            )
        except (KeyError, TypeError) as error:
            raise MalformedEvent(f"S3 record is missing {error}") from error
    return created


@dataclass(frozen=True)
class Verdict:
    reason: str | None
    detected: Detected | None = None

    @property
    def accepted(self) -> bool:
        return self.reason is None


def judge(media: Media, size: int, head: bytes, max_upload_bytes: int) -> Verdict:
    """Accept only a non-empty, allowed, within-limit file whose bytes match its declared type."""
    if size == 0:
        return Verdict("the file is empty")
    if size > max_upload_bytes:
        return Verdict(
            f"the file is {human_size(size)}, larger than the {human_size(max_upload_bytes)} limit"
        )
    if media.content_type not in ALLOWED:
        return Verdict(f"files of type {media.content_type} are not accepted")
    detected = sniff(head)
    if detected is None:
        return Verdict("the file's content is not a supported image, video or audio format")
    if media.content_type not in detected.compatible:
        return Verdict(
            f"the file's content is {detected.description}, "
            f"but it was declared as {media.content_type}",
            detected,
        )
    return Verdict(None, detected)


def ingest(event: ObjectCreated, settings: Settings) -> Outcome:
    table = Table(settings.table_name)
    ref = parse_upload_key(event.key)
    media = lifecycle.load(table, ref.media_id) if ref else None
    if (
        ref is None
        or media is None
        or media.owner_id != ref.user_id
        or media.upload_key != event.key
    ):
        # Nobody asked to upload this: do not keep bytes we cannot attribute to an upload.
        storage.delete_version(event.bucket, event.key, event.version_id)
        return Outcome.UNKNOWN_KEY
    for _ in range(2):
        if media.status is Status.DELETING:
            storage.delete_version(event.bucket, event.key, event.version_id)
            return Outcome.DISCARDED
        if media.status is Status.AWAITING_UPLOAD:
            try:
                judged = _judge_and_transition(table, media, event, settings)
            except MediaGone:
                storage.delete_version(event.bucket, event.key, event.version_id)
                return Outcome.DISCARDED
            except StaleTransition:
                reloaded = lifecycle.load(table, media.media_id)
                if reloaded is None:
                    return Outcome.VANISHED
                media = reloaded
                continue
            if judged is None:
                return Outcome.VANISHED
            media, outcome = judged
        elif (media.version_id or "") != (event.version_id or ""):
            # A second object written to a key that was already judged: keep the judged one.
            storage.delete_version(event.bucket, event.key, event.version_id)
            return Outcome.OVERWRITE_REMOVED
        elif not media.announce_pending:
            return Outcome.DUPLICATE
        else:
            outcome = Outcome.RESUMED
        _announce(table, media, event.bucket, settings)
        return outcome
    raise StaleTransition(f"media {media.media_id} keeps changing under the ingest")


def _judge_and_transition(
    table: Table, media: Media, event: ObjectCreated, settings: Settings
) -> tuple[Media, Outcome] | None:
    facts = storage.head(event.bucket, event.key, event.version_id)
    if facts is None:
        return None
    within_limit = 0 < facts.size <= settings.max_upload_bytes
    head = (
        storage.first_bytes(event.bucket, event.key, facts.version_id, SNIFF_BYTES)
        if within_limit
        else b""
    )
    verdict = judge(media, facts.size, head, settings.max_upload_bytes)
    fields: dict[str, Any] = {
        "size": facts.size,
        "etag": facts.etag,
        "version_id": facts.version_id or "",
        "uploaded_at": iso(utc_now()),
    }
    if verdict.detected:
        fields["detected_type"] = verdict.detected.content_type
    target = Status.UPLOADED if verdict.accepted else Status.REJECTED
    lifecycle.transition(
        table,
        media,
        target,
        reason=verdict.reason,
        fields=fields,
        notification_ttl_days=settings.notification_ttl_days,
    )
    item = {**media.item, **fields, "status": target.value, "announce_pending": True}
    if verdict.reason:
        item["status_reason"] = verdict.reason
    updated = dataclasses.replace(media, status=target, item=item)
    return updated, Outcome.ACCEPTED if verdict.accepted else Outcome.REJECTED


def _announce(table: Table, media: Media, bucket: str, settings: Settings) -> None:
    """Do what the transition promised, then clear the flag (each step is safe to repeat)."""
    if media.status is Status.REJECTED:
        storage.delete_version(bucket, media.upload_key, media.version_id)
    elif media.status is Status.UPLOADED:
        put_event(
            settings.event_bus_name, MEDIA_UPLOADED, media_uploaded_detail(media, bucket, settings)
        )
    finish_announcement(table, media, settings.notifications_topic_arn)


def media_uploaded_detail(media: Media, bucket: str, settings: Settings) -> dict[str, Any]:
    """The ``MediaUploaded`` event: everything a downstream processor needs, no lookup required."""
    return {
        "media_id": media.media_id,
        "owner_id": media.owner_id,
        "kind": media.kind,
        "content_type": media.content_type,
        "detected_type": media.item.get("detected_type"),
        "bucket": bucket,
        "key": media.upload_key,
        "version_id": media.version_id,
        "size": media.item.get("size"),
        "etag": media.item.get("etag"),
        "environment": settings.environment,
    }
