"""Images: what Rekognition sees, what the file says about itself, a preview and a content hash."""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from snapstream_runtime.adapters import rekognition
from snapstream_runtime.adapters.rekognition import StoredFile
from snapstream_runtime.image_header import Dimensions, declared_dimensions, too_many_pixels
from snapstream_runtime.media_types import SNIFF_BYTES, sniff

if TYPE_CHECKING:
    from PIL import Image

#: Rekognition reads JPEG and PNG from S3 up to 15 MB; we read at most this much ourselves.
REKOGNITION_FORMATS = {"image/jpeg", "image/png"}
REKOGNITION_MAX_BYTES = 15 * 1024 * 1024
MAX_READ_BYTES = 50 * 1024 * 1024
THUMBNAIL_SIZE = (640, 640)
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


def recognize(
    bucket: str,
    key: str,
    version_id: str | None,
    *,
    content_type: str,
    size: int,
    celebrities: bool,
) -> ImageFindings:
    """Rekognition DetectLabels, DetectText, DetectModerationLabels (and RecognizeCelebrities)."""
    findings = ImageFindings()
    if content_type not in REKOGNITION_FORMATS:
        reason = f"Rekognition does not analyse {content_type} images"
        findings.skipped.update(dict.fromkeys(("labels", "text", "moderation"), reason))
        return findings
    if size > REKOGNITION_MAX_BYTES:
        findings.skipped["labels"] = "the image is larger than Rekognition's 15 MB limit"
        return findings
    image = StoredFile(bucket, key, version_id)
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
    """What the bytes themselves say: format, size, EXIF, a preview and a content hash."""

    sha256: str
    metadata: dict[str, Any]
    thumbnail: bytes | None
    error: str | None = None


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


def _declared(data: bytes) -> Dimensions | None:
    """The dimensions the file's header declares, read as ingest reads them (but from the whole
    file: a JPEG's frame header may lie beyond what ingest reads)."""
    detected = sniff(data[:SNIFF_BYTES])
    return declared_dimensions(detected.content_type, data) if detected else None


def inspect(data: bytes, max_pixels: int = DEFAULT_MAX_PIXELS) -> LocalImage:
    """Inspect image bytes; a corrupt, empty or too large image yields an error, never an
    exception: a file that cannot be decoded now will not decode on a retry either.

    The header's dimensions are checked against ``max_pixels`` first (as ingest does), then
    Pillow's: ``Image.open`` reads only the header, and its size is checked before ``load()``
    decodes anything, so a decompression bomb is never expanded.
    """
    # Pillow is imported here, not at module import: only image analysis pays its import time.
    from PIL import Image

    digest = hashlib.sha256(data).hexdigest()
    if not data:
        return LocalImage(digest, {}, None, "the image file is empty")
    declared = _declared(data)
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
                metadata.update(
                    mode=image.mode, frames=getattr(image, "n_frames", 1), **_exif(image)
                )
                preview = image.convert("RGB")
                preview.thumbnail(THUMBNAIL_SIZE)
                out = io.BytesIO()
                preview.save(out, format="JPEG", quality=82, optimize=True)
                return LocalImage(digest, metadata, out.getvalue())
    except Exception as error:
        # Any decoder error is a fact about the file: DecompressionBombError (not an OSError),
        # SyntaxError, struct.error, EOFError, ...
        return LocalImage(
            digest, {}, None, f"the image could not be decoded ({type(error).__name__})"
        )
