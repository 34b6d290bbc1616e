"""Media analysis: images now, speech (and video labels: :mod:`video_analysis`) as asynchronous
jobs with completions.

Uploads reach :func:`on_uploaded` through the analysis queue, so that Rekognition, Transcribe and
Comprehend quotas (throttling, ``LimitExceededException``) back off and retry through SQS; on the
last attempt an analysis that still cannot run is marked ``failed`` with the reason, and the media
stays usable (an image or audio file becomes ``ready`` anyway). Every step is idempotent.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from botocore.exceptions import ClientError

from snapstream_runtime import image_analysis, lifecycle, renditions, speech, tags
from snapstream_runtime.adapters import storage
from snapstream_runtime.adapters.rekognition import StoredFile
from snapstream_runtime.adapters.table import Table
from snapstream_runtime.analysis_records import register_hash, store_results
from snapstream_runtime.analysis_steps import (
    IMAGE_STEP,
    SPEECH_STEP,
    STARTED_BEFORE,
    VIDEO_SEGMENTS_STEP,
    VIDEO_STEP,
    VIDEO_TEXT_STEP,
    AnalysisOutcome,
)
from snapstream_runtime.announcements import move_and_announce
from snapstream_runtime.deletion_requests import stops_when_deleted
from snapstream_runtime.lifecycle import Media, MediaGone, Status, StepState
from snapstream_runtime.removal import media_folder
from snapstream_runtime.settings import Settings
from snapstream_runtime.tags import Tag, TagSource
from snapstream_runtime.video_analysis import start_video_analysis

#: Rekognition Video reads MP4 and QuickTime files (H.264).
REKOGNITION_VIDEOS = frozenset({"video/mp4", "video/quicktime"})
#: What one upload's analysis came to when it has several analyses: the first of these any of
#: them came to (a started job outranks a recorded skip, which outranks a repeat).
_PRECEDENCE = (AnalysisOutcome.STARTED, AnalysisOutcome.ANALYSED, AnalysisOutcome.DUPLICATE)


def _is_retryable(error: ClientError) -> bool:
    code = error.response["Error"]["Code"]
    return code in {
        "ThrottlingException",
        "ProvisionedThroughputExceededException",
        "LimitExceededException",
        "TooManyRequestsException",
        "ServiceUnavailableException",
        "InternalServerError",
        "InternalServerErrorException",
    }


@stops_when_deleted
def on_uploaded(
    detail: dict[str, Any], settings: Settings, *, final_attempt: bool
) -> AnalysisOutcome:
    """``MediaUploaded`` -> analyse an image now, or start speech (and video label) jobs."""
    table = Table(settings.table_name)
    media = lifecycle.load_active(table, str(detail.get("media_id", "")))
    if media is None:
        return AnalysisOutcome.IGNORED
    bucket = str(detail.get("bucket") or settings.uploads_bucket)
    try:
        if media.kind == "image":
            return _image(table, media, bucket, settings)
        outcomes = [_start_speech(table, media, bucket, settings)]
        if media.kind == "video":
            outcomes.append(_start_video(table, media, bucket, settings))
        return min(outcomes, key=_PRECEDENCE.index)
    except ClientError as error:
        retryable = _is_retryable(error)
        if retryable and not final_attempt:
            raise  # back to the queue: visible again after the visibility timeout
        code = error.response["Error"]["Code"]
        reason = f"analysis could not start: {code}" + (" after retries" if retryable else "")
        _give_up(table, media, settings, reason)
        return AnalysisOutcome.FAILED


def _give_up(table: Table, media: Media, settings: Settings, reason: str) -> None:
    """Mark this media's pending analyses failed; a media that waited only on them becomes ready."""
    steps = (IMAGE_STEP,) if media.kind == "image" else (SPEECH_STEP, VIDEO_STEP)
    for step in steps:
        if lifecycle.step_state(media, step) not in {StepState.COMPLETE, StepState.SKIPPED}:
            lifecycle.record_step(table, media.media_id, step, StepState.FAILED, reason)
    if media.kind != "video":
        _ready(table, media, settings)


def _ready(
    table: Table, media: Media, settings: Settings, fields: dict[str, Any] | None = None
) -> None:
    """Make a media that waited only on analysis ready (and finish a pending announcement)."""
    current = lifecycle.load(table, media.media_id) or media
    if current.status in {Status.UPLOADED, Status.PROCESSING, Status.READY}:
        move_and_announce(
            table, current, Status.READY, settings.notifications_topic_arn, fields=fields
        )


