"""Image dimensions from the header alone (every accepted format: the fixed fields of PNG, GIF,
WebP and JPEG, a TIFF's first directory, a HEIF file's boxes), and analysis that never decodes
beyond the limit."""

from __future__ import annotations

import io
import time
import warnings
from collections.abc import Callable

import pytest
from PIL import Image, PngImagePlugin

from snapstream_runtime import image_analysis
from snapstream_runtime.image_dimensions import declared_dimensions
from snapstream_runtime.image_header import IMAGE_HEADER_BYTES, megapixels, too_many_pixels
from tests.runtime.image_bombs import (
    BOMBS,
    HUGE,
    heic_bomb,
    jpeg_bomb,
    pillow_image,
    png_bomb,
    tiff_bomb,
)
from tests.runtime.samples import SAMPLES


def _png_with_text(size: tuple[int, int]) -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Description", "x" * 300_000)  # a text chunk larger than what ingest reads
    out = io.BytesIO()
    Image.new("RGB", size).save(out, format="PNG", pnginfo=info)
    return out.getvalue()


def _big_endian_tiff(size: tuple[int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("I;16B", size).save(out, format="TIFF")
    data = out.getvalue()
    assert data[:4] == b"MM\x00*"
    return data


_EXIF = Image.Exif()
_EXIF[0x010F] = "Canon"

#: (content type, what Pillow wrote): every accepted image format, plain and with metadata.
REAL_IMAGES: list[tuple[str, Callable[[tuple[int, int]], bytes]]] = [
    ("image/jpeg", lambda size: pillow_image("JPEG", size)),
    ("image/jpeg", lambda size: pillow_image("JPEG", size, progressive=True)),
    (
        "image/jpeg",
        lambda size: pillow_image("JPEG", size, exif=_EXIF.tobytes(), icc_profile=b"\0" * 150_000),
    ),
    ("image/png", lambda size: pillow_image("PNG", size)),
    ("image/png", _png_with_text),
    ("image/gif", lambda size: pillow_image("GIF", size)),
    ("image/webp", lambda size: pillow_image("WEBP", size)),
    ("image/webp", lambda size: pillow_image("WEBP", size, lossless=True)),
    ("image/webp", lambda size: pillow_image("WEBP", size, exif=_EXIF.tobytes())),
    ("image/tiff", lambda size: pillow_image("TIFF", size)),
    ("image/tiff", lambda size: pillow_image("TIFF", size, compression="tiff_lzw")),
    ("image/tiff", lambda size: pillow_image("TIFF", size, exif=_EXIF.tobytes())),
    ("image/tiff", lambda size: pillow_image("TIFF", size, big_tiff=True)),
    ("image/tiff", _big_endian_tiff),
]


@pytest.mark.parametrize(("content_type", "make"), REAL_IMAGES)
@pytest.mark.parametrize("size", [(1, 1), (301, 203), (1920, 1080)])
def test_real_images_declare_their_own_size(
    content_type: str, make: Callable[[tuple[int, int]], bytes], size: tuple[int, int]
) -> None:
    data = make(size)
    assert declared_dimensions(content_type, data[:IMAGE_HEADER_BYTES]) == size


@pytest.mark.parametrize("size", [(1, 1), (301, 203), (1920, 1080), (4032, 3024)])
def test_a_heic_declares_the_size_its_codec_codes(size: tuple[int, int]) -> None:
    """The primary item's extents: the size HEVC codes (whole 8 x 8 blocks or more, at least
    64 x 64 for pillow-heif's encoder), cropped to the image on decoding: never less."""
    data = pillow_image("HEIF", size)
    declared = declared_dimensions("image/heic", data[:IMAGE_HEADER_BYTES])
    assert declared is not None
    assert all(size[n] <= declared[n] <= max(size[n] + 8, 64) for n in (0, 1)), declared
    assert declared_dimensions("image/heif", data) == declared


@pytest.mark.parametrize("content_type", sorted(BOMBS))
def test_bombs_declare_their_huge_size_in_a_few_bytes(content_type: str) -> None:
    bomb = BOMBS[content_type]()
    assert len(bomb) < 2_000
    assert declared_dimensions(content_type, bomb) == HUGE


def test_the_issues_png_is_tiny() -> None:
    assert len(png_bomb()) < 201


@pytest.mark.parametrize(
    ("content_type", "head"),
    [
        ("image/png", b"\x89PNG\r\n\x1a\n"),  # cut before IHDR
        ("image/png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dtEXt" + b"\x00" * 20),  # IHDR not first
        ("image/gif", b"GIF89a\x01"),
        ("image/webp", SAMPLES["webp"][0]),  # no VP8 start code
        ("image/jpeg", SAMPLES["jpeg"][0]),  # no frame header in its bytes
        ("image/jpeg", jpeg_bomb(padding=300_000)[:IMAGE_HEADER_BYTES]),  # header further in
        ("image/jpeg", b"\xff\xd8\xff\xda\x00\x08" + b"\x00" * 20),  # scan before any frame
        ("image/jpeg", b"\xff\xd8\xff\xe0\x00\x01" + b"\x00" * 20),  # impossible length
        ("video/mp4", SAMPLES["mp4"][0]),
        ("image/tiff", SAMPLES["tiff-le"][0]),  # the directory is all zeros: no entries
        ("image/tiff", b"II*\x00\x00\x10\x00\x00" + b"\x00" * 60),  # the directory lies further in
        ("image/tiff", tiff_bomb()[:12]),  # cut inside the directory
        ("image/tiff", b"XX*\x00" + b"\x00" * 60),
        ("image/heic", SAMPLES["heic"][0]),  # no meta box
        ("image/heic", heic_bomb()[:60]),  # cut inside the meta box
        ("image/heif", heic_bomb().replace(b"pitm", b"xxxx")),  # no primary item
    ],
)
def test_a_header_that_does_not_say_gives_no_dimensions(content_type: str, head: bytes) -> None:
    assert declared_dimensions(content_type, head) is None


def test_the_limit_is_inclusive_and_the_reason_is_readable() -> None:
    assert too_many_pixels((10_000, 10_000), 100_000_000) is None
    assert too_many_pixels((10_000, 10_001), 100_000_000) == (
        "the image is 10,000 × 10,001 pixels (100 megapixels), "  # noqa: RUF001
        "more than the 100-megapixel limit"
    )
    assert megapixels(89_478_485) == "89.5"
    assert megapixels(400_000_000) == "400"
    assert megapixels(1_500_000_000) == "1,500"


# -- analysis: Image.open reads the header, the size is checked before load() ------------------


def test_analysis_refuses_a_bomb_without_decoding_it() -> None:
    started = time.perf_counter()
    found = image_analysis.inspect(png_bomb(), max_pixels=100_000_000)
    assert time.perf_counter() - started < 1.0  # 1.2 GB were never allocated
    assert found.thumbnail is None
    assert found.metadata == {"width": 20_000, "height": 20_000}
    assert found.error == (
        "the image is 20,000 × 20,000 pixels (400 megapixels), "  # noqa: RUF001
        "more than the 100-megapixel limit"
    )


def test_analysis_applies_the_environments_limit() -> None:
    image = pillow_image("PNG", (300, 200))
    assert image_analysis.inspect(image, max_pixels=60_000).error is None
    refused = image_analysis.inspect(image, max_pixels=59_999)
    assert refused.error is not None and "more than the 0.1-megapixel limit" in refused.error


def test_the_size_pillow_finds_is_checked_before_load() -> None:
    """A GIF whose 8 x 8 screen hides a first frame of 12,000 x 12,000 (144 megapixels, under
    Pillow's own error threshold): the header says 8 x 8, Image.open says otherwise."""
    data = pillow_image("GIF", (8, 8))
    descriptor = data.index(b"\x2c\x00\x00\x00\x00")
    data = data[: descriptor + 5] + b"\xe0\x2e\xe0\x2e" + data[descriptor + 9 :]
    assert declared_dimensions("image/gif", data) == (8, 8)
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        found = image_analysis.inspect(data, max_pixels=100_000_000)
    assert time.perf_counter() - started < 1.0
    assert found.error == (
        "the image is 12,000 × 12,000 pixels (144 megapixels), "  # noqa: RUF001
        "more than the 100-megapixel limit"
    )


def test_pillows_own_bomb_error_is_a_reason_not_an_exception() -> None:
    """A GIF whose first frame is far larger than its screen: Pillow raises
    DecompressionBombError (not an OSError) inside Image.open."""
    data = pillow_image("GIF", (8, 8))
    descriptor = data.index(b"\x2c\x00\x00\x00\x00")
    data = data[: descriptor + 5] + b"\xff\xff\xff\xff" + data[descriptor + 9 :]
    found = image_analysis.inspect(data, max_pixels=100_000_000)
    assert found.error == "the image could not be decoded (DecompressionBombError)"


@pytest.mark.parametrize(
    "data",
    [
        SAMPLES["png"][0][:40] + b"\x00garbage" * 10,  # truncated, then noise
        b"\x89PNG\r\n\x1a\n" + b"\xff" * 50,  # a broken chunk
        pillow_image("JPEG")[:300],  # cut in the middle of its tables
        b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 50,
        b"GIF89a\x10\x00\x10\x00" + b"\xff" * 20,  # 16 x 16, then noise
    ],
)
def test_any_decoder_error_is_a_reason_not_an_exception(data: bytes) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        found = image_analysis.inspect(data)
    assert found.thumbnail is None
    assert found.error is not None and found.error.startswith("the image could not be decoded")


def test_a_large_image_within_the_limit_is_still_previewed_without_warnings() -> None:
    """Pillow warns from 89.5 megapixels; the environment's limit is the one that counts."""
    width, height = 9_500, 9_500  # 90.25 megapixels, but a tiny PNG of one colour
    out = io.BytesIO()
    Image.new("L", (width, height)).save(out, format="PNG")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        found = image_analysis.inspect(out.getvalue(), max_pixels=100_000_000)
    assert found.error is None and found.thumbnail
    assert (found.metadata["width"], found.metadata["height"]) == (width, height)
