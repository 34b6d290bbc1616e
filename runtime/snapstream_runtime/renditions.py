"""JPEG previews of an image: the thumbnail every image gets, and a rendition for an image that
Rekognition or a browser cannot take as it is.

Rekognition reads JPEG and PNG only (from S3 up to 15 MB); browsers show JPEG, PNG, GIF and
WebP. Any other accepted image (HEIC, HEIF, TIFF), and GIF, WebP or an oversized JPEG or PNG for
Rekognition, gets a rendition: a JPEG at most :data:`RENDITION_EDGE` pixels a side and at most
:data:`RENDITION_MAX_BYTES` (what Rekognition takes as image bytes). Both are written next to
the media's other derived files (``media/<owner>/<media>/``, encrypted with the bucket's KMS
key like them) and go with them when the media is deleted.

Both are made from the decoded image the same way: its EXIF orientation applied, palettes,
16-bit and floating-point samples brought to 8 bits, transparency flattened onto white.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from snapstream_runtime.adapters import storage

if TYPE_CHECKING:
    from PIL import Image

THUMBNAIL_NAME = "thumbnail.jpg"
RENDITION_NAME = "rendition.jpg"
THUMBNAIL_SIZE = (640, 640)
RENDITION_EDGE = 4096
#: Rekognition's limit for an image passed as bytes.
RENDITION_MAX_BYTES = 5 * 1024 * 1024
#: Rekognition reads these from S3, up to REKOGNITION_MAX_BYTES.
REKOGNITION_IMAGES = frozenset({"image/jpeg", "image/png"})
REKOGNITION_MAX_BYTES = 15 * 1024 * 1024
#: Browsers show these as they are; the others are shown through their rendition.
BROWSER_IMAGES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})
PREVIEW_TYPE = "image/jpeg"
#: (longest side, JPEG quality) tried in turn until the rendition fits RENDITION_MAX_BYTES.
_RENDITION_STEPS = ((RENDITION_EDGE, 85), (2896, 80), (2048, 75), (1448, 70), (1024, 70))
#: EXIF orientation -> the transposition that shows the image upright.
_UPRIGHT = {2: "FLIP_LEFT_RIGHT", 3: "ROTATE_180", 4: "FLIP_TOP_BOTTOM", 5: "TRANSPOSE"}
_UPRIGHT |= {6: "ROTATE_270", 7: "TRANSVERSE", 8: "ROTATE_90"}
_EXIF_ORIENTATION = 0x0112


def needs_rendition(content_type: str, size: int) -> bool:
    """Whether Rekognition (or a browser) needs a JPEG rendition of this image."""
    return content_type not in REKOGNITION_IMAGES or size > REKOGNITION_MAX_BYTES


def shown_through_rendition(content_type: str) -> bool:
    """Whether a browser shows this image only through its rendition."""
    return content_type not in BROWSER_IMAGES


def _eight_bit(image: Image.Image) -> Image.Image:
    """The image in a mode resizing and JPEG take: RGB(A) or L(A) (16-bit, 32-bit and
    floating-point samples stretched to 0-255 between their extremes)."""
    if image.mode in ("RGB", "RGBA", "L", "LA"):
        return image
    if image.mode in ("P", "PA"):
        return image.convert("RGBA")
    if image.mode.startswith("I") or image.mode == "F":
        samples = image if image.mode in ("I", "F") else image.convert("I")
        low, high = cast("tuple[float, float]", samples.getextrema())  # one band
        scale = 255 / ((high - low) or 1)
        return samples.point(lambda value: (value - low) * scale).convert("L")
    if image.mode == "1":
        return image.convert("L")
    return image.convert("RGB")  # CMYK, YCbCr, LAB, HSV


def upright(image: Image.Image, edge: int) -> Image.Image:
    """The image as a preview shows it: 8-bit RGB, upright, at most ``edge`` pixels a side."""
    from PIL import Image, ImageOps

    orientation = image.getexif().get(_EXIF_ORIENTATION)
    if (image.mode.startswith("I") or image.mode == "F") and max(image.size) > edge:
        # Shrink in the native mode first: stretching 16- or 32-bit samples at full size holds
        # about 8 more bytes a pixel (a 100-megapixel TIFF would exhaust the function's memory).
        image = ImageOps.contain(image, (edge, edge), Image.Resampling.BOX)
    picture = _eight_bit(image)
    if max(picture.size) > edge:
        picture = ImageOps.contain(picture, (edge, edge), Image.Resampling.LANCZOS)
    if orientation in _UPRIGHT:
        picture = picture.transpose(Image.Transpose[_UPRIGHT[orientation]])
    if picture.mode in ("RGBA", "LA"):
        white = Image.new("RGB", picture.size, "white")
        white.paste(picture.convert("RGBA"), mask=picture.getchannel("A"))
        return white
    return picture.convert("RGB")


def _jpeg(picture: Image.Image, quality: int) -> bytes:
    import io

    out = io.BytesIO()
    picture.save(out, format="JPEG", quality=quality, optimize=True)
    return out.getvalue()


def previews(image: Image.Image, *, rendition: bool) -> tuple[bytes, bytes | None]:
    """The thumbnail (at most :data:`THUMBNAIL_SIZE`) and, if asked, the rendition of a decoded
    image (None if even the smallest step is over :data:`RENDITION_MAX_BYTES`)."""
    from PIL import Image

    picture = upright(image, RENDITION_EDGE)
    thumbnail = picture.copy()
    thumbnail.thumbnail(THUMBNAIL_SIZE)
    if not rendition:
        return _jpeg(thumbnail, 82), None
    for edge, quality in _RENDITION_STEPS:
        if max(picture.size) > edge:
            picture.thumbnail((edge, edge), Image.Resampling.LANCZOS)
        encoded = _jpeg(picture, quality)
        if len(encoded) <= RENDITION_MAX_BYTES:
            return _jpeg(thumbnail, 82), encoded
    return _jpeg(thumbnail, 82), None


def store(
    bucket: str, folder: str, *, thumbnail: bytes | None, rendition: bytes | None
) -> dict[str, str]:
    """Write the previews under ``folder`` (the media's ``media/<owner>/<media>/``); the record
    fields that name them (``thumbnail``, ``rendition``)."""
    fields: dict[str, str] = {}
    for field, name, data in (
        ("thumbnail", THUMBNAIL_NAME, thumbnail),
        ("rendition", RENDITION_NAME, rendition),
    ):
        if data:
            storage.put(bucket, f"{folder}{name}", data, content_type=PREVIEW_TYPE)
            fields[field] = f"{folder}{name}"
    return fields