# -- images ------------------------------------------------------------------------------------


def _image(table: Table, media: Media, bucket: str, settings: Settings) -> AnalysisOutcome:
    if lifecycle.step_state(media, IMAGE_STEP) in {StepState.COMPLETE, StepState.FAILED}:
        _ready(table, media, settings)  # a retry after a failed notification finishes it
        return AnalysisOutcome.DUPLICATE
    size = int(media.item.get("size") or media.declared_size)
    data = storage.read(
        bucket, media.upload_key, media.version_id, max_bytes=image_analysis.MAX_READ_BYTES
    )
    wanted = renditions.needs_rendition(media.content_type, size)
    local = (
        image_analysis.inspect(data, settings.max_image_pixels, rendition=wanted)
        if data or not size
        else image_analysis.not_read(size)
    )
    fields: dict[str, Any] = {"image": local.metadata}
    fields |= renditions.store(
        settings.media_bucket,
        media_folder(media),
        thumbnail=local.thumbnail,
        rendition=local.rendition,
    )
    found = image_analysis.recognize(
        image_analysis.rekognition_input(
            StoredFile(bucket, media.upload_key, media.version_id),
            content_type=media.content_type,
            size=size,
            rendition=local.rendition,
        ),
        celebrities=settings.celebrity_recognition,
    )
    if local.sha256:
        fields["content_hash"] = local.sha256
        duplicate_of = register_hash(table, media, local.sha256)
        if duplicate_of:
            fields["duplicate_of"] = duplicate_of
    flagged = [m for m in found.moderation if m["confidence"] >= settings.moderation_threshold]
    fields["moderation"] = {"flagged": bool(flagged), "labels": [m["name"] for m in flagged]}
    store_results(
        table,
        media,
        {
            "labels": found.labels,
            "text": found.text,
            "moderation": found.moderation,
            "celebrities": found.celebrities,
            "metadata": {**local.metadata, **({"error": local.error} if local.error else {})},
            "skipped": found.skipped,
        },
    )
    tags.apply(table, media.media_id, _image_tags(found), threshold=settings.tag_threshold)
    problems = "; ".join(dict.fromkeys(filter(None, [local.error, *found.skipped.values()])))
    # A file that cannot be decoded (corrupt, a decompression bomb, beyond the pixel limit) fails
    # the analysis for good, with the reason: a retry would meet the same bytes.
    state = StepState.FAILED if local.error else StepState.COMPLETE
    fields[f"steps.{IMAGE_STEP}"] = lifecycle.step_value(state, problems or None)
    _ready(table, media, settings, fields)
    return AnalysisOutcome.ANALYSED


def _image_tags(found: image_analysis.ImageFindings) -> Iterable[Tag]:
    for label in found.labels:
        yield Tag(label["name"], TagSource.LABEL, label["confidence"])
        for parent in label["parents"]:
            yield Tag(parent, TagSource.LABEL, label["confidence"])
    for line in found.text:
        yield Tag(line["text"], TagSource.TEXT, line["confidence"])
    for person in found.celebrities:
        yield Tag(person["name"], TagSource.PERSON, person["confidence"])


# -- speech ------------------------------------------------------------------------------------


def _start_speech(table: Table, media: Media, bucket: str, settings: Settings) -> AnalysisOutcome:
    if lifecycle.step_state(media, SPEECH_STEP) in STARTED_BEFORE:
        return AnalysisOutcome.DUPLICATE
    if speech.media_format(media.content_type) is None:
        reason = speech.not_transcribed(media.content_type)
        lifecycle.record_step(table, media.media_id, SPEECH_STEP, StepState.SKIPPED, reason)
        if media.kind == "audio":
            _ready(table, media, settings)
        return AnalysisOutcome.ANALYSED
    try:
        speech.start_transcription(
            environment=settings.environment,
            media_id=media.media_id,
            media_uri=f"s3://{bucket}/{media.upload_key}",
            output_bucket=settings.media_bucket,
            output_key=f"{media_folder(media)}transcript.json",
            kms_key_arn=settings.uploads_kms_key_arn,
        )
    except ClientError as error:
        if error.response["Error"]["Code"] != "ConflictException":  # the job exists already
            raise
    fields = {f"steps.{SPEECH_STEP}": lifecycle.step_value(StepState.SUBMITTED)}
    if media.kind == "audio" and media.status is Status.UPLOADED:
        lifecycle.transition(table, media, Status.PROCESSING, fields=fields)
    else:
        lifecycle.record_step(table, media.media_id, SPEECH_STEP, StepState.SUBMITTED)
    return AnalysisOutcome.STARTED


