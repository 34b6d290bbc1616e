"""The local platform only (``make dev``): media files served by the site itself.

In AWS, CloudFront serves them (signed); locally there is no CloudFront, so the owner's HLS
manifests, segments and thumbnails are streamed from the (moto) media bucket after the same owner
check. Never registered when deployed (``WebConfig.local_media`` is off there).
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Response, abort, url_for

from snapstream_runtime.adapters import storage
from snapstream_runtime.lifecycle import Media
from snapstream_runtime.playback import NotPlayable
from snapstream_web import security
from snapstream_web.views.guards import live_media

blueprint = Blueprint("local_media", __name__, url_prefix="/local-media")
_NAME = re.compile(r"^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$")


@blueprint.get("/<media_id>/<path:name>")
@security.login_required
def media_file(media_id: str, name: str) -> Any:
    if not _NAME.match(name) or ".." in name:
        abort(404)
    media = live_media(media_id)
    settings = security.web_config().settings
    key = f"media/{media.owner_id}/{media.media_id}/{name}"
    found = storage.download(settings.media_bucket, key, chunk_size=64 * 1024)
    if found is None:
        abort(404)
    return Response(
        found.chunks,
        content_type=found.content_type or "application/octet-stream",
        headers={"Cache-Control": "private, max-age=60"},
    )


def local_playback(media: Media) -> dict[str, Any]:
    """Playback of a locally transcoded video: its HLS and MP4 files, served by this site."""
    urls = {}
    hls = (media.item.get("playback") or {}).get("hls")
    if hls:
        urls["hls"] = url_for("local_media.media_file", media_id=media.media_id, name=_base(hls))
    mp4 = (media.item.get("outputs") or {}).get("mp4")
    if mp4:
        urls["mp4"] = url_for("local_media.media_file", media_id=media.media_id, name=_base(mp4))
    if not urls:
        raise NotPlayable(f"this media is {media.status.value}, not ready to play")
    return {"expires_at": 0, "urls": urls, "queries": {}, "resources": {}}


def _base(path: str) -> str:
    return path.rsplit("/", 1)[1]
