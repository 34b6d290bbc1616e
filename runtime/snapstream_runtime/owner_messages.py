"""What the owner of a media is told, in the app and by e-mail: the sentences and the
notification item a status change writes in its transaction."""

from __future__ import annotations

from datetime import datetime

from snapstream_runtime import keys
from snapstream_runtime.adapters.table import Item
from snapstream_runtime.clock import iso, new_id


def describe(event: str, title: str, reason: str | None) -> str:
    """The sentence the owner reads in the app and in e-mail."""
    sentences = {
        "media.uploaded": f"“{title}” was uploaded and is being processed.",
        "media.rejected": f"“{title}” was rejected: {reason}.",
        "media.ready": f"“{title}” is ready.",
        "media.failed": f"Processing “{title}” failed: {reason}.",
        "media.deleted": f"“{title}” was deleted, with all its files.",
    }
    return sentences.get(event, f"“{title}”: {event}")


def notification(
    *,
    owner_id: str,
    media_id: str,
    event: str,
    title: str,
    reason: str | None,
    moment: datetime,
    ttl_days: int,
) -> Item:
    """The owner's unread notification of ``event`` about a media, expiring after ``ttl_days``."""
    now, notification_id = iso(moment), new_id()
    return {
        "pk": keys.user_pk(owner_id),
        "sk": keys.notification_sk(now, notification_id),
        "notification_id": notification_id,
        "user_id": owner_id,
        "media_id": media_id,
        "event": event,
        "title": title,
        "message": describe(event, title, reason),
        "created_at": now,
        "read": False,
        "expires_at": int(moment.timestamp()) + ttl_days * 86400,
    }