def _start_video(table: Table, media: Media, bucket: str, settings: Settings) -> AnalysisOutcome:
    """Rekognition Video jobs for an MP4 or QuickTime video; for another container, each of its
    steps is recorded as skipped, with the reason."""
    if media.content_type in REKOGNITION_VIDEOS:
        return start_video_analysis(table, media, bucket, settings)
    steps = [VIDEO_STEP]
    if settings.video_text_and_segments:
        steps += [VIDEO_TEXT_STEP, VIDEO_SEGMENTS_STEP]
    pending = [step for step in steps if lifecycle.step_state(media, step) not in STARTED_BEFORE]
    reason = "Rekognition Video reads MP4 and MOV videos only"
    for step in pending:
        lifecycle.record_step(table, media.media_id, step, StepState.SKIPPED, reason)
    return AnalysisOutcome.ANALYSED if pending else AnalysisOutcome.DUPLICATE


@stops_when_deleted
def on_transcription_state(detail: dict[str, Any], settings: Settings) -> AnalysisOutcome:
    """``Transcribe Job State Change``: store the transcript, analyse it, tag, finish the media.

    For a media being deleted or gone, the transcript that landed in its folder is swept.
    """
    media_id = speech.media_id_from_job(
        settings.environment, str(detail.get("TranscriptionJobName", ""))
    )
    table = Table(settings.table_name)
    media = lifecycle.load(table, media_id) if media_id else None
    if media_id and (media is None or media.status is Status.DELETING):
        owner = media.owner_id if media else speech.owner_of_job(settings.environment, media_id)
        raise MediaGone(media_id, owner, sweep=True)
    if media is None:
        return AnalysisOutcome.IGNORED
    if lifecycle.step_state(media, SPEECH_STEP) in {StepState.COMPLETE, StepState.FAILED}:
        if media.kind == "audio":
            _ready(table, media, settings)  # a retry after the step was written finishes the job
        return AnalysisOutcome.DUPLICATE
    status = detail.get("TranscriptionJobStatus")
    if status == "FAILED":
        job = speech.transcription_job(settings.environment, media.media_id)
        reason = f"transcription failed: {job.get('FailureReason', 'no reason given')}"
        lifecycle.record_step(table, media.media_id, SPEECH_STEP, StepState.FAILED, reason)
        if media.kind == "audio":
            _ready(table, media, settings)
        return AnalysisOutcome.FAILED
    if status != "COMPLETED":
        return AnalysisOutcome.IGNORED
    job = speech.transcription_job(settings.environment, media.media_id)
    transcript_key = f"{media_folder(media)}transcript.json"
    text = speech.transcript_text(storage.read(settings.media_bucket, transcript_key))
    result = speech.analyse_text(text, job.get("LanguageCode")) if text else speech.TextAnalysis()
    summary = {
        "transcript_key": transcript_key,
        "characters": len(text),
        "excerpt": text[:500],
        "language": result.language or job.get("LanguageCode"),
        "dominant_language": result.dominant_language,
        "comprehend_supported": result.supported,
        "sentiment": result.sentiment,
        "sentiment_scores": result.sentiment_scores,
        "entities": result.entities[:100],
        "key_phrases": result.key_phrases,
        "chunks": result.chunks,
    }
    store_results(table, media, {"speech": summary})
    candidates = [Tag(e["text"], TagSource.ENTITY, e["score"] * 100) for e in result.entities]
    candidates += [
        Tag(p["text"], TagSource.KEY_PHRASE, p["score"] * 100) for p in result.key_phrases[:20]
    ]
    tags.apply(table, media.media_id, candidates, threshold=settings.tag_threshold)
    note = None if text else "no speech in the recording"
    if text and not result.supported:
        note = f"Comprehend does not analyse language {result.language!r}"
    lifecycle.record_step(table, media.media_id, SPEECH_STEP, StepState.COMPLETE, note)
    if media.kind == "audio":
        _ready(table, media, settings)
    return AnalysisOutcome.ANALYSED
