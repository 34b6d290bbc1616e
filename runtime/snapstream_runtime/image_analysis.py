"""Images: what Rekognition sees, what the file says about itself, previews and a content hash.

Rekognition reads a JPEG or PNG original from S3; any other image through the bytes of its
JPEG rendition (:mod:`snapstream_runtime.renditions`). HEIC and HEIF decode through the
``pi-heif`` plugin (pillow-heif's decode-only build), registered only when such a file is
inspected.
"""

from __future__ import annotations

import functools
import hashlib
import io
import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from snapstream_runtime import renditions
from snapstream_runtime.adapters import rekognition
from snapstream_runtime.adapters.rekognition import ImageBytes, RekognitionImage, StoredFile
from snapstream_runtime.image_dimensions import declared_dimensions
from snapstream_runtime.image_header import Dimensions, too_many_pixels
from snapstream_runtime.renditions import REKOGNITION_IMAGES, REKOGNITION_MAX_BYTES
from snapstream_runtime.sizes import human_size
from snapstream_runtime.sniffing import SNIFF_BYTES, Detected, sniff

if TYPE_CHECKING:
    from PIL import Image

#: We read at most this much of an image ourselves.
MAX_READ_BYTES = 50 * 1024 * 1024
HEIF_TYPES = frozenset({"image/heic", "image/heif"})
#: The default pixel limit (the environment's ``max_image_pixels`` is what the functions use).
DEFAULT_MAX_PIXELS = 100_000_000
#: Rekognition answers these for a file it cannot use: a fact about the file, not a retryable fault.
PERMANENT_IMAGE_ERRORS = {
    "InvalidImageFormatException",
    "ImageTooLargeException",
    "InvalidS3ObjectException",
}


@dataclass
class ImageFindings:
    labels: list[dict[str, Any]] = field(default_factory=list)
    text: list[dict[str, Any]] = field(default_factory=list)
    moderation: list[dict[str, Any]] = field(default_factory=list)
    celebrities: list[dict[str, Any]] = field(default_factory=list)
    #: analyser -> why it produced nothing (unsupported format, corrupt file, ...).
    skipped: dict[str, str] = field(default_factory=dict)


def rekognition_input(
    original: StoredFile, *, content_type: str, size: int, rendition: bytes | None
) -> RekognitionImage | str:
    """What Rekognition reads of an image: the original in S3 where it can (a JPEG or PNG up to
    15 MB), else its JPEG rendition's bytes; or, when there is neither, why not."""
    if content_type in REKOGNITION_IMAGES and size <= REKOGNITION_MAX_BYTES:
        return original
    if rendition:
        return ImageBytes(rendition)
    if content_type in REKOGNITION_IMAGES:
        return "the image is larger than Rekognition's 15 MB limit and has no JPEG rendition"
    return f"Rekognition does not analyse {content_type} images, and no JPEG rendition was made"


def recognize(image: RekognitionImage | str, *, celebrities: bool) -> ImageFindings:
    """Rekognition DetectLabels, DetectText, DetectModerationLabels (and RecognizeCelebrities);
    given a reason instead of an image, every analyser is skipped with it."""
    findings = ImageFindings()
    if isinstance(image, str):
        findings.skipped.update(dict.fromkeys(("labels", "text", "moderation"), image))
        return findings
    try:
        labels = rekognition.image_labels(image, max_labels=50, min_confidence=50)
        findings.labels = [
            {
                "name": label["Name"],
                "confidence": round(float(label["Confidence"]), 2),
                "parents": [p["Name"] for p in label.get("Parents", [])],
                "boxes": [
                    {k: round(float(v), 4) for k, v in instance["BoundingBox"].items()}
                    for instance in label.get("Instances", [])
                    if "BoundingBox" in instance
                ],
            }
            for label in labels
        ]
        findings.text = [
            {"text": t["DetectedText"], "confidence": round(float(t["Confidence"]), 2)}
            for t in rekognition.image_text(image)
            if t.get("Type") == "LINE"
        ]
        moderation = rekognition.image_moderation_labels(image, min_confidence=60)
        findings.moderation = [
            {
                "name": m["Name"],
                "parent": m.get("ParentName", ""),
                "confidence": round(float(m["Confidence"]), 2),
            }
            for m in moderation
        ]
        if celebrities:
            findings.celebrities = [
                {"name": c["Name"], "confidence": round(float(c.get("MatchConfidence", 0)), 2)}
                for c in rekognition.celebrities_in_image(image)
            ]
    except ClientError as error:
        code = error.response["Error"]["Code"]
        if code not in PERMANENT_IMAGE_ERRORS:
            raise  # throttling and service faults are retried through the queue
        findings.skipped["labels"] = f"Rekognition could not read the image ({code})"
    return findings


