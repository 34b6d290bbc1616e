"""The media status machine: the only code that changes a media record's status.

``awaiting_upload -> uploaded -> processing -> ready | failed``, or ``awaiting_upload ->
rejected``; from any of these, ``deleting``, which accepts no transition at all: a media being
deleted only goes away (the deletion function removes the record last). Each transition is one
DynamoDB transaction that (1) moves the status only if the record is still in the expected state,
(2) moves the owner's dashboard counters and (3) writes the owner's notification record, so
counters and notifications can never drift from the records.

Every pipeline write to a media (a step, a transition, analysis results, tags, hash claims) is
conditional on the media not being ``deleting``; when that condition fails, :class:`MediaGone`
is raised, so a completion that arrives late can never recreate what a deletion removed.

A transition also sets ``announce_pending``: the caller then publishes what must be published
(the bus event, the SNS message) and calls :func:`clear_announcement`. A retry after a partial
failure finds the flag and publishes again; a duplicate delivery after success finds no flag and
does nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from snapstream_runtime import keys, listings, owner_messages, title_index, watch
from snapstream_runtime.adapters.table import (
    ConditionFailed,
    Item,
    Table,
    Update,
    put_transact_item,
)
from snapstream_runtime.clock import iso, utc_now
from snapstream_runtime.media_types import MediaType


class Status(StrEnum):
    AWAITING_UPLOAD = "awaiting_upload"
    UPLOADED = "uploaded"
    PROCESSING = "processing"
    READY = "ready"
    FAILED = "failed"
    REJECTED = "rejected"
    DELETING = "deleting"  # marked: off every list, files refused, the deletion function at work


LEGAL_TRANSITIONS: Mapping[Status, frozenset[Status]] = {
    Status.AWAITING_UPLOAD: frozenset({Status.UPLOADED, Status.REJECTED, Status.DELETING}),
    Status.UPLOADED: frozenset({Status.PROCESSING, Status.READY, Status.FAILED, Status.DELETING}),
    Status.PROCESSING: frozenset({Status.READY, Status.FAILED, Status.DELETING}),
    # An operator's recovery (docs runbook) re-runs a failed step.
    Status.FAILED: frozenset({Status.PROCESSING, Status.DELETING}),
    Status.READY: frozenset({Status.DELETING}),
    Status.REJECTED: frozenset({Status.DELETING}),
    # Only to gone: the deletion function deletes the record (never a status change).
    Status.DELETING: frozenset(),
}

#: Which dashboard counter on the owner's profile a status counts towards.
DASHBOARD_COUNTER: Mapping[Status, str] = {
    Status.UPLOADED: "count_processing",
    Status.PROCESSING: "count_processing",
    Status.READY: "count_completed",
    Status.FAILED: "count_failed",
    Status.REJECTED: "count_failed",
}
UPLOADS_COUNTER = "count_uploads"
#: bytes of the owner's stored originals (arrived and not rejected, until marked deleting)
BYTES_COUNTER = "bytes_stored"
UNREAD_COUNTER = "unread_notifications"
#: The owner's media marked ``deleting`` and not yet gone (an account goes when it reaches 0).
DELETING_COUNTER = "count_deleting"

#: Transitions the owner is told about, with the event name used on SNS and in the app.
NOTIFIED_EVENTS: Mapping[Status, str] = {
    Status.UPLOADED: "media.uploaded",
    Status.REJECTED: "media.rejected",
    Status.READY: "media.ready",
    Status.FAILED: "media.failed",
}


class StepState(StrEnum):
    """Sub-status of one processing step (transcode, package, analysis.<kind>)."""

    PENDING = "pending"
    SUBMITTED = "submitted"
    PROGRESSING = "progressing"
    COMPLETE = "complete"
    FAILED = "failed"
    SKIPPED = "skipped"


class IllegalTransition(ValueError):
    """The status machine does not allow this move."""


class StaleTransition(RuntimeError):
    """The record was no longer in the expected status (someone else moved it first)."""


class MediaGone(Exception):
    """The media is being deleted, or is gone: nothing may be written for it any more.

    ``sweep``: the writer may have left files or an asset behind (a job's late output), which
    the deletion function must remove; possible only when the owner is known.
    """

    def __init__(self, media_id: str, owner_id: str | None = None, *, sweep: bool = False) -> None:
        super().__init__(f"media {media_id} is being deleted or is gone")
        self.media_id, self.owner_id, self.sweep = media_id, owner_id, sweep


@dataclass(frozen=True)
class Media:
    """A media record as the pipeline sees it."""

    media_id: str
    owner_id: str
    status: Status
    kind: str
    content_type: str
    title: str
    file_name: str
    upload_key: str
    created_at: str
    declared_size: int
    item: Item = field(repr=False)

    @classmethod
    def from_item(cls, item: Item) -> Media:
        return cls(
            media_id=item["media_id"],
            owner_id=item["owner_id"],
            status=Status(item["status"]),
            kind=item["kind"],
            content_type=item["content_type"],
            title=item["title"],
            file_name=item["file_name"],
            upload_key=item["upload_key"],
            created_at=item["created_at"],
            declared_size=int(item.get("declared_size", 0)),
            item=item,
        )

    @property
    def announce_pending(self) -> bool:
        return bool(self.item.get("announce_pending"))

    @property
    def status_reason(self) -> str | None:
        reason = self.item.get("status_reason")
        return str(reason) if reason else None

    @property
    def version_id(self) -> str | None:
        version = self.item.get("version_id")
        return str(version) if version else None


def new_media_item(
    *,
    media_id: str,
    owner_id: str,
    title: str,
    file_name: str,
    media_type: MediaType,
    declared_size: int,
    upload_key: str,
    created_at: str,
    expires_at: int,
) -> Item:
    """The ``awaiting_upload`` record created when an upload URL is issued."""
    return {
        "pk": keys.media_pk(media_id),
        "sk": keys.META_SK,
        "gsi1pk": keys.owner_index_pk(owner_id),
        "gsi1sk": keys.newest_first_sk(created_at, media_id),
        "gsi2pk": keys.all_uploads_index_pk(created_at),
        "gsi2sk": keys.newest_first_sk(created_at, media_id),
        **listings.record_keys(
            owner_id=owner_id,
            kind=media_type.kind.value,
            created_at=created_at,
            status=Status.AWAITING_UPLOAD.value,
            media_id=media_id,
            title=title,
        ),
        "media_id": media_id,
        "owner_id": owner_id,
        "kind": media_type.kind.value,
        "content_type": media_type.content_type,
        "title": title,
        "file_name": file_name,
        "upload_key": upload_key,
        "declared_size": declared_size,
        "status": Status.AWAITING_UPLOAD.value,
        "created_at": created_at,
        "updated_at": created_at,
        "status_changed_at": created_at,
        "history": [{"status": Status.AWAITING_UPLOAD.value, "at": created_at}],
        "steps": {},
        "expires_at": expires_at,
    }


def load(table: Table, media_id: str) -> Media | None:
    item = table.get(keys.media_pk(media_id), keys.META_SK)
    return Media.from_item(item) if item else None


def load_active(table: Table, media_id: str) -> Media | None:
    """The media for pipeline work: None when there is none, :class:`MediaGone` when it is
    being deleted (no work is started for it)."""
    media = load(table, media_id)
    if media is not None and media.status is Status.DELETING:
        raise MediaGone(media_id, media.owner_id)
    return media


def gone_unless_changed(
    table: Table, media_id: str, error: Exception, *, owner_id: str | None = None
) -> Exception:
    """After a conditional write to a media failed: :class:`MediaGone` (with a sweep of what
    the writer may have left) if the media is being deleted or is gone, else ``error``."""
    current = load(table, media_id)
    if current is None:
        return MediaGone(media_id, owner_id, sweep=owner_id is not None)
    if current.status is Status.DELETING:
        return MediaGone(media_id, current.owner_id, sweep=True)
    return error


def active_guard(
    table_name: str, media_id: str, fields: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """A transaction item that holds only while the media exists and is not being deleted
    (and sets ``fields`` on the record)."""
    update = Update().set("updated_at", iso(utc_now()))
    for name, value in (fields or {}).items():
        update.set(name, value)
    return (
        update.require_exists("pk")
        .require_not_equal("status", Status.DELETING.value)
        .transact_item(table_name, media_key(media_id))
    )


def media_key(media_id: str) -> dict[str, str]:
    return {"pk": keys.media_pk(media_id), "sk": keys.META_SK}


def _owner_counters(media: Media, target: Status) -> Update:
    """The owner's counters as ``media`` moves to ``target``: uploads and bytes stored once it
    arrives (no bytes for a rejected file: it is removed at once), the dashboard's per status."""
    profile = Update()
    if media.status is Status.AWAITING_UPLOAD:
        profile.add(UPLOADS_COUNTER, 1)
        if target is not Status.REJECTED:
            profile.add(BYTES_COUNTER, media.declared_size)
    old, new = DASHBOARD_COUNTER.get(media.status), DASHBOARD_COUNTER.get(target)
    if old != new:
        for counter, step in ((old, -1), (new, 1)):
            if counter:
                profile.add(counter, step)
    return profile


def check_transition(current: Status, target: Status) -> None:
    if target not in LEGAL_TRANSITIONS[current]:
        raise IllegalTransition(f"a media record cannot go from {current} to {target}")


def transition(
    table: Table,
    media: Media,
    target: Status,
    *,
    reason: str | None = None,
    fields: Mapping[str, Any] | None = None,
    notification_ttl_days: int = 180,
    require: Mapping[str, Any] | None = None,
) -> None:
    """Move ``media`` to ``target`` with counters and the owner's notification, atomically, onto
    (or off) the sweeper's index (:mod:`watch`) and its status's library lists (:mod:`listings`).

    Raises :class:`IllegalTransition` for a move the machine forbids and
    :class:`StaleTransition` when the stored record is no longer in ``media.status`` (or no
    longer holds the values of ``require``).
    """
    check_transition(media.status, target)
    if target is Status.DELETING:
        raise IllegalTransition("a media is marked deleting by deletion_requests.mark")
    moment = utc_now()
    now = iso(moment)
    record = (
        Update()
        .set("status", target.value)
        .set("status_changed_at", now)
        .set("updated_at", now)
        .append(
            "history",
            [{"status": target.value, "at": now, **({"reason": reason} if reason else {})}],
        )
        .require_equal("status", media.status.value)
        .require_equal("owner_id", media.owner_id)
    )
    watch.track(record, target.value, now, media.media_id)
    listings.track(record, **listed(media), status=target.value)
    if reason:
        record.set("status_reason", reason)
    _set_and_require(record, fields, require)
    event = NOTIFIED_EVENTS.get(target)
    if event:
        record.set("announce_pending", True)
    arrived = media.status is Status.AWAITING_UPLOAD
    if arrived:  # searchable by its title's words from now on (a rename meanwhile: move again)
        record.remove("expires_at").require_equal("title", media.title)
    items = [record.transact_item(table.name, media_key(media.media_id))]
    if arrived:
        items += title_index.put_items(table.name, title=media.title, **_titled(media))

    profile = _owner_counters(media, target)
    if event:
        profile.add(UNREAD_COUNTER, 1)
        notice = owner_messages.notification(
            owner_id=media.owner_id,
            media_id=media.media_id,
            event=event,
            title=media.title,
            reason=reason,
            moment=moment,
            ttl_days=notification_ttl_days,
        )
        items.append(put_transact_item(table.name, notice))
    if profile.has_changes:
        items.append(
            profile.transact_item(
                table.name, {"pk": keys.user_pk(media.owner_id), "sk": keys.PROFILE_SK}
            )
        )
    try:
        table.transact(items)
    except ConditionFailed as error:
        stale = StaleTransition(
            f"media {media.media_id} is no longer {media.status}; not moved to {target}"
        )
        raise gone_unless_changed(table, media.media_id, stale, owner_id=media.owner_id) from error


def listed(media: Media) -> dict[str, str]:
    """What places ``media`` on its owner's library lists (:mod:`listings`)."""
    return {"owner_id": media.owner_id, "kind": media.kind, "created_at": media.created_at}


def _titled(media: Media) -> dict[str, str]:
    return {"owner_id": media.owner_id, "media_id": media.media_id, "created_at": media.created_at}


def _set_and_require(
    record: Update, fields: Mapping[str, Any] | None, require: Mapping[str, Any] | None
) -> None:
    for name, value in (fields or {}).items():
        record.set(name, value)
    for name, value in (require or {}).items():
        record.require_equal(name, value)


def clear_announcement(table: Table, media_id: str, announced: Status) -> None:
    """Everything about the transition to ``announced`` has been published.

    Only while the record is still in that status: a later transition's flag is not touched.
    """
    try:
        table.update(
            media_key(media_id),
            Update().remove("announce_pending").require_equal("status", announced.value),
        )
    except ConditionFailed:
        return


def step_value(state: StepState, detail: str | None = None) -> dict[str, Any]:
    """The value stored at ``steps.<step>``: state, time and an optional detail."""
    value: dict[str, Any] = {"state": state.value, "at": iso(utc_now())}
    if detail:
        value["detail"] = detail
    return value


def step_state(media: Media, step: str) -> StepState | None:
    state = media.item.get("steps", {}).get(step, {}).get("state")
    return StepState(state) if state else None


def record_step(
    table: Table,
    media_id: str,
    step: str,
    state: StepState,
    detail: str | None = None,
    *,
    fields: Mapping[str, Any] | None = None,
    only_while: Sequence[StepState] = (),
) -> None:
    """Set the sub-status of one processing step (``steps.<step>``), and any other ``fields``.

    With ``only_while``, only if the step is still in one of those states (else
    :class:`ConditionFailed`): a late progress event cannot overwrite a result. Never for a
    media being deleted or gone (:class:`MediaGone`).
    """
    value = step_value(state, detail)
    update = Update().set(f"steps.{step}", value).set("updated_at", value["at"])
    update.require_exists("pk").require_not_equal("status", Status.DELETING.value)
    if only_while:
        update.require_in(f"steps.{step}.state", [s.value for s in only_while])
    for name, field_value in (fields or {}).items():
        update.set(name, field_value)
    try:
        table.update(media_key(media_id), update)
    except ConditionFailed as error:
        raise gone_unless_changed(table, media_id, error) from error
