"""The media page's "Technical details": one list, each fact once, worded for people.

Facts come from up to four places: the image analysis on AWS (``ANALYSIS#metadata``), the same
image facts on the media record (``image``), ``make dev``'s local analysis (``ANALYSIS#local``:
Pillow or ffprobe facts and the file's SHA-256) and a video's transcoding outputs (duration,
renditions). The first place that has a fact gives it. The stored facts stay as read (a frame
rate is ffprobe's ``30000/1001``); only this list words them ("29.97 fps"). The file's size is in
the page's heading line, and the local analysis' note under its own heading: neither is repeated.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from fractions import Fraction
from typing import Any

#: Facts listed elsewhere on the page (or not for people).
NOT_LISTED = frozenset({"analysed_by", "note", "size_bytes"})
CODECS = {
    "h264": "H.264",
    "hevc": "H.265 (HEVC)",
    "vp8": "VP8",
    "vp9": "VP9",
    "av1": "AV1",
    "mpeg4": "MPEG-4 Part 2",
    "mpeg2video": "MPEG-2",
    "prores": "ProRes",
    "aac": "AAC",
    "mp3": "MP3",
    "opus": "Opus",
    "vorbis": "Vorbis",
    "flac": "FLAC",
    "alac": "ALAC",
    "ac3": "AC-3",
    "eac3": "E-AC-3",
}
TIMES = "\N{MULTIPLICATION SIGN}"
CHANNELS = {1: "1 (mono)", 2: "2 (stereo)", 6: "6 (5.1)", 8: "8 (7.1)"}


def frame_rate(value: Any) -> str | None:
    """``25/1`` -> "25 fps", ``30000/1001`` -> "29.97 fps"; None for an unknown rate (``0/0``)."""
    try:
        rate = Fraction(str(value))
    except (ValueError, ZeroDivisionError):
        return None
    if rate <= 0:
        return None
    return f"{float(rate):.2f}".rstrip("0").rstrip(".") + " fps"


def duration(seconds: Any) -> str | None:
    """2.04 -> "2.0 s", 185 -> "3:05", 3725 -> "1:02:05"."""
    try:
        total = float(seconds)
    except (TypeError, ValueError):
        return None
    if total < 60:
        return f"{total:.1f} s"
    minutes, rest = divmod(round(total), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{rest:02d}" if hours else f"{minutes}:{rest:02d}"


def codec(name: Any) -> str:
    text = str(name)
    return "PCM" if text.startswith("pcm_") else CODECS.get(text, text.upper())


def _sample_rate(value: Any) -> str:
    return f"{int(value) / 1000:g} kHz"


def _channels(value: Any) -> str:
    return CHANNELS.get(int(value), str(value))


def _taken(value: Any) -> str:
    """EXIF writes ``2024:05:01 12:30:00``."""
    text = str(value)
    return f"{text[:10].replace(':', '-')}{text[10:]}" if text[4:5] == ":" else text


def _frames(value: Any) -> str | None:
    return str(value) if int(value) > 1 else None


def _gps(value: Any) -> str:
    return "in the file (never stored or shown)" if value else "none"


#: fact -> (label, wording); None from a wording leaves the fact out.
WORDING: dict[str, tuple[str, Callable[[Any], str | None]]] = {
    "format": ("Format", str),
    "container": ("Container", str),
    "duration_seconds": ("Duration", duration),
    "frame_rate": ("Frame rate", frame_rate),
    "video_codec": ("Video codec", codec),
    "audio_codec": ("Audio codec", codec),
    "sample_rate": ("Sample rate", _sample_rate),
    "channels": ("Channels", _channels),
    "mode": ("Colour mode", str),
    "frames": ("Frames", _frames),
    "captured_at": ("Taken", _taken),
    "has_gps": ("GPS position", _gps),
    "sha256": ("SHA-256", str),
    "error": ("Problem", str),
}
#: rows made from several facts
COMBINED = {"dimensions": "Dimensions", "renditions": "Streaming renditions", "camera": "Camera"}
ORDER = (
    "format", "container", "dimensions", "duration_seconds", "frame_rate", "video_codec",
    "audio_codec", "sample_rate", "channels", "renditions", "mode", "frames", "captured_at",
    "camera", "has_gps", "sha256", "error",
)  # fmt: skip


def _facts(media: Mapping[str, Any]) -> dict[str, Any]:
    analysis = media.get("analysis") or {}
    facts: dict[str, Any] = {}
    for source in (analysis.get("metadata"), media.get("image"), analysis.get("local")):
        for key, value in (source or {}).items():
            if key not in NOT_LISTED and value not in (None, "") and key not in facts:
                facts[key] = value
    if "duration_seconds" not in facts and media.get("duration_ms"):
        facts["duration_seconds"] = int(media["duration_ms"]) / 1000
    return facts


def _dimensions(facts: dict[str, Any]) -> str | None:
    width, height = facts.pop("width", None), facts.pop("height", None)
    legacy = facts.pop("dimensions", None)  # "320x240", as the local analysis once wrote it
    if width and height:
        return f"{width} {TIMES} {height} px"
    return f"{legacy.replace('x', f' {TIMES} ')} px" if isinstance(legacy, str) else None


def _camera(facts: dict[str, Any]) -> str | None:
    make = str(facts.pop("camera_make", "") or "").strip()
    model = str(facts.pop("camera_model", "") or "").strip()
    if model.lower().startswith(make.lower()):
        return model or None
    return f"{make} {model}".strip() or None


def _renditions(media: Mapping[str, Any]) -> str | None:
    heights = sorted({int(r["height"]) for r in media.get("renditions") or [] if r.get("height")})
    return ", ".join(f"{h}p" for h in heights) or None


def _rows(media: Mapping[str, Any]) -> Iterator[tuple[str, str | None]]:
    facts = _facts(media)
    combined = {
        "dimensions": _dimensions(facts),
        "renditions": _renditions(media),
        "camera": _camera(facts),
    }
    for key in ORDER:
        if key in COMBINED:
            yield COMBINED[key], combined[key]
        elif key in facts:
            label, wording = WORDING[key]
            value = facts.pop(key)
            try:
                yield label, wording(value)
            except (TypeError, ValueError):  # a fact of an unexpected shape: as it is
                yield label, str(value)
    for key, value in facts.items():  # anything newer than this list, as it is
        if isinstance(value, bool):
            yield key.replace("_", " ").capitalize(), "yes" if value else "no"
        elif isinstance(value, str | int | float):
            yield key.replace("_", " ").capitalize(), str(value)


def technical_details(media: Mapping[str, Any]) -> list[dict[str, str]]:
    """``[{"label": ..., "value": ...}]`` for the media page (``media``: what
    ``media_service.detail`` returns, its ``analysis`` included), each fact once."""
    rows, seen = [], set()
    for label, value in _rows(media):
        if value and label not in seen:
            seen.add(label)
            rows.append({"label": label, "value": value})
    return rows


def with_details(media: dict[str, Any]) -> dict[str, Any]:
    """``media`` (what ``media_service.detail`` shows) with its ``details`` list."""
    return {**media, "details": technical_details(media)}
