"""What SnapStream accepts, and what a file's first bytes say it really is.

Declared types are checked twice: at presign time (name and declared type) and again in the
ingest Lambda from the object's own first bytes, because a browser's declared type is only a
claim. Sniffing needs at most :data:`SNIFF_BYTES` bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import PurePosixPath

SNIFF_BYTES = 64


class Kind(StrEnum):
    IMAGE = "image"
    VIDEO = "video"
    AUDIO = "audio"


@dataclass(frozen=True)
class MediaType:
    content_type: str
    kind: Kind
    extensions: tuple[str, ...]
    description: str


ALLOWED: dict[str, MediaType] = {
    t.content_type: t
    for t in (
        MediaType("image/jpeg", Kind.IMAGE, (".jpg", ".jpeg"), "a JPEG image"),
        MediaType("image/png", Kind.IMAGE, (".png",), "a PNG image"),
        MediaType("image/gif", Kind.IMAGE, (".gif",), "a GIF image"),
        MediaType("image/webp", Kind.IMAGE, (".webp",), "a WebP image"),
        MediaType("video/mp4", Kind.VIDEO, (".mp4",), "an MP4 video"),
        MediaType("video/quicktime", Kind.VIDEO, (".mov",), "a QuickTime video"),
        MediaType("audio/mpeg", Kind.AUDIO, (".mp3",), "an MP3 audio file"),
        MediaType("audio/wav", Kind.AUDIO, (".wav",), "a WAV audio file"),
        MediaType("audio/mp4", Kind.AUDIO, (".m4a",), "an M4A audio file"),
    )
}
#: Names browsers and tools use for the same types.
ALIASES = {
    "image/jpg": "image/jpeg",
    "image/pjpeg": "image/jpeg",
    "audio/mp3": "audio/mpeg",
    "audio/x-wav": "audio/wav",
    "audio/wave": "audio/wav",
    "audio/vnd.wave": "audio/wav",
    "audio/x-m4a": "audio/mp4",
}


#: What anything that is not one of ours is served as: a download, never a page.
OPAQUE_TYPE = "application/octet-stream"


def served_type(content_type: str) -> str:
    """The Content-Type a stored file is served with: its type if it is one SnapStream accepts
    (``text/html`` and the like never are), else :data:`OPAQUE_TYPE`."""
    return content_type if content_type in ALLOWED else OPAQUE_TYPE


class UnsupportedType(ValueError):
    """The declared type or the file name is not something SnapStream accepts."""


def canonical_type(content_type: str) -> MediaType:
    """The allowed media type for a declared Content-Type (parameters and case ignored)."""
    name = content_type.split(";", 1)[0].strip().lower()
    media_type = ALLOWED.get(ALIASES.get(name, name))
    if media_type is None:
        allowed = ", ".join(sorted({e for t in ALLOWED.values() for e in t.extensions}))
        raise UnsupportedType(
            f"files of type {name or '(none)'!r} are not accepted; allowed: {allowed}"
        )
    return media_type


def type_for_file_name(file_name: str, content_type: str) -> MediaType:
    """The declared type, provided the file name's extension agrees with it."""
    media_type = canonical_type(content_type)
    extension = PurePosixPath(file_name.lower()).suffix
    if extension not in media_type.extensions:
        raise UnsupportedType(
            f"the file name ends in {extension or '(no extension)'!r} but the file was declared "
            f"as {media_type.content_type}; expected {' or '.join(media_type.extensions)}"
        )
    return media_type


@dataclass(frozen=True)
class Detected:
    """What the bytes are, and which declared types they are consistent with."""

    description: str
    compatible: frozenset[str]

    @property
    def content_type(self) -> str:
        return sorted(self.compatible)[0]


_GENERIC_ISO_BRANDS = frozenset({"video/mp4", "video/quicktime", "audio/mp4"})


def sniff(head: bytes) -> Detected | None:
    """Identify an image, video or audio file from its first bytes; None if it is none of ours."""
    if head.startswith(b"\xff\xd8\xff"):
        return Detected("a JPEG image", frozenset({"image/jpeg"}))
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return Detected("a PNG image", frozenset({"image/png"}))
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return Detected("a GIF image", frozenset({"image/gif"}))
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return Detected("a WebP image", frozenset({"image/webp"}))
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return Detected("a WAV audio file", frozenset({"audio/wav"}))
    if head[4:8] == b"ftyp":
        return _iso_media(head[8:12])
    if head[4:8] in (b"moov", b"mdat", b"wide", b"free", b"skip"):
        return Detected("a QuickTime video", frozenset({"video/quicktime"}))
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return Detected("an MP3 audio file", frozenset({"audio/mpeg"}))
    return None


def _iso_media(brand: bytes) -> Detected:
    """ISO base media files (MP4, MOV, M4A) by their major brand."""
    if brand == b"qt  ":
        return Detected("a QuickTime video", frozenset({"video/quicktime"}))
    if brand in (b"M4A ", b"M4B "):
        return Detected("an M4A audio file", frozenset({"audio/mp4"}))
    # isom, iso2..iso9, mp41, mp42, avc1, M4V, dash, ...: the brand does not say video or audio.
    return Detected("an MP4 file", _GENERIC_ISO_BRANDS)
