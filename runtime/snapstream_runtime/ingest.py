"""Judge each object that lands in the uploads bucket: accept it into the pipeline or reject it.

The POST policy promises the key, size, type and metadata; S3 enforces it, but nothing here
trusts that it did. Ingest verifies the stored object against the ``awaiting_upload`` record:
its metadata (owner, media id), size, Content-Type, magic bytes and, for images, the pixel count
its header declares. It reads the object's facts (HEAD) and first bytes (one ranged GET), never
the whole file, and makes a constant number of AWS calls whatever the table size.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from snapstream_runtime import keys, lifecycle
from snapstream_runtime.adapters import storage
from snapstream_runtime.adapters.publishing import put_event
from snapstream_runtime.adapters.storage import ObjectFacts
from snapstream_runtime.adapters.table import Table
from snapstream_runtime.announcements import finish_announcement
from snapstream_runtime.clock import iso, utc_now
from snapstream_runtime.contract import MEDIA_UPLOADED, UPLOADS_PREFIX
from snapstream_runtime.image_dimensions import declared_dimensions
from snapstream_runtime.image_header import IMAGE_HEADER_BYTES, too_many_pixels
from snapstream_runtime.keys import decode_event_key, parse_upload_key
from snapstream_runtime.lifecycle import Media, MediaGone, StaleTransition, Status
from snapstream_runtime.media_types import ALLOWED, Kind
from snapstream_runtime.settings import Settings
from snapstream_runtime.sizes import human_size
from snapstream_runtime.sniffing import SNIFF_BYTES, Detected, sniff


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
    #: an object at a waiting upload's key that its POST did not write (the metadata names
    #: another owner or media, or none): removed, the record keeps waiting for the real upload
    FOREIGN_OBJECT = "foreign_object"
    #: a key outside ``uploads/`` (the bucket notification sends none): left alone
    IGNORED = "ignored"


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


def written_by_this_upload(media: Media, facts: ObjectFacts) -> bool:
    """The object carries the metadata the record's POST policy pins: its owner and media id."""
    expected = keys.upload_metadata(media.owner_id, media.media_id)
    return all(facts.metadata.get(name) == value for name, value in expected.items())


def stored_problem(media: Media, facts: ObjectFacts, max_upload_bytes: int) -> str | None:
    """Why the stored object is not the declared file (size, type), judged before any read."""
    if facts.size == 0:
        return "the file is empty"
    if facts.size > max_upload_bytes:
        return (
            f"the file is {human_size(facts.size)}, "
            f"larger than the {human_size(max_upload_bytes)} limit"
        )
    if facts.size != media.declared_size:
        return f"the file is {facts.size:,} bytes, but {media.declared_size:,} bytes were declared"
    if media.content_type not in ALLOWED:
        return f"files of type {media.content_type} are not accepted"
    if facts.content_type != media.content_type:
        stored = facts.content_type or "no type"
        return f"the file was stored as {stored}, but it was declared as {media.content_type}"
    return None


def judge(media: Media, head: bytes, max_image_pixels: int) -> Verdict:
    """Accept only bytes that are what was declared, and images within the pixel limit (from
    the dimensions their header declares: nothing is decoded)."""
    detected = sniff(head)
    if detected is None:
        return Verdict("the file's content is not a supported image, video or audio format")
    if not detected.compatible:
        return Verdict(
            f"the file's content is {detected.description}, which is not accepted: "
            f"{detected.refusal}",
            detected,
        )
    if media.content_type not in detected.compatible:
        return Verdict(
            f"the file's content is {detected.description}, "
            f"but it was declared as {media.content_type}",
            detected,
        )
    dimensions = declared_dimensions(media.content_type, head)
    if dimensions is not None:
        reason = too_many_pixels(dimensions, max_image_pixels)
        if reason:
            return Verdict(reason, detected)
    return Verdict(None, detected)


def header_bytes(media: Media) -> int:
    """How much of the object ingest reads: enough for the magic bytes, and for an image the
    header that declares its dimensions."""
    return IMAGE_HEADER_BYTES if media.kind == Kind.IMAGE else SNIFF_BYTES


def ingest(event: ObjectCreated, settings: Settings) -> Outcome:
    if not event.key.startswith(UPLOADS_PREFIX):
        return Outcome.IGNORED
    table = Table(settings.table_name)
    ref = parse_upload_key(event.key)
    media = lifecycle.load(table, ref.media_id) if ref else None
    if (
        ref is None
        or media is None
        or media.owner_id != ref.user_id
        or media.upload_key != event.key
    ):
        # No waiting record claims this key: do not keep bytes we cannot attribute to an
        # upload, in any version.
        storage.delete_every_version(event.bucket, event.key)
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
            if isinstance(judged, Outcome):
                return judged
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
) -> tuple[Media, Outcome] | Outcome:
    facts = storage.head(event.bucket, event.key, event.version_id)
    if facts is None:
        return Outcome.VANISHED
    if not written_by_this_upload(media, facts):
        # Not this upload's POST (its policy pins the metadata): someone else's bytes at this
        # key. Only this version goes: the owner's own upload may be on its way here too.
        storage.delete_version(event.bucket, event.key, facts.version_id)
        return Outcome.FOREIGN_OBJECT
    problem = stored_problem(media, facts, settings.max_upload_bytes)
    if problem:
        verdict = Verdict(problem)
    else:
        head = storage.first_bytes(event.bucket, event.key, facts.version_id, header_bytes(media))
        verdict = judge(media, head, settings.max_image_pixels)
    fields: dict[str, Any] = {
        "size": facts.size,
        "etag": facts.etag,
        "version_id": facts.version_id or "",
        "uploaded_at": iso(utc_now()),
    }
    if verdict.detected and verdict.detected.content_type:
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
        # Every version of its key: nothing written there for a rejected upload is kept.
        storage.delete_every_version(bucket, media.upload_key)
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
