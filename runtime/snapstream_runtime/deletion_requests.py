"""Asking for a deletion: the request only marks, the deletion function does the work.

A media (or an account) is marked ``deleting`` in one DynamoDB transaction: from that moment it
is off every list, search, tag count, dashboard counter and admin view, and its files are
refused. Then a deletion message goes to the deletion queue. Marking again is harmless and sends
again, so a request whose message was lost is finished by repeating it.

Message shapes (JSON bodies of the deletion queue):

- ``{"type": "media", "media_id": <id>, "owner_id": <id>}``: delete a media that is
  ``deleting``; for a media already gone, remove late files and asset under its prefixes (a
  *sweep*, sent by pipeline functions whose job output landed after the deletion);
- ``{"type": "account", "user_id": <id>}``: delete an account that is ``deleting``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from enum import StrEnum
from typing import Any, Concatenate, ParamSpec, TypeVar

from snapstream_runtime import keys, lifecycle, listings, removal, watch
from snapstream_runtime.adapters.queues import send
from snapstream_runtime.adapters.table import ConditionFailed, Table, Update
from snapstream_runtime.clock import iso, utc_now
from snapstream_runtime.lifecycle import Media, MediaGone, Status
from snapstream_runtime.settings import Settings

MEDIA_MESSAGE = "media"
ACCOUNT_MESSAGE = "account"
#: the record, the profile and two items per tag stay within one 100-item transaction.
_TAGS_WITH_THE_MARK = 48


class DeletionNotStarted(RuntimeError):
    """The mark is made but the deletion message could not be sent: asking again sends it."""


def media_message(media_id: str, owner_id: str) -> dict[str, str]:
    return {"type": MEDIA_MESSAGE, "media_id": media_id, "owner_id": owner_id}


def account_message(user_id: str) -> dict[str, str]:
    return {"type": ACCOUNT_MESSAGE, "user_id": user_id}


def _send(settings: Settings, message: dict[str, str]) -> None:
    if not settings.deletion_queue_url:
        raise DeletionNotStarted("no deletion queue is configured")
    try:
        send(settings.deletion_queue_url, message)
    except Exception as error:
        raise DeletionNotStarted(f"the deletion could not be started: {error}") from error


# -- media ---------------------------------------------------------------------------------------


def _mark_once(table: Table, media: Media, requested_by: str) -> list[str]:
    record, profile = deleting_updates(media, requested_by=requested_by, now=iso(utc_now()))
    tags = removal.shrink_tags(record, media, _TAGS_WITH_THE_MARK)
    table.transact(
        [
            record.transact_item(table.name, lifecycle.media_key(media.media_id)),
            profile.transact_item(table.name, keys.profile_key(media.owner_id)),
            *removal.tag_removal_items(table.name, media, tags),
        ]
    )
    return tags


def mark(table: Table, media: Media, *, requested_by: str) -> Media | None:
    """Mark ``media`` deleting: one transaction (with its first tags' search items and catalogue
    counts), then its remaining tags off the catalogue. Returns the media as it now stands, None
    if it is gone; a media already ``deleting`` is returned as it is."""
    current: Media | None = media
    for _ in range(5):
        if current is None:
            return None
        if current.status is Status.DELETING:
            break
        try:
            untagged = _mark_once(table, current, requested_by)
        except ConditionFailed:
            current = lifecycle.load(table, media.media_id)  # moved meanwhile: count from now
            continue
        removal.drop_unused_catalogue(table, current.owner_id, untagged)
        break
    else:
        raise ConditionFailed(f"media {media.media_id} kept changing while it was being marked")
    removal.untag(table, media.media_id)
    return lifecycle.load(table, media.media_id)


def request_media_deletion(settings: Settings, media: Media, *, requested_by: str) -> None:
    """Mark ``media`` deleting and hand it to the deletion function (:class:`DeletionNotStarted`
    if the message could not be sent: the mark stands with the reason, and a repeat sends it)."""
    table = Table(settings.table_name)
    if mark(table, media, requested_by=requested_by) is None:
        return
    try:
        _send(settings, media_message(media.media_id, media.owner_id))
    except DeletionNotStarted as error:  # the reason stands on the record (runbook query)
        removal.record_failure(table, lifecycle.media_key(media.media_id), str(error), 0)
        raise


def request_sweep(settings: Settings, media_id: str, owner_id: str) -> None:
    """A pipeline job's output landed for a media being deleted or gone: have it removed."""
    send(settings.deletion_queue_url, media_message(media_id, owner_id))


