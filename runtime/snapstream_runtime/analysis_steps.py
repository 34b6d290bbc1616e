"""The analysis steps a media record tracks (``steps.<name>``), and what handling one analysis
event came to (each analysis function's outcome, logged and counted)."""

from __future__ import annotations

from enum import StrEnum

from snapstream_runtime.lifecycle import StepState

IMAGE_STEP = "analysis_image"
SPEECH_STEP = "analysis_speech"
VIDEO_STEP = "analysis_video"
VIDEO_TEXT_STEP = "analysis_video_text"
VIDEO_SEGMENTS_STEP = "analysis_video_segments"
#: Steps a redelivered (or replayed) upload leaves alone. A failed analysis is not restarted by a
#: replay: its job name and token already exist, so the new job would never report back.
STARTED_BEFORE = frozenset(
    {
        StepState.SUBMITTED,
        StepState.PROGRESSING,
        StepState.COMPLETE,
        StepState.SKIPPED,
        StepState.FAILED,
    }
)


class AnalysisOutcome(StrEnum):
    ANALYSED = "analysed"
    STARTED = "started"
    DUPLICATE = "duplicate"
    FAILED = "failed"
    IGNORED = "ignored"
