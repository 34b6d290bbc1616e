"""What the pages and the JSON API do with media, in one place (so both apply the same checks).

Every function takes the requesting user and checks ownership itself: a media that is not the
user's (admins excepted for reading) is reported as *not found*, never as forbidden, so ids of
other people's media cannot be probed.
"""

from __future__ import annotations

import re
from dataclasses import asdict
from typing import Any
from urllib.parse import quote

from snapstream_runtime import keys, lifecycle, media_details, tags
from snapstream_runtime.adapters.presigned import download_url
from snapstream_runtime.adapters.table import KeyQuery, Table
from snapstream_runtime.deletion_requests import request_media_deletion
from snapstream_runtime.library import dashboard
from snapstream_runtime.lifecycle import Media, Status
from snapstream_runtime.media_types import served_type
from snapstream_runtime.playback import NotPlayable, SignedPlayback, playback_for_viewer
from snapstream_runtime.renditions import shown_through_rendition
from snapstream_runtime.settings import Settings
from snapstream_runtime.sizes import human_size
from snapstream_runtime.uploads import create_upload
from snapstream_web.technical_details import with_details

_MEDIA_ID = re.compile(r"^[0-9a-f]{32}$")
KINDS = ("image", "video", "audio")
#: what lists can show and filter by (a media being deleted is on no list)
STATUSES = tuple(s.value for s in Status if s is not Status.DELETING)
LINK_SECONDS = 300
MAX_TAG_INPUT = 100


class MediaNotFound(LookupError):
    """No such media, or not the requester's."""


class BadFilter(ValueError):
    """A list filter the site does not know; the message is for people."""


class BadTag(ValueError):
    """A tag the owner typed that cannot be one; the message is for people."""


def load_visible(settings: Settings, media_id: str, *, viewer_id: str, admin: bool) -> Media:
    if not _MEDIA_ID.match(media_id):
        raise MediaNotFound(media_id)
    media = lifecycle.load(Table(settings.table_name), media_id)
    if media is None or (media.owner_id != viewer_id and not admin):
        raise MediaNotFound(media_id)
    return media


def load_owned(settings: Settings, media_id: str, *, owner_id: str) -> Media:
    """For changes: the owner only, even for admins (they may read and delete, not retag)."""
    return load_visible(settings, media_id, viewer_id=owner_id, admin=False)


#: Thumbnails and posters: JPEG images the pipeline wrote.
PREVIEW_TYPE = "image/jpeg"


def _attachment(file_name: str) -> str:
    """``attachment`` with the file's name: an ASCII fallback and the exact name (RFC 6266)."""
    fallback = re.sub(r"[^A-Za-z0-9 ._()+-]", "_", file_name) or "download"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(file_name, safe='')}"


def file_url(
    bucket: str,
    key: str,
    version_id: str | None = None,
    *,
    content_type: str,
    download_as: str | None = None,
) -> str:
    """A presigned GET valid for a few minutes (signed locally: no AWS call). S3 answers it
    with the Content-Type and Content-Disposition it names, whatever the object was stored with:
    an original downloads as an attachment (``download_as``), a preview shows inline, and
    nothing from the buckets is ever served as HTML."""
    return download_url(
        bucket,
        key,
        version_id,
        content_type=served_type(content_type),
        disposition=_attachment(download_as) if download_as else "inline",
        expires_in=LINK_SECONDS,
    )


def _thumbnail_key(item: dict[str, Any]) -> str | None:
    outputs = item.get("outputs") or {}
    return item.get("thumbnail") or outputs.get("poster")


def _image_url(settings: Settings, media: Media, original: str | None) -> str | None:
    """What the page shows of an image: the original where browsers show it (JPEG, PNG, GIF,
    WebP), else its JPEG rendition (HEIC, HEIF, TIFF; none until analysis has made it)."""
    if media.kind != "image" or original is None:
        return None
    if not shown_through_rendition(media.content_type):
        return original
    rendition = media.item.get("rendition")
    return (
        file_url(settings.media_bucket, rendition, content_type=PREVIEW_TYPE) if rendition else None
    )


def card(settings: Settings, item: dict[str, Any]) -> dict[str, Any]:
    """One media in a list: what the library and search pages show."""
    thumbnail = _thumbnail_key(item)
    return {
        "media_id": item["media_id"],
        "title": item.get("title", ""),
        "kind": item.get("kind", ""),
        "status": item.get("status", ""),
        "created_at": item.get("created_at", ""),
        "size": human_size(int(item.get("size") or item.get("declared_size") or 0)),
        "thumbnail_url": (
            file_url(settings.media_bucket, thumbnail, content_type=PREVIEW_TYPE)
            if thumbnail
            else None
        ),
        "tags": list(item.get("tags") or [])[:8],
        "downloadable": item.get("status") in {status.value for status in WITH_ORIGINAL},
    }


def _records(settings: Settings, media_ids: list[str]) -> dict[str, dict[str, Any]]:
    """The META records of up to 100 media in one BatchGetItem."""
    media_keys = [lifecycle.media_key(m) for m in dict.fromkeys(media_ids)]
    return {item["media_id"]: item for item in Table(settings.table_name).get_many(media_keys)}


