"""What ffprobe says about an audio or video file, for ``make dev``'s analysis and transcoder.

Facts are recorded as read (``frame_rate`` as ffprobe's fraction, ``30000/1001``); the site words
them for people. One thing ffprobe does not word right: every ISO base media file (MP4, QuickTime,
M4A, 3GP) is the one demuxer ``mov,mp4,m4a,3gp,3g2,mj2`` named "QuickTime / MOV", so the
container is named from the file's major brand instead (:func:`container_name`).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

ISO_FAMILY = "mov,mp4,m4a,3gp,3g2,mj2"
#: ffprobe's format names for the other containers SnapStream accepts.
CONTAINERS = {
    "avi": "AVI",
    "mpegts": "MPEG-TS",
    "mp3": "MP3",
    "wav": "WAV",
    "flac": "FLAC",
    "ogg": "Ogg",
}
QUICKTIME_BRAND = "qt"
AUDIO_BRANDS = {"M4A", "M4B", "M4P"}


def container_name(format_name: str, major_brand: str | None = None, content_type: str = "") -> str:
    """The container's name from ffprobe's ``format_name``, the ISO ``major_brand`` and, for
    Matroska, whose WebM profile ffprobe does not tell apart, the (ingest-verified) type."""
    if format_name == ISO_FAMILY:
        brand = (major_brand or "").strip()
        if brand == QUICKTIME_BRAND:
            return "QuickTime (MOV)"
        if brand in AUDIO_BRANDS:
            return "MPEG-4 audio (M4A)"
        if brand.startswith(("3gp", "3g2")):
            return "3GP"
        return "MP4"
    if format_name == "matroska,webm":
        return "WebM" if content_type.endswith("/webm") else "Matroska (MKV)"
    return CONTAINERS.get(format_name, format_name)


def _ffprobe(path: Path, ffprobe: str | None) -> dict[str, Any]:
    command = [
        ffprobe or shutil.which("ffprobe") or "ffprobe",
        "-v", "error", "-print_format", "json", "-show_format", "-show_streams", str(path),
    ]  # fmt: skip
    try:
        found: dict[str, Any] = json.loads(
            subprocess.run(command, check=True, capture_output=True, timeout=60).stdout
        )
    except (subprocess.CalledProcessError, OSError, ValueError):
        return {}
    return found


def _rotation(stream: dict[str, Any]) -> int:
    for side in stream.get("side_data_list") or []:
        if "rotation" in side:
            return int(side["rotation"])
    return int((stream.get("tags") or {}).get("rotate", 0))


def display_size(stream: dict[str, Any]) -> tuple[int, int]:
    """A video stream's size as shown: a phone's portrait recording is stored landscape with a
    rotation, and ffmpeg (like MediaConvert) turns it upright."""
    width, height = int(stream["width"]), int(stream["height"])
    return (height, width) if _rotation(stream) % 180 else (width, height)


def _video_stream(found: dict[str, Any]) -> dict[str, Any] | None:
    return next((s for s in found.get("streams") or [] if s.get("codec_type") == "video"), None)


def source_size(path: Path, ffprobe: str | None = None) -> tuple[int, int] | None:
    """The first video stream's display size, or None if the file has none."""
    stream = _video_stream(_ffprobe(path, ffprobe))
    return display_size(stream) if stream and stream.get("width") else None


def probe(path: Path, ffprobe: str | None = None, *, content_type: str = "") -> dict[str, Any]:
    """Technical facts about an audio or video file (empty if ffprobe cannot tell)."""
    found = _ffprobe(path, ffprobe)
    facts: dict[str, Any] = {}
    container = found.get("format") or {}
    if container.get("format_name"):
        brand = (container.get("tags") or {}).get("major_brand")
        facts["container"] = container_name(container["format_name"], brand, content_type)
    if container.get("duration"):
        facts["duration_seconds"] = round(float(container["duration"]), 2)
    video = _video_stream(found)
    if video is not None:
        facts["video_codec"] = video.get("codec_name")
        if video.get("width"):
            facts["width"], facts["height"] = display_size(video)
        facts["frame_rate"] = video.get("avg_frame_rate")
    audio = next((s for s in found.get("streams") or [] if s.get("codec_type") == "audio"), None)
    if audio is not None:
        facts["audio_codec"] = audio.get("codec_name")
        facts["sample_rate"] = audio.get("sample_rate")
        facts["channels"] = audio.get("channels")
    return facts