# -- accounts ------------------------------------------------------------------------------------


def request_account_deletion(settings: Settings, user_id: str) -> None:
    """Mark the account deleting in one write (every session ends: ``auth_version`` moves; off
    the admins' user list), then hand it to the deletion function. Repeating sends again."""
    table, now = Table(settings.table_name), iso(utc_now())
    mark_account = (
        Update()
        .set("status", Status.DELETING.value)
        .set("deletion", {"requested_at": now})
        .add("auth_version", 1)
        .remove("gsi2pk")
        .remove("gsi2sk")
        .require_exists("pk")
        .require_not_equal("status", Status.DELETING.value)
    )
    try:
        table.update(keys.profile_key(user_id), mark_account)
    except ConditionFailed:
        if table.get(**keys.profile_key(user_id)) is None:
            return  # gone already
    _send(settings, account_message(user_id))


def account_is_deleting(profile: dict[str, Any] | None) -> bool:
    return bool(profile) and (profile or {}).get("status") == Status.DELETING.value


# -- pipeline writers ----------------------------------------------------------------------------


class Gone(StrEnum):
    """The outcome of pipeline work for a media being deleted or gone: nothing written."""

    DELETED = "deleted"


First = TypeVar("First")
P = ParamSpec("P")
Outcome = TypeVar("Outcome", bound=StrEnum)


def stops_when_deleted(
    logic: Callable[Concatenate[First, Settings, P], Outcome],
) -> Callable[Concatenate[First, Settings, P], Outcome | Gone]:
    """Pipeline logic ``(event, settings, ...)`` that ends with ``deleted`` when its media is
    being deleted or is gone (:class:`MediaGone`), asking the deletion function to sweep up
    whatever a job left behind when the function is wired to the deletion queue."""

    @functools.wraps(logic)
    def guarded(first: First, settings: Settings, /, *args: P.args, **kwargs: P.kwargs) -> Any:
        try:
            return logic(first, settings, *args, **kwargs)
        except MediaGone as gone:
            if gone.sweep and gone.owner_id and settings.deletion_queue_url:
                request_sweep(settings, gone.media_id, gone.owner_id)
            return Gone.DELETED

    return guarded


def deleting_updates(media: Media, *, requested_by: str, now: str) -> tuple[Update, Update]:
    """The record's and the owner profile's updates that mark ``media`` deleting, for one
    transaction (the caller may add to both): status ``deleting`` if still in ``media.status``,
    off the owner's library (GSI1 ``DELETING#<owner>`` instead, no library index keys) and the
    admins' months (GSI2 ``DELETING`` instead), on the sweeper's index as ``deleting``, no expiry
    by TTL, and the owner's counters as if it were gone."""
    lifecycle.check_transition(media.status, Status.DELETING)
    record = (
        Update()
        .set("status", Status.DELETING.value)
        .set("status_changed_at", now)
        .set("updated_at", now)
        .append("history", [{"status": Status.DELETING.value, "at": now, "by": requested_by}])
        .set("deletion", {"requested_at": now, "requested_by": requested_by})
        .set("gsi1pk", keys.deleting_owner_index_pk(media.owner_id))
        .set("gsi2pk", keys.DELETING_INDEX_PK)
        .set("gsi2sk", keys.newest_first_sk(now, media.media_id))
        .remove("expires_at")
        .remove("announce_pending")
        .require_equal("status", media.status.value)
        .require_equal("owner_id", media.owner_id)
    )
    watch.track(record, Status.DELETING.value, now, media.media_id)
    listings.track(record, **lifecycle.listed(media), status=Status.DELETING.value)
    profile = Update().add(lifecycle.DELETING_COUNTER, 1)
    if media.status is not Status.AWAITING_UPLOAD:
        profile.add(lifecycle.UPLOADS_COUNTER, -1)
    if media.status not in {Status.AWAITING_UPLOAD, Status.REJECTED}:
        profile.add(lifecycle.BYTES_COUNTER, -media.declared_size)
    counter = lifecycle.DASHBOARD_COUNTER.get(media.status)
    if counter:
        profile.add(counter, -1)
    return record, profile
