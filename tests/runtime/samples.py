"""The first bytes of a real file of each accepted format, and its declared type."""

from __future__ import annotations

import struct
import zlib


def png_bytes(width: int = 2, height: int = 2) -> bytes:
    """A complete, valid PNG image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(pixels))
        + chunk(b"IEND", b"")
    )


def _ftyp(brand: bytes) -> bytes:
    return (
        struct.pack(">I", 24)
        + b"ftyp"
        + brand
        + b"\x00\x00\x02\x00"
        + brand
        + b"mp41"
        + b"\x00" * 40
    )


SAMPLES: dict[str, tuple[bytes, str]] = {
    "png": (png_bytes(), "image/png"),
    "jpeg": (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01" + b"\x00" * 60, "image/jpeg"),
    "gif": (b"GIF89a\x01\x00\x01\x00\x80\x00\x00" + b"\x00" * 50, "image/gif"),
    "webp": (b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 50, "image/webp"),
    "mp4": (_ftyp(b"isom"), "video/mp4"),
    "mov": (_ftyp(b"qt  "), "video/quicktime"),
    "m4a": (_ftyp(b"M4A "), "audio/mp4"),
    "mp3-id3": (b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\x00" * 60, "audio/mpeg"),
    "mp3-frame": (b"\xff\xfb\x90\x64" + b"\x00" * 60, "audio/mpeg"),
    "wav": (b"RIFF\x24\x08\x00\x00WAVEfmt " + b"\x00" * 50, "audio/wav"),
}
