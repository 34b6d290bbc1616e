"""Previews of every accepted image: the thumbnail, and the JPEG rendition Rekognition and
browsers read of what they cannot (upright, 8-bit, flattened, within Rekognition's 5 MB); and
HEIC and TIFF decompression bombs refused before anything decodes."""

from __future__ import annotations

import io
import time
import warnings

import pytest
from PIL import Image

from snapstream_runtime import image_analysis, renditions
from tests.e2e.media_files import IMAGE_FORMATS, image_bytes
from tests.runtime.image_bombs import heic_bomb, tiff_bomb

LIMIT_REASON = (
    "the image is 20,000 × 20,000 pixels (400 megapixels), "  # noqa: RUF001
    "more than the 100-megapixel limit"
)


def _jpeg(data: bytes | None) -> Image.Image:
    assert data is not None
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG" and image.mode == "RGB"
    return image


@pytest.mark.parametrize("image_format", sorted(set(IMAGE_FORMATS.values())))
def test_every_accepted_image_gets_a_thumbnail_and_a_full_size_rendition(
    image_format: str,
) -> None:
    found = image_analysis.inspect(image_bytes(image_format, (1200, 900)), rendition=True)
    assert found.error is None
    assert (found.metadata["width"], found.metadata["height"]) == (1200, 900)
    assert _jpeg(found.thumbnail).size == (640, 480)
    assert _jpeg(found.rendition).size == (1200, 900)


def test_no_rendition_unless_asked() -> None:
    found = image_analysis.inspect(image_bytes("PNG"))
    assert found.thumbnail and found.rendition is None


def test_only_what_rekognition_or_a_browser_cannot_read_needs_a_rendition() -> None:
    needs, limit = renditions.needs_rendition, renditions.REKOGNITION_MAX_BYTES
    assert not needs("image/jpeg", limit) and not needs("image/png", 10)
    assert needs("image/jpeg", limit + 1)
    assert all(needs(t, 10) for t in ("image/gif", "image/webp", "image/heic", "image/tiff"))
    shown = renditions.shown_through_rendition
    assert [t for t in ("image/jpeg", "image/gif", "image/heic", "image/tiff") if shown(t)] == [
        "image/heic",
        "image/tiff",
    ]


def test_a_large_image_is_rendered_at_most_4096_pixels_a_side() -> None:
    found = image_analysis.inspect(image_bytes("TIFF", (6000, 3000)), rendition=True)
    assert _jpeg(found.rendition).size == (4096, 2048)


def test_previews_are_upright_whatever_the_exif_orientation() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # the camera was turned: show it rotated 90° clockwise
    for image_format in ("JPEG", "TIFF"):
        found = image_analysis.inspect(
            image_bytes(image_format, (300, 200), exif=exif.tobytes()), rendition=True
        )
        assert _jpeg(found.rendition).size == (200, 300), image_format
        assert _jpeg(found.thumbnail).size == (200, 300), image_format


def test_transparency_is_flattened_onto_white_and_16_bit_scans_stretched() -> None:
    clear = io.BytesIO()
    Image.new("RGBA", (20, 20), (255, 0, 0, 0)).save(clear, "PNG")
    flat = _jpeg(image_analysis.inspect(clear.getvalue(), rendition=True).rendition)
    assert all(channel > 240 for channel in flat.getpixel((10, 10)))  # type: ignore[union-attr]
    scan = Image.new("I;16", (256, 4))
    scan.putdata([value * 16 for value in range(256)] * 4)  # 12 bits used of 16
    out = io.BytesIO()
    scan.save(out, "TIFF")
    grey = _jpeg(image_analysis.inspect(out.getvalue(), rendition=True).rendition)
    assert grey.getpixel((0, 1))[0] < 10 and grey.getpixel((255, 1))[0] > 245  # type: ignore[index]


def test_a_rendition_over_rekognitions_limit_is_made_smaller(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    noise = Image.effect_noise((2400, 1600), 90).convert("RGB")
    sizes = [len(renditions._jpeg(noise, 85))]
    monkeypatch.setattr(renditions, "RENDITION_MAX_BYTES", sizes[0] // 2)
    _, rendition = renditions.previews(noise, rendition=True)
    assert rendition is not None and len(rendition) <= sizes[0] // 2
    assert max(_jpeg(rendition).size) < 2400
    monkeypatch.setattr(renditions, "RENDITION_MAX_BYTES", 1000)
    thumbnail, nothing = renditions.previews(noise, rendition=True)
    assert thumbnail and nothing is None  # not even the smallest fits: Rekognition gets none


@pytest.mark.parametrize("bomb", [tiff_bomb, heic_bomb])
def test_a_tiff_or_heic_bomb_is_refused_before_anything_decodes(bomb: object) -> None:
    data = bomb()  # type: ignore[operator]
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        found = image_analysis.inspect(data, max_pixels=100_000_000, rendition=True)
    assert time.perf_counter() - started < 1.0  # 1.2 GB were never allocated
    assert found.error == LIMIT_REASON
    assert (found.thumbnail, found.rendition) == (None, None)


def test_a_large_16_bit_image_is_shrunk_before_its_samples_are_stretched(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Stretching 16-bit samples at full size holds about 8 more bytes a pixel: shrink first."""
    seen: list[tuple[int, int]] = []
    stretch = renditions._eight_bit

    def watched(image: Image.Image) -> Image.Image:
        seen.append(image.size)
        return stretch(image)

    monkeypatch.setattr(renditions, "_eight_bit", watched)
    scan = Image.new("I;16", (3000, 2000))
    picture = renditions.upright(scan, 256)
    assert seen == [(256, 171)] and picture.size == (256, 171) and picture.mode == "RGB"


def test_a_tiff_with_thousands_of_pages_is_counted_up_to_a_cap() -> None:
    """Pillow walks a TIFF's directories in quadratic time: the count stops at the cap."""
    pages = [Image.new("L", (1, 1)) for _ in range(image_analysis.MAX_FRAMES_COUNTED + 20)]
    buffer = io.BytesIO()
    pages[0].save(buffer, "TIFF", save_all=True, append_images=pages[1:])
    inspected = image_analysis.inspect(buffer.getvalue())
    assert inspected.metadata["frames"] == image_analysis.MAX_FRAMES_COUNTED
    assert inspected.error is None
