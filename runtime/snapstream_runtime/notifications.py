"""Telling a media's owner what happened: the SNS side (the record is written by lifecycle)."""

from __future__ import annotations

from snapstream_runtime.adapters.publishing import publish_notification
from snapstream_runtime.lifecycle import NOTIFIED_EVENTS, Media
from snapstream_runtime.owner_messages import describe

#: SNS subjects must be ASCII without line breaks, so they never include the user's title.
SUBJECTS = {
    "media.uploaded": "SnapStream: upload received",
    "media.rejected": "SnapStream: upload rejected",
    "media.ready": "SnapStream: media ready",
    "media.failed": "SnapStream: processing failed",
}


def notify_owner(topic_arn: str, media: Media) -> None:
    """Publish the owner's notification for the media's current status, if it is announced."""
    event = NOTIFIED_EVENTS.get(media.status)
    if event is None or not topic_arn:
        return
    publish_notification(
        topic_arn,
        user_id=media.owner_id,
        event=event,
        subject=SUBJECTS[event],
        message=describe(event, media.title, media.status_reason),
    )
