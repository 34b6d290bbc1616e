"""The status machine: legal moves only, counters and notifications in the same transaction."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from snapstream_runtime import lifecycle
from snapstream_runtime.adapters.table import Table, from_attributes
from snapstream_runtime.lifecycle import (
    LEGAL_TRANSITIONS,
    IllegalTransition,
    StaleTransition,
    Status,
    StepState,
)
from snapstream_runtime.settings import Settings
from tests.runtime.uploads_helpers import OWNER, ticket_for


def _profile(settings: Settings) -> dict[str, Any]:
    item = Table(settings.table_name).get(f"USER#{OWNER}", "PROFILE")
    return item or {}


def _notifications(settings: Settings) -> list[dict[str, Any]]:
    response = boto3.client("dynamodb").query(
        TableName=settings.table_name,
        KeyConditionExpression="pk = :pk AND begins_with(sk, :notif)",
        ExpressionAttributeValues={":pk": {"S": f"USER#{OWNER}"}, ":notif": {"S": "NOTIF#"}},
    )
    return [from_attributes(item) for item in response["Items"]]


def _media(settings: Settings) -> lifecycle.Media:
    ticket = ticket_for(settings, "clip.mp4", "video/mp4", 10)
    media = lifecycle.load(Table(settings.table_name), ticket.media_id)
    assert media is not None
    return media


def test_only_the_documented_moves_are_legal() -> None:
    assert LEGAL_TRANSITIONS[Status.AWAITING_UPLOAD] == {
        Status.UPLOADED,
        Status.REJECTED,
        Status.DELETING,
    }
    assert LEGAL_TRANSITIONS[Status.REJECTED] == {Status.DELETING}
    # Anything may be deleted; a media being deleted only goes away (never back to a status).
    assert all(Status.DELETING in LEGAL_TRANSITIONS[s] for s in Status if s is not Status.DELETING)
    assert LEGAL_TRANSITIONS[Status.DELETING] == frozenset()
    with pytest.raises(IllegalTransition):
        lifecycle.check_transition(Status.AWAITING_UPLOAD, Status.READY)
    with pytest.raises(IllegalTransition):
        lifecycle.check_transition(Status.READY, Status.FAILED)


def test_upload_then_ready_moves_counters_and_notifies(settings: Settings) -> None:
    table = Table(settings.table_name)
    media = _media(settings)
    lifecycle.transition(table, media, Status.UPLOADED, fields={"size": 10})
    profile = _profile(settings)
    assert (profile["count_uploads"], profile["count_processing"]) == (1, 1)
    assert profile["unread_notifications"] == 1
    uploaded = lifecycle.load(table, media.media_id)
    assert uploaded is not None and uploaded.status is Status.UPLOADED
    assert uploaded.announce_pending
    assert "expires_at" not in uploaded.item  # no longer expires once the file arrived
    assert [h["status"] for h in uploaded.item["history"]] == ["awaiting_upload", "uploaded"]

    lifecycle.transition(table, uploaded, Status.PROCESSING)
    processing = lifecycle.load(table, media.media_id)
    assert processing is not None
    lifecycle.transition(table, processing, Status.READY)
    profile = _profile(settings)
    assert (profile["count_uploads"], profile["count_processing"], profile["count_completed"]) == (
        1,
        0,
        1,
    )
    events = sorted(n["event"] for n in _notifications(settings))
    assert events == ["media.ready", "media.uploaded"]
    assert profile["unread_notifications"] == 2


def test_rejection_counts_as_failed_and_keeps_the_reason(settings: Settings) -> None:
    table = Table(settings.table_name)
    media = _media(settings)
    lifecycle.transition(table, media, Status.REJECTED, reason="the file is empty")
    stored = lifecycle.load(table, media.media_id)
    assert stored is not None
    assert stored.status_reason == "the file is empty"
    assert _profile(settings)["count_failed"] == 1
    [note] = _notifications(settings)
    assert note["message"] == "“clip.mp4” was rejected: the file is empty."


def test_bytes_stored_count_arrived_files_until_they_are_marked_deleting(
    settings: Settings,
) -> None:
    from snapstream_runtime.deletion_requests import deleting_updates

    table = Table(settings.table_name)
    kept, rejected = _media(settings), _media(settings)
    lifecycle.transition(table, kept, Status.UPLOADED, fields={"size": 10})
    lifecycle.transition(table, rejected, Status.REJECTED, reason="not a video")
    assert _profile(settings)[lifecycle.BYTES_COUNTER] == 10  # a rejected file is removed
    for gone in (lifecycle.load(table, kept.media_id), lifecycle.load(table, rejected.media_id)):
        assert gone is not None
        record, profile = deleting_updates(gone, requested_by=OWNER, now="2026-12-02T00:00:00Z")
        table.update(lifecycle.media_key(gone.media_id), record)
        table.update({"pk": f"USER#{OWNER}", "sk": "PROFILE"}, profile)
    assert _profile(settings)[lifecycle.BYTES_COUNTER] == 0


def test_a_stale_view_cannot_move_the_record_twice(settings: Settings) -> None:
    table = Table(settings.table_name)
    media = _media(settings)
    lifecycle.transition(table, media, Status.UPLOADED)
    with pytest.raises(StaleTransition):
        lifecycle.transition(table, media, Status.REJECTED, reason="late")
    assert _profile(settings)["count_uploads"] == 1
    assert len(_notifications(settings)) == 1


def test_steps_record_sub_status(settings: Settings) -> None:
    table = Table(settings.table_name)
    media = _media(settings)
    lifecycle.record_step(table, media.media_id, "transcode", StepState.SUBMITTED, "job 123")
    stored = lifecycle.load(table, media.media_id)
    assert stored is not None
    assert stored.item["steps"]["transcode"]["state"] == "submitted"
    assert stored.item["steps"]["transcode"]["detail"] == "job 123"
