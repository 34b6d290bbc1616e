"""Video on demand: submit the transcode, follow the job, package the result for playback.

Each function takes the ``detail`` of one EventBridge event and is safe to run twice for it. For
a media being deleted or gone it writes nothing (``deleted``); a job that finishes for one has its
outputs swept by the deletion function.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any
from urllib.parse import urlparse

from botocore.exceptions import ClientError

from snapstream_runtime import lifecycle
from snapstream_runtime.adapters import storage
from snapstream_runtime.adapters.publishing import put_event
from snapstream_runtime.adapters.table import ConditionFailed, Table
from snapstream_runtime.adapters.video_services import create_or_get_asset, create_transcode_job
from snapstream_runtime.announcements import fail_step, finish_announcement, move_and_announce
from snapstream_runtime.contract import MEDIA_TRANSCODED, asset_id
from snapstream_runtime.deletion_requests import stops_when_deleted
from snapstream_runtime.lifecycle import Media, MediaGone, StaleTransition, Status, StepState
from snapstream_runtime.removal import media_folder
from snapstream_runtime.settings import Settings
from snapstream_runtime.transcoding import job_settings, output_folder

TRANSCODE = "transcode"
PACKAGE = "package"
#: MediaConvert refuses these for good; anything else (throttling, 5xx) is retried.
_PERMANENT_SUBMIT_ERRORS = {"BadRequestException", "NotFoundException", "ForbiddenException"}
#: Job states after which MediaConvert writes nothing more; ERROR and CANCELED fail the media.
_FINISHED = {"COMPLETE", "ERROR", "CANCELED"}
CANCELED_REASON = "transcoding was canceled"


class VideoOutcome(StrEnum):
    SUBMITTED = "submitted"
    PROGRESS = "progress"
    TRANSCODED = "transcoded"
    PACKAGED = "packaged"
    FAILED = "failed"
    DUPLICATE = "duplicate"
    NOT_VIDEO = "not_video"
    IGNORED = "ignored"


def _fail(table: Table, media: Media, settings: Settings, step: str, reason: str) -> None:
    """The media ``failed`` with ``reason`` (also on its step), and its owner told."""
    fail_step(table, media, settings.notifications_topic_arn, step, reason)


def output_prefix(media: Media) -> str:
    return media_folder(media)


@stops_when_deleted
def submit_transcode(detail: dict[str, Any], settings: Settings) -> VideoOutcome:
    """``MediaUploaded`` -> one MediaConvert job from the template, and the media ``processing``."""
    table = Table(settings.table_name)
    media = lifecycle.load_active(table, str(detail.get("media_id", "")))
    if media is None:
        return VideoOutcome.IGNORED
    if media.kind != "video":
        return VideoOutcome.NOT_VIDEO
    step = lifecycle.step_state(media, TRANSCODE)
    if step in {StepState.SUBMITTED, StepState.PROGRESSING, StepState.COMPLETE}:
        return VideoOutcome.DUPLICATE
    # A replayed MediaUploaded resubmits a video whose transcode failed (operator recovery).
    recovering = media.status is Status.FAILED and step is StepState.FAILED
    if media.status is not Status.UPLOADED and not recovering:
        return VideoOutcome.IGNORED
    source = f"s3://{detail['bucket']}/{media.upload_key}"
    try:
        job_id = create_transcode_job(
            role_arn=settings.transcode_role_arn,
            queue_arn=settings.transcode_queue_arn,
            job_template=settings.transcode_job_template,
            settings=job_settings(
                input_url=source,
                destination=output_folder(settings.media_bucket, output_prefix(media)),
            ),
            user_metadata={
                "media_id": media.media_id,
                "owner_id": media.owner_id,
                "environment": settings.environment,
            },
            accelerated=settings.accelerated_transcoding,
            idempotency_token=f"transcode-{media.media_id}",
        )
    except ClientError as error:
        code = error.response["Error"]["Code"]
        if code not in _PERMANENT_SUBMIT_ERRORS:
            raise
        reason = f"the video could not be submitted for transcoding ({code})"
        if recovering:
            lifecycle.record_step(table, media.media_id, TRANSCODE, StepState.FAILED, reason)
            return VideoOutcome.FAILED
        _fail(table, media, settings, TRANSCODE, reason)
        return VideoOutcome.FAILED
    try:
        lifecycle.transition(
            table,
            media,
            Status.PROCESSING,
            fields={
                f"steps.{TRANSCODE}": lifecycle.step_value(StepState.SUBMITTED, job_id),
                "transcode_job_id": job_id,
                "output_prefix": output_prefix(media),
            },
        )
    except StaleTransition:
        return VideoOutcome.DUPLICATE
    return VideoOutcome.SUBMITTED


@stops_when_deleted
def on_transcode_state(detail: dict[str, Any], settings: Settings) -> VideoOutcome:
    """A ``MediaConvert Job State Change`` for one of our jobs: progress, outputs, the error or
    the cancellation (``ERROR`` and ``CANCELED`` fail the media with a reason and tell its
    owner, once)."""
    metadata = detail.get("userMetadata") or {}
    if detail.get("queue") != settings.transcode_queue_arn or (
        metadata.get("environment") != settings.environment
    ):
        return VideoOutcome.IGNORED
    table = Table(settings.table_name)
    media_id, status = str(metadata.get("media_id", "")), detail.get("status")
    media = lifecycle.load(table, media_id)
    finished = status in _FINISHED
    if media is None and finished and metadata.get("owner_id"):
        # The media was deleted while the job ran: what the job wrote is swept.
        raise MediaGone(media_id, str(metadata["owner_id"]), sweep=True)
    if media is None:
        return VideoOutcome.IGNORED
    if media.status is Status.DELETING:
        raise MediaGone(media_id, media.owner_id, sweep=finished)
    current = lifecycle.step_state(media, TRANSCODE)
    if status in {"PROGRESSING", "STATUS_UPDATE"}:
        if current in {StepState.COMPLETE, StepState.FAILED}:
            return VideoOutcome.DUPLICATE  # a late progress event must not undo the result
        percent = (detail.get("jobProgress") or {}).get("jobPercentComplete")
        try:
            lifecycle.record_step(
                table,
                media.media_id,
                TRANSCODE,
                StepState.PROGRESSING,
                f"{percent}%" if percent else None,
                only_while=(StepState.SUBMITTED, StepState.PROGRESSING),
            )
        except ConditionFailed:
            return VideoOutcome.DUPLICATE  # the result arrived first
        return VideoOutcome.PROGRESS
    if status == "COMPLETE":
        return _transcoded(table, media, detail, settings)
    if status in {"ERROR", "CANCELED"}:
        reason = (
            CANCELED_REASON
            if status == "CANCELED"
            else (
                f"transcoding failed: {detail.get('errorMessage') or 'no message'} "
                f"(MediaConvert error {detail.get('errorCode', 'unknown')})"
            )
        )
        job, current_job = detail.get("jobId"), media.item.get("transcode_job_id")
        if job and current_job and job != current_job:
            return VideoOutcome.IGNORED  # an earlier job's end, after a resubmission
        if media.status is Status.FAILED and not media.announce_pending:
            return VideoOutcome.DUPLICATE
        _fail(table, media, settings, TRANSCODE, reason)
        return VideoOutcome.FAILED
    return VideoOutcome.IGNORED


def transcode_outputs(detail: dict[str, Any], bucket: str, prefix: str) -> dict[str, Any]:
    """Keys of the HLS manifest, MP4, poster and frames, the duration and the renditions."""
    outputs: dict[str, Any] = {"renditions": []}

    def key(s3_url: str) -> str | None:
        parsed = urlparse(s3_url)
        path = parsed.path.lstrip("/")
        # Only trust outputs inside this media's own folder of the media bucket.
        return path if parsed.netloc == bucket and path.startswith(prefix) else None

    for group in detail.get("outputGroupDetails") or []:
        for playlist in group.get("playlistFilePaths") or []:
            if (found := key(playlist)) and found.endswith(".m3u8"):
                outputs["hls"] = found
        for output in group.get("outputDetails") or []:
            if "durationInMs" in output:
                outputs["duration_ms"] = max(
                    outputs.get("duration_ms", 0), int(output["durationInMs"])
                )
            video = output.get("videoDetails") or {}
            for path in output.get("outputFilePaths") or []:
                found = key(path)
                if found is None:
                    continue
                if found.endswith(".mp4"):
                    outputs["mp4"] = found
                elif found.endswith(".jpg") and "_poster." in found:
                    outputs["poster"] = found
                elif found.endswith(".jpg"):
                    outputs["frames"] = {"prefix": found.rsplit(".", 2)[0] + ".", "last": found}
                elif found.endswith(".m3u8") and video:
                    outputs["renditions"].append(
                        {"width": video.get("widthInPx"), "height": video.get("heightInPx")}
                    )
    return outputs


def _transcoded(
    table: Table, media: Media, detail: dict[str, Any], settings: Settings
) -> VideoOutcome:
    outputs = transcode_outputs(detail, settings.media_bucket, output_prefix(media))
    if "hls" not in outputs:
        reason = "transcoding finished without an HLS manifest"
        _fail(table, media, settings, TRANSCODE, reason)
        return VideoOutcome.FAILED
    if lifecycle.step_state(media, TRANSCODE) is not StepState.COMPLETE:
        lifecycle.record_step(
            table, media.media_id, TRANSCODE, StepState.COMPLETE, fields={"outputs": outputs}
        )
    # Published on every COMPLETE delivery: packaging is idempotent, a lost event is not.
    put_event(settings.event_bus_name, MEDIA_TRANSCODED, media_transcoded_detail(media, settings))
    return VideoOutcome.TRANSCODED


def media_transcoded_detail(media: Media, settings: Settings) -> dict[str, Any]:
    """The ``MediaTranscoded`` event: the media to package (its outputs are on its record)."""
    return {
        "media_id": media.media_id,
        "owner_id": media.owner_id,
        "environment": settings.environment,
    }


@stops_when_deleted
def package(detail: dict[str, Any], settings: Settings) -> VideoOutcome:
    """``MediaTranscoded`` -> a MediaPackage VOD asset (HLS, DASH, CMAF) and the media ``ready``.

    The asset id carries the environment (``snapstream-<env>-<media id>``), so the deletion
    function's ``DeleteAsset`` can be limited to this environment's assets.
    """
    table = Table(settings.table_name)
    media = lifecycle.load_active(table, str(detail.get("media_id", "")))
    if media is None:
        return VideoOutcome.IGNORED
    if media.status is Status.READY:
        if media.announce_pending:
            finish_announcement(table, media, settings.notifications_topic_arn)
        return VideoOutcome.DUPLICATE
    if media.status is not Status.PROCESSING:
        return VideoOutcome.IGNORED
    manifest = (media.item.get("outputs") or {}).get("hls")
    if not manifest or storage.head(settings.media_bucket, manifest, None) is None:
        reason = "the transcoded HLS manifest is missing"
        _fail(table, media, settings, PACKAGE, reason)
        return VideoOutcome.FAILED
    asset = asset_id(settings.environment, media.media_id)
    endpoints = create_or_get_asset(
        asset_id=asset,
        packaging_group_id=settings.packaging_group_id,
        source_arn=f"arn:aws:s3:::{settings.media_bucket}/{manifest}",
        source_role_arn=settings.packaging_role_arn,
    )
    formats = {config_id: name for name, config_id in settings.packaging_configurations.items()}
    playback = {
        formats[e["PackagingConfigurationId"]]: urlparse(e["Url"]).path
        for e in endpoints
        if e.get("PackagingConfigurationId") in formats and e.get("Url")
    }
    move_and_announce(
        table,
        media,
        Status.READY,
        settings.notifications_topic_arn,
        fields={
            "playback": playback,
            "asset_id": asset,
            f"steps.{PACKAGE}": lifecycle.step_value(StepState.COMPLETE),
        },
    )
    return VideoOutcome.PACKAGED
