"""An image's declared width and height, read from its header without decoding anything.

The ingest Lambda rejects images that declare more pixels than the environment allows before
anything decodes them: a 69-byte PNG may declare 20,000 x 20,000 pixels (1.2 GB once decoded).
Pillow's ``Image.open`` needs everything up to the image data (JPEG APP segments, PNG text
chunks) and fails on a prefix of the file, so the dimension fields of PNG, GIF, WebP and JPEG
are read here from their fixed places (:data:`READERS`; every format, the container ones too,
through :func:`snapstream_runtime.image_dimensions.declared_dimensions`). Analysis checks
Pillow's ``size`` against the same limit before ``load()``, for the rare file whose header lies
beyond :data:`IMAGE_HEADER_BYTES`.
"""

from __future__ import annotations

from collections.abc import Callable

#: Ingest reads this much of an image (one ranged GET): the JPEG frame header follows the APP
#: segments (EXIF, ICC profile, XMP), which are at most 64 KB each.
IMAGE_HEADER_BYTES = 256 * 1024

Dimensions = tuple[int, int]

#: JPEG start-of-frame markers (baseline, progressive, lossless, arithmetic): not DHT (C4), JPG
#: (C8) or DAC (CC), which share the range.
_SOF = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF})
#: Markers without a length: TEM and the restart markers.
_STANDALONE = frozenset({0x01, *range(0xD0, 0xD8)})
_START_OF_SCAN, _END_OF_IMAGE = 0xDA, 0xD9


def _png(head: bytes) -> Dimensions | None:
    """IHDR is the first chunk of every PNG: width and height at bytes 16-24, big-endian."""
    if len(head) < 24 or head[12:16] != b"IHDR":
        return None
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")


def _gif(head: bytes) -> Dimensions | None:
    """The logical screen: width and height at bytes 6-10, little-endian."""
    if len(head) < 10:
        return None
    return int.from_bytes(head[6:8], "little"), int.from_bytes(head[8:10], "little")


def _webp(head: bytes) -> Dimensions | None:
    """The first chunk: lossy (VP8), lossless (VP8L) or extended (VP8X, the canvas)."""
    if len(head) < 30:
        return None
    chunk = head[12:16]
    if chunk == b"VP8 " and head[23:26] == b"\x9d\x01\x2a":
        width = int.from_bytes(head[26:28], "little") & 0x3FFF
        return width, int.from_bytes(head[28:30], "little") & 0x3FFF
    if chunk == b"VP8L" and head[20] == 0x2F:
        bits = int.from_bytes(head[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X":
        width = int.from_bytes(head[24:27], "little") + 1
        return width, int.from_bytes(head[27:30], "little") + 1
    return None


def _jpeg(head: bytes) -> Dimensions | None:
    """Walk the marker segments to the first start-of-frame: height, then width, big-endian."""
    at = 2
    while at + 4 <= len(head):
        if head[at] != 0xFF:
            return None
        marker = head[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        if marker in _STANDALONE:
            at += 2
            continue
        if marker in {_START_OF_SCAN, _END_OF_IMAGE}:
            return None
        length = int.from_bytes(head[at + 2 : at + 4], "big")
        if length < 2:
            return None
        if marker in _SOF:
            if at + 9 > len(head):
                return None
            height = int.from_bytes(head[at + 5 : at + 7], "big")
            return int.from_bytes(head[at + 7 : at + 9], "big"), height
        at += 2 + length
    return None


#: content type -> the reader of its fixed dimension fields
READERS: dict[str, Callable[[bytes], Dimensions | None]] = {
    "image/png": _png,
    "image/gif": _gif,
    "image/webp": _webp,
    "image/jpeg": _jpeg,
}


def megapixels(pixels: int) -> str:
    """``400000000`` -> ``"400"``, ``89478485`` -> ``"89.5"``."""
    return f"{pixels / 1_000_000:,.1f}".removesuffix(".0")


def too_many_pixels(dimensions: Dimensions, limit: int) -> str | None:
    """The reason an image of ``dimensions`` is refused, or None within ``limit`` pixels."""
    width, height = dimensions
    if width * height <= limit:
        return None
    return (
        f"the image is {width:,} × {height:,} pixels "  # noqa: RUF001 (the multiplication sign)
        f"({megapixels(width * height)} megapixels), "
        f"more than the {megapixels(limit)}-megapixel limit"
    )
