"""Small files that declare huge images (decompression bombs), and real images of each format."""

from __future__ import annotations

import io
import struct
import zlib
from typing import Any

from PIL import Image

#: 20,000 x 20,000 pixels: 400 megapixels, 1.2 GB of RGB once decoded.
HUGE = (20_000, 20_000)


def pillow_image(image_format: str, size: tuple[int, int] = (40, 30), **options: Any) -> bytes:
    """A real image of ``image_format`` written by Pillow (``HEIF``: a HEIC, by pillow-heif)."""
    if image_format == "HEIF":
        from pillow_heif import register_heif_opener

        register_heif_opener()
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format=image_format, **options)
    return out.getvalue()


def png_bomb(width: int = HUGE[0], height: int = HUGE[1]) -> bytes:
    """A valid PNG header declaring ``width`` x ``height``, with almost no data behind it."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    data = zlib.compress(b"\x00" * 1000, 9)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )


def _patched(data: bytes, at: int, value: bytes) -> bytes:
    return data[:at] + value + data[at + len(value) :]


def jpeg_bomb(width: int = HUGE[0], height: int = HUGE[1], *, padding: int = 0) -> bytes:
    """A small JPEG whose frame header (SOF0) says ``width`` x ``height``; ``padding`` bytes of
    APP15 segments (up to 64 KB each) before it push the header further into the file."""
    data = pillow_image("JPEG")
    sof = data.index(b"\xff\xc0")
    data = _patched(data, sof + 5, struct.pack(">HH", height, width))
    segments = b""
    while padding > 0:
        size = min(padding, 65_000)
        segments += b"\xff\xef" + struct.pack(">H", size + 2) + b"\x00" * size
        padding -= size
    return data[:2] + segments + data[2:]


def gif_bomb(width: int = HUGE[0], height: int = HUGE[1]) -> bytes:
    """A small GIF whose logical screen says ``width`` x ``height``."""
    return _patched(pillow_image("GIF"), 6, struct.pack("<HH", width, height))


def webp_bomb(width: int = HUGE[0], height: int = HUGE[1]) -> bytes:
    """A small extended WebP (VP8X) whose canvas says ``width`` x ``height``."""
    data = pillow_image("WEBP", exif=b"Exif\x00\x00MM\x00*\x00\x00\x00\x08\x00\x00")
    assert data[12:16] == b"VP8X"
    canvas = (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    return _patched(data, 24, canvas)


def tiff_bomb(width: int = HUGE[0], height: int = HUGE[1]) -> bytes:
    """A small TIFF whose first image file directory says ``width`` x ``height``."""
    data = bytearray(pillow_image("TIFF", (4, 3)))
    assert data[:4] == b"II*\x00"
    directory = int.from_bytes(data[4:8], "little")
    for index in range(int.from_bytes(data[directory : directory + 2], "little")):
        at = directory + 2 + 12 * index
        tag = int.from_bytes(data[at : at + 2], "little")
        if tag in (256, 257):  # ImageWidth, ImageLength: made LONGs
            value = width if tag == 256 else height
            data[at + 2 : at + 12] = struct.pack("<HII", 4, 1, value)
    return bytes(data)


def heic_bomb(width: int = HUGE[0], height: int = HUGE[1]) -> bytes:
    """A small HEIC whose image spatial extents (every ``ispe`` property) say ``width`` x
    ``height``."""
    data = bytearray(pillow_image("HEIF", (64, 64)))
    at = data.find(b"ispe")
    while at >= 0:
        data[at + 8 : at + 16] = struct.pack(">II", width, height)
        at = data.find(b"ispe", at + 4)
    return bytes(data)


#: content type -> a bomb of that format (each declares :data:`HUGE`).
BOMBS = {
    "image/png": png_bomb,
    "image/jpeg": jpeg_bomb,
    "image/gif": gif_bomb,
    "image/webp": webp_bomb,
    "image/tiff": tiff_bomb,
    "image/heic": heic_bomb,
}
EXTENSIONS = {
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/gif": "gif",
    "image/webp": "webp",
    "image/tiff": "tif",
    "image/heic": "heic",
}
