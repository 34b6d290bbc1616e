"""What SnapStream accepts: :data:`ALLOWED` is the one list (the upload page, the presigned
POST, ingest and the served types all read it).

Declared types are checked twice: at presign time (name and declared type, here) and again in
the ingest Lambda from the object's own first bytes (:mod:`snapstream_runtime.sniffing`),
because a browser's declared type is only a claim.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import PurePosixPath


class Kind(StrEnum):
    IMAGE = "image"
    VIDEO = "video"
    AUDIO = "audio"


@dataclass(frozen=True)
class MediaType:
    content_type: str
    kind: Kind
    extensions: tuple[str, ...]
    #: for sentences: "the file's content is a TIFF image"
    description: str
    #: for lists: "TIFF"
    label: str


ALLOWED: dict[str, MediaType] = {
    t.content_type: t
    for t in (
        MediaType("image/jpeg", Kind.IMAGE, (".jpg", ".jpeg"), "a JPEG image", "JPEG"),
        MediaType("image/png", Kind.IMAGE, (".png",), "a PNG image", "PNG"),
        MediaType("image/gif", Kind.IMAGE, (".gif",), "a GIF image", "GIF"),
        MediaType("image/webp", Kind.IMAGE, (".webp",), "a WebP image", "WebP"),
        MediaType("image/heic", Kind.IMAGE, (".heic",), "a HEIC image", "HEIC"),
        MediaType("image/heif", Kind.IMAGE, (".heif",), "a HEIF image", "HEIF"),
        MediaType("image/tiff", Kind.IMAGE, (".tif", ".tiff"), "a TIFF image", "TIFF"),
        MediaType("video/mp4", Kind.VIDEO, (".mp4",), "an MP4 video", "MP4"),
        MediaType("video/quicktime", Kind.VIDEO, (".mov",), "a QuickTime video", "MOV"),
        MediaType("video/x-matroska", Kind.VIDEO, (".mkv",), "a Matroska video", "MKV"),
        MediaType("video/webm", Kind.VIDEO, (".webm",), "a WebM video", "WebM"),
        MediaType("video/x-msvideo", Kind.VIDEO, (".avi",), "an AVI video", "AVI"),
        MediaType(
            "video/mp2t",
            Kind.VIDEO,
            (".ts", ".mts", ".m2ts"),
            "an MPEG transport stream video",
            "MPEG-TS",
        ),
        MediaType("audio/mpeg", Kind.AUDIO, (".mp3",), "an MP3 audio file", "MP3"),
        MediaType("audio/wav", Kind.AUDIO, (".wav",), "a WAV audio file", "WAV"),
        MediaType("audio/mp4", Kind.AUDIO, (".m4a",), "an M4A audio file", "M4A"),
        MediaType("audio/flac", Kind.AUDIO, (".flac",), "a FLAC audio file", "FLAC"),
        MediaType(
            "audio/ogg", Kind.AUDIO, (".ogg", ".oga", ".opus"), "an Ogg Opus audio file", "Ogg Opus"
        ),
    )
}
#: Names browsers, operating systems and tools use for the same types.
ALIASES = {
    "image/jpg": "image/jpeg",
    "image/pjpeg": "image/jpeg",
    "image/x-tiff": "image/tiff",
    "image/tif": "image/tiff",
    "video/matroska": "video/x-matroska",
    "video/mkv": "video/x-matroska",
    "video/avi": "video/x-msvideo",
    "video/msvideo": "video/x-msvideo",
    "video/vnd.avi": "video/x-msvideo",
    "video/vnd.dlna.mpeg-tts": "video/mp2t",
    "audio/mp3": "audio/mpeg",
    "audio/x-wav": "audio/wav",
    "audio/wave": "audio/wav",
    "audio/vnd.wave": "audio/wav",
    "audio/x-m4a": "audio/mp4",
    "audio/x-flac": "audio/flac",
    "audio/opus": "audio/ogg",
    "application/ogg": "audio/ogg",
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
