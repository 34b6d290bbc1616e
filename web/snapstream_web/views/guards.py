"""What every view needs before it acts: the signed-in user, and a media they may see or change.

Media that is not the requester's is *not found* (404), never forbidden, so ids cannot be probed.
A media being deleted can be looked at (it says so) and deleted again, nothing else.
"""

from __future__ import annotations

from flask import abort

from snapstream_runtime.lifecycle import Media, Status
from snapstream_web import media_service, security
from snapstream_web.accounts import User
from snapstream_web.media_service import MediaNotFound


def signed_in_user() -> User:
    user = security.current_user()
    if user is None:
        abort(401, description="log in first")
    return user


def visible_media(media_id: str) -> Media:
    """The owner's media, or any media for an admin (reading, deleting)."""
    user = signed_in_user()
    try:
        return media_service.load_visible(
            security.web_config().settings, media_id, viewer_id=user.user_id, admin=user.is_admin
        )
    except MediaNotFound:
        abort(404, description="no such media")


def live_media(media_id: str) -> Media:
    """A visible media that is not being deleted (playing it, reading its files)."""
    media = visible_media(media_id)
    if media.status is Status.DELETING:
        abort(404, description="no such media")
    return media


def owned_media(media_id: str) -> Media:
    """The owner's media only, not being deleted (changing tags)."""
    try:
        media = media_service.load_owned(
            security.web_config().settings, media_id, owner_id=signed_in_user().user_id
        )
    except MediaNotFound:
        abort(404, description="no such media")
    if media.status is Status.DELETING:
        abort(404, description="no such media")
    return media
