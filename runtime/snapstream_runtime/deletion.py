"""The deletion function's work: one message of the deletion queue (see
:mod:`snapstream_runtime.deletion_requests` for the shapes) at a time.

A media that is ``deleting`` loses, in this order, its MediaPackage asset, every S3 version under
its upload and media prefixes, its tags (search items, catalogue counts), analysis items, content
hash claim and the notifications about it; then its record goes, with the owner's "deleted"
notification, in one transaction. Every step is idempotent, so a redelivered message finishes
the job and never fails on what is already gone. A step that fails records why on the record
(``deletion.error``) and fails the message: the queue retries it, and after its limit the message
waits in the dead-letter queue (alarmed; docs/runbooks.md) with the media still ``deleting``.

An account that is ``deleting`` marks each of its remaining media and sends one message per media
(fan-out). When the last of them is gone (the owner's ``count_deleting`` reaches 0), the account
itself goes: notifications, tag catalogue, login throttle, the SNS e-mail subscription, then the
profile with its e-mail and username claims in one transaction.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum

from snapstream_runtime import contract, keys, lifecycle, owner_messages, removal
from snapstream_runtime.account_removal import close_account
from snapstream_runtime.adapters.publishing import publish_notification
from snapstream_runtime.adapters.queues import send
from snapstream_runtime.adapters.table import Table
from snapstream_runtime.adapters.video_services import delete_asset
from snapstream_runtime.clock import iso, utc_now
from snapstream_runtime.deletion_requests import (
    ACCOUNT_MESSAGE,
    MEDIA_MESSAGE,
    account_is_deleting,
    account_message,
)
from snapstream_runtime.lifecycle import DELETING_COUNTER, Media, Status
from snapstream_runtime.settings import Settings

_ID = re.compile(r"^[0-9a-f]{32}$")
_SUBJECT = "SnapStream: media deleted"


class MalformedMessage(ValueError):
    """Not a deletion message (it ends in the dead-letter queue for a human to look at)."""


class DeletionOutcome(StrEnum):
    DELETED = "deleted"
    #: the media was gone already: late files and asset under its prefixes removed
    SWEPT = "swept"
    #: the media or account is not marked ``deleting``: nothing is touched
    NOT_MARKED = "not_marked"
    ACCOUNT_WAITING = "account_waiting"
    ACCOUNT_DELETED = "account_deleted"
    ACCOUNT_GONE = "account_gone"
    FAILED = contract.FAILED_OUTCOME


@dataclass(frozen=True)
class DeletionMessage:
    kind: str
    subject_id: str  # the media id, or the user id of an account
    owner_id: str

    @property
    def correlation_id(self) -> str:
        return self.subject_id


def parse_message(body: str) -> DeletionMessage:
    try:
        message = json.loads(body)
    except json.JSONDecodeError as error:
        raise MalformedMessage(f"not JSON: {body[:80]!r}") from error
    if not isinstance(message, dict):
        raise MalformedMessage("not a JSON object")
    kind = message.get("type")
    if kind == MEDIA_MESSAGE:
        subject, owner = message.get("media_id"), message.get("owner_id")
    elif kind == ACCOUNT_MESSAGE:
        subject = owner = message.get("user_id")
    else:
        raise MalformedMessage(f"unknown deletion type {kind!r}")
    if not isinstance(subject, str) or not isinstance(owner, str):
        raise MalformedMessage("ids must be strings")
    if not _ID.match(subject) or not _ID.match(owner):
        raise MalformedMessage("ids must be 32 hexadecimal digits")
    return DeletionMessage(kind, subject, owner)


def process(message: DeletionMessage, settings: Settings, *, attempt: int = 1) -> DeletionOutcome:
    if message.kind == ACCOUNT_MESSAGE:
        return DeletionOutcome(close_account(settings, message.owner_id, attempt=attempt))
    return delete_media(message.subject_id, message.owner_id, settings, attempt=attempt)


# -- one media -----------------------------------------------------------------------------------


@contextmanager
def _step(table: Table, media_id: str, name: str, attempt: int) -> Iterator[None]:
    """Run one step; if it fails, say why on the (still ``deleting``) record, then fail."""
    try:
        yield
    except Exception as error:
        removal.record_failure(
            table,
            lifecycle.media_key(media_id),
            f"{name}: {type(error).__name__}: {error}",
            attempt,
        )
        raise


def delete_media(
    media_id: str, owner_id: str, settings: Settings, *, attempt: int = 1
) -> DeletionOutcome:
    table = Table(settings.table_name)
    media = lifecycle.load(table, media_id)
    if media is None:
        _remove_outside_records(settings, owner_id, media_id, video=True)
        _finish_account_if_last(settings, table, owner_id)
        return DeletionOutcome.SWEPT
    if media.owner_id != owner_id or media.status is not Status.DELETING:
        return DeletionOutcome.NOT_MARKED
    with _step(table, media_id, "files and asset", attempt):
        _remove_outside_records(settings, owner_id, media_id, video=media.kind == "video")
    with _step(table, media_id, "tags", attempt):
        removal.untag(table, media_id)
    with _step(table, media_id, "analysis and claims", attempt):
        removal.delete_analysis_items(table, media_id)
        removal.release_hash(table, media)
        removal.delete_notifications_about(table, owner_id, media_id)
    with _step(table, media_id, "record", attempt):
        profile = table.get(**keys.profile_key(owner_id))
        tell_owner = profile is not None and not account_is_deleting(profile)
        moment = utc_now()
        notification = (
            removal.deleted_notification(
                media,
                created_at=iso(moment),
                expires_at=int(moment.timestamp()) + settings.notification_ttl_days * 86400,
            )
            if tell_owner
            else None
        )
        removed = removal.delete_record(table, media, notification=notification)
    if removed and tell_owner:
        _email_owner(settings, media)
    _finish_account_if_last(settings, table, owner_id)
    return DeletionOutcome.DELETED


def _remove_outside_records(
    settings: Settings, owner_id: str, media_id: str, *, video: bool
) -> None:
    """A video's asset first (the stream stops), then every version of every file. The asset id
    is derived, not read from the record: a package step that raced the mark may have made it."""
    if video:
        delete_asset(contract.asset_id(settings.environment, media_id))
    removal.delete_files(
        uploads_bucket=settings.uploads_bucket,
        media_bucket=settings.media_bucket,
        owner_id=owner_id,
        media_id=media_id,
    )


def _email_owner(settings: Settings, media: Media) -> None:
    """After the record is gone (so at most once): the e-mail copy of the notification."""
    if settings.notifications_topic_arn:
        publish_notification(
            settings.notifications_topic_arn,
            user_id=media.owner_id,
            event="media.deleted",
            subject=_SUBJECT,
            message=owner_messages.describe("media.deleted", media.title, None),
        )


def _finish_account_if_last(settings: Settings, table: Table, owner_id: str) -> None:
    """The owner's account waits for its media: the last one gone sends the account again."""
    profile = table.get(**keys.profile_key(owner_id))
    if account_is_deleting(profile) and int((profile or {}).get(DELETING_COUNTER, 0)) <= 0:
        send(settings.deletion_queue_url, account_message(owner_id))
