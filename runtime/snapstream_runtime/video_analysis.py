"""Video analysis: Rekognition Video jobs started for an uploaded video, and their completions.

Label detection always runs; text and segment detection where the environment switches them on.
Each job reports to the same SNS topic, tagged with the media id, and its completion pages
through every result: a label timeline, on-screen text lines and shots, stored and tagged.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from snapstream_runtime import lifecycle, tags
from snapstream_runtime.adapters import rekognition
from snapstream_runtime.adapters.rekognition import Completion, StoredFile
from snapstream_runtime.adapters.table import Table
from snapstream_runtime.analysis_records import store_results
from snapstream_runtime.analysis_steps import (
    STARTED_BEFORE,
    VIDEO_SEGMENTS_STEP,
    VIDEO_STEP,
    VIDEO_TEXT_STEP,
    AnalysisOutcome,
)
from snapstream_runtime.deletion_requests import stops_when_deleted
from snapstream_runtime.lifecycle import Media, StepState
from snapstream_runtime.settings import Settings
from snapstream_runtime.tags import Tag, TagSource

#: the step of each job, by the API that started it (as its completion names it)
_STEPS = {
    "StartLabelDetection": VIDEO_STEP,
    "StartTextDetection": VIDEO_TEXT_STEP,
    "StartSegmentDetection": VIDEO_SEGMENTS_STEP,
}


def _jobs(media: Media, bucket: str, settings: Settings) -> list[tuple[str, Callable[[], str]]]:
    """Each step's job starter. Tagged with the media id; the token (the media id per step)
    makes a repeated start return the first job."""
    video = StoredFile(bucket, media.upload_key, media.version_id)
    done = Completion(settings.video_analysis_topic_arn, settings.video_analysis_role_arn)
    media_id = media.media_id
    labels = partial(
        rekognition.start_label_detection,
        video,
        done,
        job_tag=media_id,
        token=media_id,
        min_confidence=50,
    )
    if not settings.video_text_and_segments:
        return [(VIDEO_STEP, labels)]
    text = partial(
        rekognition.start_text_detection, video, done, job_tag=media_id, token=f"{media_id}-text"
    )
    segments = partial(
        rekognition.start_segment_detection,
        video,
        done,
        job_tag=media_id,
        token=f"{media_id}-segments",
        segment_types=["TECHNICAL_CUE", "SHOT"],
    )
    return [(VIDEO_STEP, labels), (VIDEO_TEXT_STEP, text), (VIDEO_SEGMENTS_STEP, segments)]


def start_video_analysis(
    table: Table, media: Media, bucket: str, settings: Settings
) -> AnalysisOutcome:
    """Start each job not started before; its step records the job id."""
    started = False
    for step, start in _jobs(media, bucket, settings):
        if lifecycle.step_state(media, step) in STARTED_BEFORE:
            continue
        lifecycle.record_step(table, media.media_id, step, StepState.SUBMITTED, start())
        started = True
    return AnalysisOutcome.STARTED if started else AnalysisOutcome.DUPLICATE


@stops_when_deleted
def on_video_labels_done(message: dict[str, Any], settings: Settings) -> AnalysisOutcome:
    """Rekognition's SNS completion of a label, text or segment job: page through every result."""
    table = Table(settings.table_name)
    media = lifecycle.load_active(table, str(message.get("JobTag", "")))
    step = _STEPS.get(str(message.get("API", "StartLabelDetection")))
    if media is None or step is None:
        return AnalysisOutcome.IGNORED
    if lifecycle.step_state(media, step) in {StepState.COMPLETE, StepState.FAILED}:
        return AnalysisOutcome.DUPLICATE
    if message.get("Status") != "SUCCEEDED":
        reason = f"{message.get('API', 'video analysis')} ended {message.get('Status', 'unknown')}"
        lifecycle.record_step(table, media.media_id, step, StepState.FAILED, reason)
        return AnalysisOutcome.FAILED
    if step == VIDEO_TEXT_STEP:
        return _video_text(table, media, message["JobId"], settings)
    if step == VIDEO_SEGMENTS_STEP:
        return _video_segments(table, media, message["JobId"])
    return _video_labels(table, media, message["JobId"], settings)


def _video_labels(table: Table, media: Media, job_id: str, settings: Settings) -> AnalysisOutcome:
    timeline: dict[str, dict[str, Any]] = {}
    pages = 0
    for page in rekognition.label_pages(job_id):
        pages += 1
        for item in page:
            label = item["Label"]
            entry = timeline.setdefault(
                label["Name"],
                {
                    "name": label["Name"],
                    "first_ms": item["Timestamp"],
                    "last_ms": item["Timestamp"],
                    "confidence": 0.0,
                    "count": 0,
                },
            )
            entry["last_ms"] = max(entry["last_ms"], item["Timestamp"])
            entry["first_ms"] = min(entry["first_ms"], item["Timestamp"])
            entry["confidence"] = max(entry["confidence"], round(float(label["Confidence"]), 2))
            entry["count"] += 1
    labels = sorted(timeline.values(), key=lambda e: (-e["count"], e["name"]))[:200]
    store_results(table, media, {"video_labels": {"labels": labels, "pages": pages}})
    tags.apply(
        table,
        media.media_id,
        [Tag(e["name"], TagSource.LABEL, e["confidence"]) for e in labels],
        threshold=settings.tag_threshold,
    )
    lifecycle.record_step(
        table, media.media_id, VIDEO_STEP, StepState.COMPLETE, f"{len(labels)} labels"
    )
    return AnalysisOutcome.ANALYSED


def _video_text(table: Table, media: Media, job_id: str, settings: Settings) -> AnalysisOutcome:
    lines: dict[str, dict[str, Any]] = {}
    for page in rekognition.text_pages(job_id):
        for item in page:
            found = item["TextDetection"]
            if found.get("Type") != "LINE":
                continue
            entry = lines.setdefault(
                found["DetectedText"],
                {"text": found["DetectedText"], "first_ms": item["Timestamp"], "confidence": 0.0},
            )
            entry["confidence"] = max(entry["confidence"], round(float(found["Confidence"]), 2))
    text = sorted(lines.values(), key=lambda e: e["first_ms"])[:200]
    store_results(table, media, {"video_text": text})
    tags.apply(
        table,
        media.media_id,
        [Tag(e["text"], TagSource.TEXT, e["confidence"]) for e in text],
        threshold=settings.tag_threshold,
    )
    lifecycle.record_step(
        table, media.media_id, VIDEO_TEXT_STEP, StepState.COMPLETE, f"{len(text)} lines"
    )
    return AnalysisOutcome.ANALYSED


def _video_segments(table: Table, media: Media, job_id: str) -> AnalysisOutcome:
    segments = [
        {
            "type": segment["Type"],
            "start_ms": segment["StartTimestampMillis"],
            "end_ms": segment["EndTimestampMillis"],
            "cue": (segment.get("TechnicalCueSegment") or {}).get("Type"),
        }
        for page in rekognition.segment_pages(job_id)
        for segment in page
    ]
    shots = sum(1 for s in segments if s["type"] == "SHOT")
    store_results(table, media, {"video_segments": {"segments": segments[:500], "shots": shots}})
    lifecycle.record_step(
        table, media.media_id, VIDEO_SEGMENTS_STEP, StepState.COMPLETE, f"{shots} shots"
    )
    return AnalysisOutcome.ANALYSED
