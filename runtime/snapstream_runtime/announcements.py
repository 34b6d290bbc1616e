"""Finishing a transition's announcement: tell the owner, then clear the pending flag."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from snapstream_runtime import lifecycle
from snapstream_runtime.adapters.table import Table
from snapstream_runtime.lifecycle import Media, StaleTransition, Status, StepState
from snapstream_runtime.notifications import notify_owner


def finish_announcement(table: Table, media: Media, topic_arn: str) -> None:
    """Safe to repeat: a retry after a failed publish publishes again, then clears the flag."""
    notify_owner(topic_arn, media)
    lifecycle.clear_announcement(table, media.media_id, media.status)


def move_and_announce(
    table: Table,
    media: Media,
    target: Status,
    topic_arn: str,
    *,
    reason: str | None = None,
    fields: Mapping[str, Any] | None = None,
    require: Mapping[str, Any] | None = None,
) -> bool:
    """Transition and notify the owner; False if another delivery had already done it.

    A redelivery that finds the move made but its announcement pending finishes the announcement.
    With ``require``, only while the record still holds those values (else StaleTransition).
    """
    if media.status is target:
        if media.announce_pending:
            finish_announcement(table, media, topic_arn)
        return False
    try:
        lifecycle.transition(table, media, target, reason=reason, fields=fields, require=require)
    except StaleTransition:
        current = lifecycle.load(table, media.media_id)
        if current is None or current.status is not target:
            raise
        if current.announce_pending:
            finish_announcement(table, current, topic_arn)
        return False
    item = {**media.item, "status": target.value, "announce_pending": True}
    if reason:
        item["status_reason"] = reason
    finish_announcement(table, dataclasses.replace(media, status=target, item=item), topic_arn)
    return True


def fail_step(
    table: Table,
    media: Media,
    topic_arn: str,
    step: str,
    reason: str,
    *,
    require: Mapping[str, Any] | None = None,
) -> bool:
    """The media ``failed`` with ``reason`` (also on its ``step``), and its owner told (the
    failure path of every step that gives up); False if it was failed already."""
    return move_and_announce(
        table,
        media,
        Status.FAILED,
        topic_arn,
        reason=reason,
        fields={f"steps.{step}": lifecycle.step_value(StepState.FAILED, reason)},
        require=require,
    )