def statuses(settings: Settings, owner_id: str, media_ids: list[str]) -> dict[str, dict[str, Any]]:
    """Current status (and thumbnail once there is one) of some of the owner's media."""
    wanted = [m for m in media_ids if _MEDIA_ID.match(m)][:50]
    records = _records(settings, wanted)
    return {
        media_id: {"status": item["status"], "thumbnail_url": card(settings, item)["thumbnail_url"]}
        for media_id, item in records.items()
        if item["owner_id"] == owner_id
    }


def _analyses(settings: Settings, media_id: str) -> dict[str, Any]:
    query = KeyQuery(
        "pk = :pk AND begins_with(sk, :analysis)",
        {":pk": keys.media_pk(media_id), ":analysis": "ANALYSIS#"},
    )
    return {item["kind"]: item["body"] for item in Table(settings.table_name).items(query)}


#: statuses whose original is in the uploads bucket (none before it arrives or once rejected)
WITH_ORIGINAL = frozenset({Status.UPLOADED, Status.PROCESSING, Status.READY, Status.FAILED})


def original_url(settings: Settings, media: Media) -> str | None:
    """A presigned GET of the original as uploaded, for a few minutes, that downloads as an
    attachment under its file name (the caller has checked who may see it); None when there
    is no original to download."""
    if media.status not in WITH_ORIGINAL:
        return None
    return file_url(
        settings.uploads_bucket,
        media.upload_key,
        media.version_id,
        content_type=media.content_type,
        download_as=media.file_name,
    )


def edit_details(
    settings: Settings,
    media: Media,
    *,
    owner_id: str,
    title: str | None = None,
    description: str | None = None,
) -> Media:
    """Rename the owner's media and/or set its description (runtime ``media_details``:
    ``BadDetails`` for text that cannot be stored, :class:`MediaNotFound` for anyone else)."""
    try:
        return media_details.edit(
            Table(settings.table_name),
            media.media_id,
            owner_id=owner_id,
            title=title,
            description=description,
        )
    except media_details.NotEditable as error:
        raise MediaNotFound(media.media_id) from error


def detail(settings: Settings, media: Media) -> dict[str, Any]:
    """Everything the media page shows (the caller has checked who may see it); for a media
    being deleted, only what it was, never its files or analysis."""
    item = media.item
    if media.status is Status.DELETING:
        return {
            "media_id": media.media_id,
            "title": media.title,
            "kind": media.kind,
            "status": media.status.value,
            "created_at": media.created_at,
            "owner_id": media.owner_id,
            "deletion_requested_at": (item.get("deletion") or {}).get("requested_at"),
        }
    original = original_url(settings, media)
    outputs = item.get("outputs") or {}
    shown = {
        **card(settings, item),
        "content_type": media.content_type,
        "file_name": media.file_name,
        "description": item.get("description", ""),
        "status_reason": media.status_reason,
        "owner_id": media.owner_id,
        "tags": sorted(item.get("tags") or []),
        "steps": item.get("steps") or {},
        "history": item.get("history") or [],
        "original_url": original,
        "image_url": _image_url(settings, media, original),
        "duration_ms": outputs.get("duration_ms"),
        "renditions": outputs.get("renditions") or [],
        "playable": media.kind == "video" and media.status is Status.READY,
        "duplicate_of": item.get("duplicate_of"),
        "moderation": item.get("moderation"),
        "image": item.get("image"),
        "analysis": _analyses(settings, media.media_id),
    }
    return with_details(shown)


def playback(settings: Settings, media: Media, *, viewer_id: str, admin: bool) -> dict[str, Any]:
    if media.kind != "video":
        raise NotPlayable("only videos are streamed")
    signed: SignedPlayback = playback_for_viewer(
        media, viewer_id=viewer_id, viewer_is_admin=admin, settings=settings
    )
    return asdict(signed)


def start_upload(
    settings: Settings, owner_id: str, *, file_name: str, content_type: str, size: int
) -> dict[str, Any]:
    ticket = create_upload(
        settings, user_id=owner_id, file_name=file_name, content_type=content_type, size=size
    )
    return asdict(ticket)


def remove(settings: Settings, media: Media, *, requester_id: str) -> None:
    """Mark the media deleting and hand it to the deletion function (which tells the owner
    when it is gone); raises ``DeletionNotStarted`` if the hand-over failed (repeat to retry)."""
    request_media_deletion(settings, media, requested_by=requester_id)


def add_tag(settings: Settings, media: Media, text: str, *, owner_id: str) -> str:
    if len(text) > MAX_TAG_INPUT or tags.normalize(text) is None:
        raise BadTag(
            f"a tag has at least two letters or digits and at most {MAX_TAG_INPUT} characters"
        )
    return tags.add_custom(Table(settings.table_name), media.media_id, text, owner_id=owner_id)


def remove_tag(settings: Settings, media: Media, text: str, *, owner_id: str) -> bool:
    return tags.remove(Table(settings.table_name), media.media_id, text, owner_id=owner_id)


def suggestions(settings: Settings, owner_id: str, prefix: str) -> list[str]:
    if not prefix.strip():
        return []
    return tags.suggest(settings.table_name, owner_id, prefix[:50], limit=10)


def counts(settings: Settings, owner_id: str) -> dict[str, int]:
    return dashboard(settings.table_name, owner_id)
