"""The analysis stand-in for ``make dev``: what this machine can honestly say about a file.

Rekognition, Transcribe and Comprehend exist only on AWS, so locally nothing pretends to be them:
this analyser records technical metadata (Pillow for images, ffprobe for audio and video), EXIF
facts, the duration and a SHA-256, as an ``ANALYSIS#local`` item that the site labels as local.
Images get their preview thumbnail (and a JPEG rendition where AWS makes one: HEIC, HEIF, TIFF,
...) as on AWS (that part of the AWS path is local code too).
Images and audio become ready here; videos become ready when their (local) transcode is packaged.
"""

from __future__ import annotations

import hashlib
import tempfile
from enum import StrEnum
from pathlib import Path
from typing import Any

from snapstream_runtime import image_analysis, lifecycle, renditions
from snapstream_runtime.adapters.clients import client
from snapstream_runtime.adapters.table import Table
from snapstream_runtime.analysis_records import claim_content_hash, store_results
from snapstream_runtime.announcements import move_and_announce
from snapstream_runtime.deletion_requests import stops_when_deleted
from snapstream_runtime.lifecycle import Status, StepState
from snapstream_runtime.removal import media_folder
from snapstream_runtime.settings import Settings
from tools.local.probe import probe

LOCAL_STEP = "analysis_local"
NOTE = (
    "Computed on this machine by make dev. Labels, detected text, moderation, transcripts, "
    "sentiment and entities come from Rekognition, Transcribe and Comprehend: they run on AWS."
)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _duplicate_check(table: Table, media: lifecycle.Media, sha256: str) -> dict[str, Any]:
    """The duplicate check the image analysis runs on AWS (``analysis._image``), with the real
    SHA-256 of the uploaded bytes: the owner's claim on the hash, and ``duplicate_of`` when they
    uploaded the same bytes before. Videos and audio are not hashed on AWS (the analysis function
    never reads them whole), so not here either."""
    if media.kind != "image":
        return {}
    return claim_content_hash(table, media, sha256)


class LocalOutcome(StrEnum):
    ANALYSED = "analysed"
    DUPLICATE = "duplicate"
    IGNORED = "ignored"


@stops_when_deleted
def analyse_locally(detail: dict[str, Any], settings: Settings) -> LocalOutcome:
    table = Table(settings.table_name)
    media = lifecycle.load(table, str(detail.get("media_id", "")))
    if media is None or media.status not in {Status.UPLOADED, Status.PROCESSING}:
        return LocalOutcome.IGNORED
    if lifecycle.step_state(media, LOCAL_STEP) is StepState.COMPLETE:
        return LocalOutcome.DUPLICATE
    bucket = str(detail.get("bucket") or settings.uploads_bucket)
    facts: dict[str, Any] = {"analysed_by": "make dev (this machine, not AWS)", "note": NOTE}
    fields: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="snapstream-local-analysis-") as work:
        path = Path(work) / "media"
        version = {"VersionId": media.version_id} if media.version_id else None
        client("s3").download_file(bucket, media.upload_key, str(path), ExtraArgs=version)
        data = path.read_bytes() if media.kind == "image" else b""
        facts["sha256"] = _sha256(path)
        facts["size_bytes"] = path.stat().st_size
        if media.kind == "image":
            rendition = renditions.needs_rendition(media.content_type, len(data))
            found = image_analysis.inspect(data, settings.max_image_pixels, rendition=rendition)
            facts.update(found.metadata)
            fields["image"] = found.metadata
            fields |= renditions.store(
                settings.media_bucket,
                media_folder(media),
                thumbnail=found.thumbnail,
                rendition=found.rendition,
            )
            if found.error:
                facts["error"] = found.error
        else:
            facts.update(probe(path, content_type=media.content_type))
    fields |= _duplicate_check(table, media, facts["sha256"])
    store_results(table, media, {"local": facts})
    fields[f"steps.{LOCAL_STEP}"] = lifecycle.step_value(
        StepState.COMPLETE, "runs on AWS: labels, text, transcripts"
    )
    current = lifecycle.load(table, media.media_id) or media
    if media.kind in {"image", "audio"}:
        move_and_announce(
            table, current, Status.READY, settings.notifications_topic_arn, fields=fields
        )
    else:
        lifecycle.record_step(
            table,
            media.media_id,
            LOCAL_STEP,
            StepState.COMPLETE,
            "runs on AWS: labels, transcripts",
            fields={k: v for k, v in fields.items() if not k.startswith("steps.")},
        )
    return LocalOutcome.ANALYSED