@dataclass(frozen=True)
class LocalImage:
    """What the bytes themselves say: format, size, EXIF, previews and a content hash."""

    sha256: str
    metadata: dict[str, Any]
    thumbnail: bytes | None
    error: str | None = None
    #: the JPEG rendition, when one was asked for (and the image decoded)
    rendition: bytes | None = None


def not_read(size: int) -> LocalImage:
    """An image too large to read at all: no hash (it would be the empty file's), no preview."""
    limit = human_size(MAX_READ_BYTES)
    return LocalImage("", {}, None, f"the image is {human_size(size)}, more than the {limit} read")


def _exif(image: Image.Image) -> dict[str, Any]:
    from PIL import ExifTags

    exif = image.getexif()
    if not exif:
        return {}
    named = {ExifTags.TAGS.get(tag, str(tag)): value for tag, value in exif.items()}
    details = exif.get_ifd(ExifTags.IFD.Exif)
    named.update({ExifTags.TAGS.get(tag, str(tag)): value for tag, value in details.items()})
    result: dict[str, Any] = {}
    for source, target in (
        ("DateTimeOriginal", "captured_at"),
        ("DateTime", "captured_at"),
        ("Make", "camera_make"),
        ("Model", "camera_model"),
    ):
        value = named.get(source)
        if value and target not in result:
            result[target] = str(value).strip("\x00 ")
    # GPS position is personal data: record only that it is there, for the owner to see.
    result["has_gps"] = bool(exif.get_ifd(ExifTags.IFD.GPSInfo))
    return result


#: frames counted at most (Pillow walks a TIFF's directories in quadratic time: a 4 MB file
#: of 32,000 empty directories took 9 s; GIF and WebP say how many they have)
MAX_FRAMES_COUNTED = 100


def _frames(image: Image.Image) -> int:
    """How many frames (pages) the image has, counting TIFF directories only up to a cap."""
    if image.format != "TIFF":
        return int(getattr(image, "n_frames", 1))
    count = 1
    try:
        while count < MAX_FRAMES_COUNTED:
            image.seek(count)
            count += 1
    except EOFError:
        pass
    finally:
        image.seek(0)
    return count


@functools.cache
def _decode_heif() -> None:
    """Teach Pillow HEIC and HEIF (the primary image only: no thumbnails, depth or auxiliary
    images are decoded). ``pi-heif`` decodes only: no GPL encoder ships in the layer."""
    from pi_heif import register_heif_opener  # type: ignore[import-untyped]

    register_heif_opener(thumbnails=False, depth_images=False, aux_images=False)


def _detected(data: bytes) -> Detected | None:
    detected = sniff(data[:SNIFF_BYTES])
    if detected and detected.compatible & HEIF_TYPES:
        _decode_heif()
    return detected


def _declared(detected: Detected | None, data: bytes) -> Dimensions | None:
    """The dimensions the file's header declares, read as ingest reads them (but from the whole
    file: a JPEG's frame header may lie beyond what ingest reads)."""
    return declared_dimensions(detected.content_type, data) if detected else None


def inspect(
    data: bytes, max_pixels: int = DEFAULT_MAX_PIXELS, *, rendition: bool = False
) -> LocalImage:
    """Inspect image bytes (and make its previews: the thumbnail, and with ``rendition`` the
    JPEG rendition); a corrupt, empty or too large image yields an error, never an exception:
    a file that cannot be decoded now will not decode on a retry either.

    The header's dimensions are checked against ``max_pixels`` first (as ingest does), then
    Pillow's: ``Image.open`` reads only the header, and its size is checked before ``load()``
    decodes anything, so a decompression bomb is never expanded.
    """
    # Pillow is imported here, not at module import: only image analysis pays its import time.
    from PIL import Image

    digest = hashlib.sha256(data).hexdigest()
    if not data:
        return LocalImage(digest, {}, None, "the image file is empty")
    declared = _declared(_detected(data), data)
    too_large = too_many_pixels(declared, max_pixels) if declared else None
    if declared and too_large:
        return LocalImage(digest, {"width": declared[0], "height": declared[1]}, None, too_large)
    try:
        with warnings.catch_warnings():
            # Pillow warns from 89.5 megapixels; the limit that counts is max_pixels.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                metadata: dict[str, Any] = {
                    "format": image.format,
                    "width": image.width,
                    "height": image.height,
                }
                too_large = too_many_pixels(image.size, max_pixels)
                if too_large:
                    return LocalImage(digest, metadata, None, too_large)
                image.load()
                metadata.update(mode=image.mode, frames=_frames(image), **_exif(image))
                thumbnail, jpeg = renditions.previews(image, rendition=rendition)
                return LocalImage(digest, metadata, thumbnail, rendition=jpeg)
    except Exception as error:
        # Any decoder error is a fact about the file: DecompressionBombError (not an OSError),
        # SyntaxError, struct.error, EOFError, ...
        return LocalImage(
            digest, {}, None, f"the image could not be decoded ({type(error).__name__})"
        )
