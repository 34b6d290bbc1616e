"""Image analysis never decodes beyond the pixel limit, and a file it cannot decode fails the
analysis for good, with the reason: no exception, no retry loop, no media stuck in uploaded."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.stub import Stubber

from snapstream_runtime.analysis import on_uploaded
from snapstream_runtime.analysis_steps import AnalysisOutcome
from snapstream_runtime.handlers import analysis as analysis_handler
from snapstream_runtime.lifecycle import Status
from snapstream_runtime.settings import Settings
from tests.runtime.image_bombs import jpeg_bomb
from tests.runtime.test_analysis import (  # noqa: F401 (fixtures)
    _load,
    _uploaded,
    analysis_settings,
    stubbed,
)
from tests.runtime.uploads_helpers import sqs_event

LIMIT_REASON = (
    "the image is 20,000 × 20,000 pixels (400 megapixels), "  # noqa: RUF001
    "more than the 100-megapixel limit"
)


class _Context:
    function_name = "analysis"
    memory_limit_in_mb = 1024
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:analysis"
    aws_request_id = "request-1"


def _unreadable_for_rekognition(stubs: dict[str, Stubber]) -> None:
    stubs["rekognition"].add_client_error(
        "detect_labels", "InvalidImageFormatException", http_status_code=400
    )


def test_a_bomb_past_ingests_window_fails_its_analysis_for_good(
    analysis_settings: Settings,  # noqa: F811
    stubbed: dict[str, Stubber],  # noqa: F811
) -> None:
    """Its frame header lies beyond the 256 KB ingest reads: ingest accepts it, analysis reads
    the header from the whole file and never decodes it."""
    media = _uploaded(analysis_settings, "deep.jpg", "image/jpeg", jpeg_bomb(padding=300_000))
    _unreadable_for_rekognition(stubbed)
    outcome = on_uploaded(
        {"media_id": media.media_id, "bucket": analysis_settings.uploads_bucket},
        analysis_settings,
        final_attempt=False,
    )
    assert outcome is AnalysisOutcome.ANALYSED
    stored = _load(analysis_settings, media.media_id)
    assert stored.status is Status.READY  # the original stays downloadable
    step = stored.item["steps"]["analysis_image"]
    assert step["state"] == "failed"
    assert step["detail"].startswith(LIMIT_REASON)
    assert "thumbnail" not in stored.item
    assert stored.item["image"] == {"width": 20_000, "height": 20_000}

    # Delivered again (a replay, the stuck-media sweeper): nothing is analysed twice.
    again = on_uploaded(
        {"media_id": media.media_id, "bucket": analysis_settings.uploads_bucket},
        analysis_settings,
        final_attempt=False,
    )
    assert again is AnalysisOutcome.DUPLICATE


def test_the_analysis_queue_does_not_retry_an_undecodable_image(
    analysis_settings: Settings,  # noqa: F811
    stubbed: dict[str, Stubber],  # noqa: F811
    pipeline_environment: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Through the handler, on the first receive: the batch reports no failure."""
    environment = pipeline_environment("AnalysisFunction")
    assert environment["MAX_IMAGE_PIXELS"] == str(100_000_000)  # stacks/config.py, per environment
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("UPLOADS_BUCKET", analysis_settings.uploads_bucket)
    monkeypatch.setenv("MEDIA_BUCKET", analysis_settings.media_bucket)
    broken = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\xff" * 64
    media = _uploaded(analysis_settings, "broken.jpg", "image/jpeg", broken)
    _unreadable_for_rekognition(stubbed)
    body = json.dumps(
        {
            "detail-type": "MediaUploaded",
            "detail": {"media_id": media.media_id, "bucket": analysis_settings.uploads_bucket},
        }
    )
    event = sqs_event(body)
    assert analysis_handler.handler(event, _Context()) == {"batchItemFailures": []}
    stored = _load(analysis_settings, media.media_id)
    assert stored.status is Status.READY
    step = stored.item["steps"]["analysis_image"]
    assert step["state"] == "failed"
    assert "the image could not be decoded" in step["detail"]
