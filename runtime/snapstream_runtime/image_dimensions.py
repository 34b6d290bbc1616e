"""An accepted image's declared width and height, for every format, without decoding anything.

:mod:`snapstream_runtime.image_header` reads the formats whose dimensions sit in fixed fields
(PNG, GIF, WebP, JPEG); the container formats are walked here: a TIFF's first image file
directory (the image Pillow decodes) and a HEIF file's ``meta`` box (the primary item's
``ispe`` property, the size of the image its grid of tiles makes). Both are usually near the
start of the file; when they are not within what ingest reads, analysis checks the size Pillow
finds before it decodes (as for a JPEG whose frame header lies further in).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Literal

from snapstream_runtime import image_header
from snapstream_runtime.image_header import Dimensions

#: TIFF tags: ImageWidth, ImageLength; field types: SHORT, LONG, LONG8 (BigTIFF)
_WIDTH, _LENGTH = 256, 257
_SIZES = {3: 2, 4: 4, 16: 8}


def _tiff(head: bytes) -> Dimensions | None:
    """The first image file directory's ImageWidth and ImageLength (classic or BigTIFF)."""
    if len(head) < 16 or head[:2] not in (b"II", b"MM"):
        return None
    order: Literal["little", "big"] = "little" if head[:2] == b"II" else "big"

    def number(at: int, size: int) -> int:
        return int.from_bytes(head[at : at + size], order)

    big = number(2, 2) == 43
    # (where the first directory is, its entry count's size, an entry's size, a value's size)
    offset, count_size, entry_size, value_size = (
        (number(8, 8), 8, 20, 8) if big else (number(4, 4), 2, 12, 4)
    )
    if offset + count_size > len(head):
        return None
    found: dict[int, int] = {}
    first = offset + count_size
    for index in range(number(offset, count_size)):
        at = first + index * entry_size
        if at + entry_size > len(head):
            return None
        tag, kind = number(at, 2), number(at + 2, 2)
        if tag in (_WIDTH, _LENGTH) and kind in _SIZES and _SIZES[kind] <= value_size:
            found[tag] = number(at + 4 + value_size, _SIZES[kind])
        if len(found) == 2:
            return found[_WIDTH], found[_LENGTH]
    return None


def _boxes(data: bytes, start: int, end: int) -> Iterator[tuple[bytes, int, int]]:
    """ISO base media boxes between ``start`` and ``end``: (type, body start, body end), the
    last one cut at ``end`` when the data stops inside it."""
    at = start
    while at + 8 <= end:
        size, kind, header = int.from_bytes(data[at : at + 4], "big"), data[at + 4 : at + 8], 8
        if size == 1:
            size, header = int.from_bytes(data[at + 8 : at + 16], "big"), 16
        elif size == 0:
            size = end - at
        if size < header:
            return
        yield kind, at + header, min(at + size, end)
        at += size


def _children(data: bytes, body: tuple[int, int], kind: bytes) -> dict[bytes, tuple[int, int]]:
    """The child boxes of a box's body (the first of each type), a full box's after its
    version and flags."""
    start = body[0] + (4 if kind == b"meta" else 0)
    found: dict[bytes, tuple[int, int]] = {}
    for child, child_start, child_end in _boxes(data, start, body[1]):
        found.setdefault(child, (child_start, child_end))
    return found


def _primary_properties(data: bytes, ipma: tuple[int, int], primary: int) -> list[int]:
    """The property indexes (1-based into ``ipco``) ``ipma`` associates with item ``primary``."""
    at, end = ipma
    version, flags = data[at], int.from_bytes(data[at + 1 : at + 4], "big")
    id_size, index_size = (4 if version >= 1 else 2), (2 if flags & 1 else 1)
    at += 8
    for _ in range(int.from_bytes(data[at - 4 : at], "big")):
        if at + id_size + 1 > end:
            return []
        item = int.from_bytes(data[at : at + id_size], "big")
        count = data[at + id_size]
        at += id_size + 1
        indexes = [
            int.from_bytes(data[at + n * index_size : at + (n + 1) * index_size], "big")
            & (0x7FFF if index_size == 2 else 0x7F)
            for n in range(count)
        ]
        at += count * index_size
        if item == primary:
            return indexes
    return []


def _heif(head: bytes) -> Dimensions | None:
    """The primary item's ``ispe`` (image spatial extents) in ``meta``/``iprp``/``ipco``."""
    top = {kind: (start, end) for kind, start, end in _boxes(head, 0, len(head))}
    if b"meta" not in top:
        return None
    meta = _children(head, top[b"meta"], b"meta")
    if not {b"pitm", b"iprp"} <= meta.keys():
        return None
    pitm = meta[b"pitm"][0]
    primary = int.from_bytes(head[pitm + 4 : pitm + (8 if head[pitm] >= 1 else 6)], "big")
    iprp = _children(head, meta[b"iprp"], b"iprp")
    if not {b"ipco", b"ipma"} <= iprp.keys():
        return None
    properties = list(_boxes(head, *iprp[b"ipco"]))
    for index in _primary_properties(head, iprp[b"ipma"], primary):
        if 0 < index <= len(properties):
            kind, start, end = properties[index - 1]
            if kind == b"ispe" and end - start >= 12:
                width = int.from_bytes(head[start + 4 : start + 8], "big")
                return width, int.from_bytes(head[start + 8 : start + 12], "big")
    return None


_READERS: dict[str, Callable[[bytes], Dimensions | None]] = {
    **image_header.READERS,
    "image/tiff": _tiff,
    "image/heic": _heif,
    "image/heif": _heif,
}


def declared_dimensions(content_type: str, head: bytes) -> Dimensions | None:
    """(width, height) as the header of an image of ``content_type`` declares them; None when
    the first bytes do not say (not an image, or its header lies further in)."""
    reader = _READERS.get(content_type)
    if reader is None:
        return None
    try:
        return reader(head)
    except IndexError:  # a header cut short where a fixed field should be
        return None
