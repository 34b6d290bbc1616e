"""The first bytes of a file of each accepted format (as the format's specification lays them
out), and its declared type. Whole real files, written by ffmpeg and Pillow, come from
``tests.e2e.media_files``."""

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


def _ebml(doc_type: bytes) -> bytes:
    """A Matroska/WebM EBML header: version 1, read version 1, then the DocType."""
    body = b"\x42\x86\x81\x01\x42\xf7\x81\x01\x42\x82" + bytes([0x80 | len(doc_type)]) + doc_type
    return (
        b"\x1a\x45\xdf\xa3" + bytes([0x80 | len(body)]) + body + b"\x18\x53\x80\x67" + b"\x00" * 40
    )


def ogg_page(packet: bytes) -> bytes:
    """The first page of an Ogg stream (beginning of stream) carrying ``packet``."""
    header = b"OggS\x00\x02" + b"\x00" * 8 + b"\x01\x00\x00\x00" + b"\x00" * 8
    return header + bytes([1, len(packet)]) + packet + b"\x00" * 40


def id3_tag(size: int) -> bytes:
    """An ID3v2.4 tag of ``size`` bytes of frames (zeros: padding), as MP3 files start."""
    synchsafe = bytes((size >> shift) & 0x7F for shift in (21, 14, 7, 0))
    return b"ID3\x04\x00\x00" + synchsafe + b"\x00" * size


def _transport_stream(timestamp: bytes = b"") -> bytes:
    """Three 188-byte MPEG-TS packets (M2TS: each after a 4-byte ``timestamp``)."""
    return b"".join(timestamp + b"\x47\x40\x00\x10" + b"\xff" * 184 for _ in range(3))


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
    "heic": (_ftyp(b"heic"), "image/heic"),
    "heif": (_ftyp(b"mif1"), "image/heif"),
    "tiff-le": (b"II*\x00\x08\x00\x00\x00" + b"\x00" * 60, "image/tiff"),
    "tiff-be": (b"MM\x00*\x00\x00\x00\x08" + b"\x00" * 60, "image/tiff"),
    "mkv": (_ebml(b"matroska"), "video/x-matroska"),
    "webm": (_ebml(b"webm"), "video/webm"),
    "avi": (b"RIFF\x24\x08\x00\x00AVI LIST" + b"\x00" * 50, "video/x-msvideo"),
    "ts": (_transport_stream(), "video/mp2t"),
    "m2ts": (_transport_stream(b"\x00\x00\x00\x00"), "video/mp2t"),
    "flac": (b"fLaC\x00\x00\x00\x22" + b"\x00" * 60, "audio/flac"),
    "ogg-opus": (ogg_page(b"OpusHead\x01\x02\x38\x01\x80\xbb\x00\x00\x00\x00\x00"), "audio/ogg"),
}
