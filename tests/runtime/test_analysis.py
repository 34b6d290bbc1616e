"""Analysis against moto (table, buckets) with Rekognition, Transcribe and Comprehend answered by
botocore Stubber, so every request is validated against the real service model."""

from __future__ import annotations

import dataclasses
import io
import json
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import botocore.session
import pytest
from botocore.stub import ANY, Stubber
from PIL import Image

from snapstream_runtime import (
    analysis,
    contract,
    image_analysis,
    lifecycle,
    speech,
    tags,
    video_analysis,
)
from snapstream_runtime.adapters.table import Table
from snapstream_runtime.analysis_steps import AnalysisOutcome
from snapstream_runtime.deletion_requests import Gone
from snapstream_runtime.ingest import ObjectCreated, ingest
from snapstream_runtime.lifecycle import Status
from snapstream_runtime.settings import Settings
from tests.runtime.paging_support import CURSORS
from tests.runtime.samples import SAMPLES
from tests.runtime.uploads_helpers import OWNER, put_object, ticket_for

SERVICES = ("rekognition", "transcribe", "comprehend")


@pytest.fixture
def analysis_settings(
    settings: Settings, local_aws: Any, pipeline_environment: Callable[[str], dict[str, str]]
) -> Settings:
    synthesized = pipeline_environment("AnalysisFunction")
    return dataclasses.replace(
        settings,
        media_bucket=local_aws.names[local_aws.find("MediaBucket")],
        tag_threshold=80.0,
        moderation_threshold=80.0,
        video_analysis_topic_arn=synthesized[contract.ENV_VIDEO_ANALYSIS_TOPIC],
        video_analysis_role_arn=synthesized[contract.ENV_VIDEO_ANALYSIS_ROLE],
        uploads_kms_key_arn=synthesized[contract.ENV_UPLOADS_KEY],
    )


@pytest.fixture
def stubbed(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Stubber]]:
    session = botocore.session.get_session()
    stubs = {
        name: Stubber(session.create_client(name, region_name="us-east-1")) for name in SERVICES
    }
    from snapstream_runtime.adapters import clients, comprehend, rekognition, transcribe

    real = clients.client

    def client(service: str) -> Any:
        return stubs[service].client if service in stubs else real(service)

    for module in (rekognition, transcribe, comprehend):
        monkeypatch.setattr(module, "client", client)
    for stub in stubs.values():
        stub.activate()
    yield stubs
    for stub in stubs.values():
        stub.assert_no_pending_responses()


def _jpeg(width: int = 800, height: int = 600) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, format="JPEG")
    return out.getvalue()


def _uploaded(settings: Settings, name: str, content_type: str, body: bytes) -> lifecycle.Media:
    ticket = ticket_for(settings, name, content_type, len(body))
    version = put_object(settings, ticket.key, body)
    ingest(ObjectCreated(settings.uploads_bucket, ticket.key, version), settings)
    media = lifecycle.load(Table(settings.table_name), ticket.media_id)
    assert media is not None and media.status is Status.UPLOADED
    return media


def _event(media: lifecycle.Media, settings: Settings) -> dict[str, Any]:
    return {"media_id": media.media_id, "bucket": settings.uploads_bucket, "kind": media.kind}


def _expect_image_calls(
    rekognition: Stubber,
    *,
    moderation: list[dict[str, Any]] | None = None,
    image: dict[str, Any] | None = None,
) -> None:
    """Rekognition's three image analyses, reading ``image`` (by default: an object in S3)."""
    image = image or {"S3Object": ANY}
    rekognition.add_response(
        "detect_labels",
        {
            "Labels": [
                {
                    "Name": "Fire Truck",
                    "Confidence": 97.5,
                    "Parents": [{"Name": "Vehicle"}],
                    "Instances": [
                        {
                            "BoundingBox": {"Width": 0.5, "Height": 0.4, "Left": 0.1, "Top": 0.2},
                            "Confidence": 97.5,
                        }
                    ],
                },
                {"Name": "Tree", "Confidence": 55.0, "Parents": [], "Instances": []},
            ]
        },
        {"Image": image, "MaxLabels": 50, "MinConfidence": 50},
    )
    rekognition.add_response(
        "detect_text",
        {"TextDetections": [{"DetectedText": "FLOOD WARNING", "Type": "LINE", "Confidence": 92.0}]},
        {"Image": image},
    )
    rekognition.add_response(
        "detect_moderation_labels",
        {"ModerationLabels": moderation or []},
        {"Image": image, "MinConfidence": 60},
    )


def _load(settings: Settings, media_id: str) -> lifecycle.Media:
    media = lifecycle.load(Table(settings.table_name), media_id)
    assert media is not None
    return media


def _analysis_item(settings: Settings, media_id: str, kind: str) -> Any:
    item = Table(settings.table_name).get(f"MEDIA#{media_id}", f"ANALYSIS#{kind}")
    assert item is not None
    return item["body"]


def test_an_image_is_described_tagged_previewed_and_made_ready(
    analysis_settings: Settings, stubbed: dict[str, Stubber]
) -> None:
    media = _uploaded(analysis_settings, "street.jpg", "image/jpeg", _jpeg())
    _expect_image_calls(stubbed["rekognition"])
    assert (
        analysis.on_uploaded(
            _event(media, analysis_settings), analysis_settings, final_attempt=False
        )
        is AnalysisOutcome.ANALYSED
    )
    stored = _load(analysis_settings, media.media_id)
    assert stored.status is Status.READY
    assert stored.item["image"]["width"] == 800 and stored.item["image"]["format"] == "JPEG"
    assert stored.item["moderation"] == {"flagged": False, "labels": []}
    assert set(stored.item["tags"]) == {
        "fire truck",
        "vehicle",
        "flood warning",
    }  # Tree is below 80
    labels = _analysis_item(analysis_settings, media.media_id, "labels")
    assert labels[0]["boxes"][0]["Width"] == 0.5
    thumbnail = boto3.client("s3").get_object(
        Bucket=analysis_settings.media_bucket, Key=stored.item["thumbnail"]
    )
    assert Image.open(io.BytesIO(thumbnail["Body"].read())).size == (640, 480)
    assert [
        i["media_id"]
        for i in tags.search(
            analysis_settings.table_name, OWNER, "fire truck", cursors=CURSORS
        ).items
    ] == [media.media_id]
    # Delivered again: nothing is called twice, nothing counted twice.
    assert (
        analysis.on_uploaded(
            _event(media, analysis_settings), analysis_settings, final_attempt=False
        )
        is AnalysisOutcome.DUPLICATE
    )


def test_moderation_flags_the_media(
    analysis_settings: Settings, stubbed: dict[str, Stubber]
) -> None:
    media = _uploaded(analysis_settings, "a.jpg", "image/jpeg", _jpeg())
    _expect_image_calls(
        stubbed["rekognition"],
        moderation=[{"Name": "Violence", "ParentName": "", "Confidence": 91.0}],
    )
    analysis.on_uploaded(_event(media, analysis_settings), analysis_settings, final_attempt=False)
    assert _load(analysis_settings, media.media_id).item["moderation"] == {
        "flagged": True,
        "labels": ["Violence"],
    }


def test_the_same_bytes_twice_are_reported_as_a_duplicate(
    analysis_settings: Settings, stubbed: dict[str, Stubber]
) -> None:
    body = _jpeg()
    first = _uploaded(analysis_settings, "a.jpg", "image/jpeg", body)
    second = _uploaded(analysis_settings, "b.jpg", "image/jpeg", body)
    for media in (first, second):
        _expect_image_calls(stubbed["rekognition"])
        analysis.on_uploaded(
            _event(media, analysis_settings), analysis_settings, final_attempt=False
        )
    assert "duplicate_of" not in _load(analysis_settings, first.media_id).item
    assert _load(analysis_settings, second.media_id).item["duplicate_of"] == first.media_id


def test_a_corrupt_image_is_described_as_such_and_stays_usable(
    analysis_settings: Settings, stubbed: dict[str, Stubber]
) -> None:
    corrupt = SAMPLES["png"][0][:40] + b"\x00garbage" * 10
    media = _uploaded(analysis_settings, "broken.png", "image/png", corrupt)
    stubbed["rekognition"].add_client_error(
        "detect_labels", "InvalidImageFormatException", http_status_code=400
    )
    analysis.on_uploaded(_event(media, analysis_settings), analysis_settings, final_attempt=False)
    stored = _load(analysis_settings, media.media_id)
    assert stored.status is Status.READY
    detail = stored.item["steps"]["analysis_image"]["detail"]
    assert "could not be decoded" in detail and "InvalidImageFormatException" in detail


def test_inspecting_zero_bytes_reports_an_empty_image() -> None:
    assert image_analysis.inspect(b"").error == "the image file is empty"


def test_limit_exceeded_is_retried_then_recorded_on_the_last_attempt(
    analysis_settings: Settings, stubbed: dict[str, Stubber]
) -> None:
    media = _uploaded(analysis_settings, "talk.mp3", "audio/mpeg", SAMPLES["mp3-id3"][0])
    transcribe = stubbed["transcribe"]
    transcribe.add_client_error(
        "start_transcription_job", "LimitExceededException", http_status_code=400
    )
    with pytest.raises(Exception, match="LimitExceeded"):
        analysis.on_uploaded(
            _event(media, analysis_settings), analysis_settings, final_attempt=False
        )
    assert _load(analysis_settings, media.media_id).status is Status.UPLOADED
    transcribe.add_client_error(
        "start_transcription_job", "LimitExceededException", http_status_code=400
    )
    assert (
        analysis.on_uploaded(
            _event(media, analysis_settings), analysis_settings, final_attempt=True
        )
        is AnalysisOutcome.FAILED
    )
    stored = _load(analysis_settings, media.media_id)
    assert stored.status is Status.READY  # the audio stays usable
    assert stored.item["steps"]["analysis_speech"]["state"] == "failed"
    assert "LimitExceededException" in stored.item["steps"]["analysis_speech"]["detail"]


def _start_audio(settings: Settings, stubbed: dict[str, Stubber]) -> lifecycle.Media:
    media = _uploaded(settings, "talk.mp3", "audio/mpeg", SAMPLES["mp3-id3"][0])
    stubbed["transcribe"].add_response(
        "start_transcription_job",
        {"TranscriptionJob": {"TranscriptionJobName": speech.job_name("dev", media.media_id)}},
        {
            "TranscriptionJobName": f"snapstream-dev-{media.media_id}",
            "Media": {"MediaFileUri": f"s3://{settings.uploads_bucket}/{media.upload_key}"},
            "IdentifyLanguage": True,
            "OutputBucketName": settings.media_bucket,
            "OutputKey": f"media/{OWNER}/{media.media_id}/transcript.json",
            "Tags": [{"Key": "media_id", "Value": media.media_id}],
            "OutputEncryptionKMSKeyId": settings.uploads_kms_key_arn,
        },
    )
    assert (
        analysis.on_uploaded(_event(media, settings), settings, final_attempt=False)
        is AnalysisOutcome.STARTED
    )
    assert _load(settings, media.media_id).status is Status.PROCESSING
    return media


def _finish_transcription(
    settings: Settings,
    stubbed: dict[str, Stubber],
    media: lifecycle.Media,
    text: str,
    language: str = "en-US",
) -> AnalysisOutcome | Gone:
    document = {"results": {"transcripts": [{"transcript": text}]}}
    boto3.client("s3").put_object(
        Bucket=settings.media_bucket,
        Key=f"media/{OWNER}/{media.media_id}/transcript.json",
        Body=json.dumps(document).encode(),
    )
    stubbed["transcribe"].add_response(
        "get_transcription_job",
        {
            "TranscriptionJob": {
                "TranscriptionJobName": f"snapstream-dev-{media.media_id}",
                "LanguageCode": language,
            }
        },
        {"TranscriptionJobName": f"snapstream-dev-{media.media_id}"},
    )
    detail = {
        "TranscriptionJobName": f"snapstream-dev-{media.media_id}",
        "TranscriptionJobStatus": "COMPLETED",
    }
    return analysis.on_transcription_state(detail, settings)


def _expect_dominant_language(comprehend: Stubber, language: str = "en") -> None:
    comprehend.add_response(
        "detect_dominant_language",
        {"Languages": [{"LanguageCode": language, "Score": 0.99}]},
        {"Text": ANY},
    )


def _expect_comprehend(comprehend: Stubber, chunks: int) -> None:
    _expect_dominant_language(comprehend)
    for index in range(chunks):
        comprehend.add_response(
            "detect_sentiment",
            {
                "Sentiment": "NEGATIVE",
                "SentimentScore": {"Positive": 0.1, "Negative": 0.8, "Neutral": 0.1, "Mixed": 0.0},
            },
            {"Text": ANY, "LanguageCode": "en"},
        )
        comprehend.add_response(
            "detect_entities",
            {
                "Entities": [
                    {
                        "Text": "Mayor Smith",
                        "Type": "PERSON",
                        "Score": 0.99,
                        "BeginOffset": 0,
                        "EndOffset": 11,
                    }
                ]
            },
            {"Text": ANY, "LanguageCode": "en"},
        )
        comprehend.add_response(
            "detect_key_phrases",
            {
                "KeyPhrases": [
                    {"Text": f"the flood {index}", "Score": 0.95, "BeginOffset": 0, "EndOffset": 9}
                ]
            },
            {"Text": ANY, "LanguageCode": "en"},
        )


def test_a_transcript_is_stored_analysed_and_tagged(
    analysis_settings: Settings, stubbed: dict[str, Stubber]
) -> None:
    media = _start_audio(analysis_settings, stubbed)
    _expect_comprehend(stubbed["comprehend"], 1)
    assert (
        _finish_transcription(
            analysis_settings, stubbed, media, "Mayor Smith spoke about the flood."
        )
        is AnalysisOutcome.ANALYSED
    )
    stored = _load(analysis_settings, media.media_id)
    assert stored.status is Status.READY
    body = _analysis_item(analysis_settings, media.media_id, "speech")
    assert body["sentiment"] == "NEGATIVE" and body["language"] == "en"
    assert body["transcript_key"].endswith("/transcript.json")
    assert {"mayor smith", "the flood 0"} <= set(stored.item["tags"])
    detail = {
        "TranscriptionJobName": f"snapstream-dev-{media.media_id}",
        "TranscriptionJobStatus": "COMPLETED",
    }
    assert analysis.on_transcription_state(detail, analysis_settings) is AnalysisOutcome.DUPLICATE


def test_a_transcript_over_the_comprehend_limit_is_chunked_and_merged(
    analysis_settings: Settings, stubbed: dict[str, Stubber]
) -> None:
    media = _start_audio(analysis_settings, stubbed)
    text = "The river rose over the bridge near the station tonight. " * 200  # ~11,600 bytes
    pieces = speech.chunks(text)
    assert len(pieces) == 3 and all(len(p.encode()) <= speech.COMPREHEND_MAX_BYTES for p in pieces)
    _expect_comprehend(stubbed["comprehend"], len(pieces))
    _finish_transcription(analysis_settings, stubbed, media, text)
    body = _analysis_item(analysis_settings, media.media_id, "speech")
    assert body["chunks"] == 3
    assert body["entities"] == [
        {"text": "Mayor Smith", "type": "PERSON", "score": 0.99, "count": 3}
    ]


def test_silence_and_unsupported_languages_are_recorded_not_errors(
    analysis_settings: Settings, stubbed: dict[str, Stubber]
) -> None:
    quiet = _start_audio(analysis_settings, stubbed)
    assert _finish_transcription(analysis_settings, stubbed, quiet, "") is AnalysisOutcome.ANALYSED
    assert (
        _load(analysis_settings, quiet.media_id).item["steps"]["analysis_speech"]["detail"]
        == "no speech in the recording"
    )
    welsh = _start_audio(analysis_settings, stubbed)
    _expect_dominant_language(stubbed["comprehend"], "cy")
    _finish_transcription(
        analysis_settings, stubbed, welsh, "Bore da, sut wyt ti?", language="cy-GB"
    )
    step = _load(analysis_settings, welsh.media_id).item["steps"]["analysis_speech"]
    assert step["state"] == "complete" and "does not analyse language 'cy'" in step["detail"]


def test_a_failed_transcription_fails_only_that_analysis(
    analysis_settings: Settings, stubbed: dict[str, Stubber]
) -> None:
    media = _start_audio(analysis_settings, stubbed)
    stubbed["transcribe"].add_response(
        "get_transcription_job",
        {
            "TranscriptionJob": {
                "TranscriptionJobName": f"snapstream-dev-{media.media_id}",
                "FailureReason": "The media format is not supported.",
            }
        },
        {"TranscriptionJobName": f"snapstream-dev-{media.media_id}"},
    )
    detail = {
        "TranscriptionJobName": f"snapstream-dev-{media.media_id}",
        "TranscriptionJobStatus": "FAILED",
    }
    assert analysis.on_transcription_state(detail, analysis_settings) is AnalysisOutcome.FAILED
    stored = _load(analysis_settings, media.media_id)
    assert stored.status is Status.READY
    assert (
        stored.item["steps"]["analysis_speech"]["detail"]
        == "transcription failed: The media format is not supported."
    )


def test_a_video_gets_speech_and_label_jobs_and_a_paginated_timeline(
    analysis_settings: Settings, stubbed: dict[str, Stubber]
) -> None:
    media = _uploaded(analysis_settings, "clip.mp4", "video/mp4", SAMPLES["mp4"][0])
    stubbed["transcribe"].add_response(
        "start_transcription_job",
        {"TranscriptionJob": {}},
        {
            "TranscriptionJobName": ANY,
            "Media": ANY,
            "IdentifyLanguage": True,
            "OutputBucketName": ANY,
            "OutputKey": ANY,
            "Tags": ANY,
            "OutputEncryptionKMSKeyId": ANY,
        },
    )
    stubbed["rekognition"].add_response(
        "start_label_detection",
        {"JobId": "job-1"},
        {
            "Video": {"S3Object": ANY},
            "ClientRequestToken": media.media_id,
            "JobTag": media.media_id,
            "MinConfidence": 50,
            "NotificationChannel": {
                "SNSTopicArn": analysis_settings.video_analysis_topic_arn,
                "RoleArn": analysis_settings.video_analysis_role_arn,
            },
        },
    )
    assert (
        analysis.on_uploaded(
            _event(media, analysis_settings), analysis_settings, final_attempt=False
        )
        is AnalysisOutcome.STARTED
    )
    assert (
        _load(analysis_settings, media.media_id).status is Status.UPLOADED
    )  # the video pipeline owns its status
    rekognition = stubbed["rekognition"]
    rekognition.add_response(
        "get_label_detection",
        {
            "Labels": [
                {"Timestamp": 0, "Label": {"Name": "Boat", "Confidence": 90.0}},
                {"Timestamp": 1000, "Label": {"Name": "Boat", "Confidence": 95.0}},
            ],
            "NextToken": "page-2",
        },
        {"JobId": "job-1", "SortBy": "TIMESTAMP", "MaxResults": 1000},
    )
    rekognition.add_response(
        "get_label_detection",
        {"Labels": [{"Timestamp": 9000, "Label": {"Name": "Water", "Confidence": 85.0}}]},
        {"JobId": "job-1", "SortBy": "TIMESTAMP", "MaxResults": 1000, "NextToken": "page-2"},
    )
    message = {
        "JobId": "job-1",
        "Status": "SUCCEEDED",
        "API": "StartLabelDetection",
        "JobTag": media.media_id,
    }
    done = video_analysis.on_video_labels_done
    assert done(message, analysis_settings) is AnalysisOutcome.ANALYSED
    timeline = _analysis_item(analysis_settings, media.media_id, "video_labels")
    assert timeline["pages"] == 2
    assert timeline["labels"][0] == {
        "name": "Boat",
        "first_ms": 0,
        "last_ms": 1000,
        "confidence": 95.0,
        "count": 2,
    }
    assert {"boat", "water"} <= set(_load(analysis_settings, media.media_id).item["tags"])
    assert done(message, analysis_settings) is AnalysisOutcome.DUPLICATE


def test_the_queue_handler_retries_then_gives_up_on_the_last_receive(
    analysis_settings: Settings,
    stubbed: dict[str, Stubber],
    ingest_environment: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from snapstream_runtime.handlers import analysis as handler_module

    monkeypatch.setattr(handler_module, "current_settings", lambda: analysis_settings)
    media = _uploaded(analysis_settings, "talk.mp3", "audio/mpeg", SAMPLES["mp3-id3"][0])
    body = json.dumps({"detail-type": "MediaUploaded", "detail": _event(media, analysis_settings)})

    def delivery(receive_count: int) -> dict[str, Any]:
        return {
            "Records": [
                {
                    "messageId": "m-1",
                    "receiptHandle": "h",
                    "body": body,
                    "attributes": {"ApproximateReceiveCount": str(receive_count)},
                    "messageAttributes": {},
                    "md5OfBody": "",
                    "eventSource": "aws:sqs",
                    "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:analysis",
                    "awsRegion": "us-east-1",
                }
            ]
        }

    class Context:
        function_name = "analysis"
        memory_limit_in_mb = 1024
        invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:analysis"
        aws_request_id = "r"

    for _ in range(2):
        stubbed["transcribe"].add_client_error(
            "start_transcription_job", "ThrottlingException", http_status_code=400
        )
    assert handler_module.handler(delivery(1), Context()) == {
        "batchItemFailures": [{"itemIdentifier": "m-1"}]
    }
    assert handler_module.handler(delivery(5), Context()) == {"batchItemFailures": []}
    assert (
        _load(analysis_settings, media.media_id).item["steps"]["analysis_speech"]["state"]
        == "failed"
    )


def test_video_text_and_segments_where_switched_on(
    analysis_settings: Settings, stubbed: dict[str, Stubber]
) -> None:
    settings = dataclasses.replace(analysis_settings, video_text_and_segments=True)
    media = _uploaded(settings, "news.mp4", "video/mp4", SAMPLES["mp4"][0])
    stubbed["transcribe"].add_response(
        "start_transcription_job",
        {"TranscriptionJob": {}},
        {
            "TranscriptionJobName": ANY,
            "Media": ANY,
            "IdentifyLanguage": True,
            "OutputBucketName": ANY,
            "OutputKey": ANY,
            "Tags": ANY,
            "OutputEncryptionKMSKeyId": ANY,
        },
    )
    rekognition = stubbed["rekognition"]
    channel = {
        "SNSTopicArn": settings.video_analysis_topic_arn,
        "RoleArn": settings.video_analysis_role_arn,
    }
    common = {"Video": {"S3Object": ANY}, "JobTag": media.media_id, "NotificationChannel": channel}
    rekognition.add_response(
        "start_label_detection",
        {"JobId": "labels"},
        {**common, "ClientRequestToken": media.media_id, "MinConfidence": 50},
    )
    rekognition.add_response(
        "start_text_detection",
        {"JobId": "text"},
        {**common, "ClientRequestToken": f"{media.media_id}-text"},
    )
    rekognition.add_response(
        "start_segment_detection",
        {"JobId": "segments"},
        {
            **common,
            "ClientRequestToken": f"{media.media_id}-segments",
            "SegmentTypes": ["TECHNICAL_CUE", "SHOT"],
        },
    )
    assert (
        analysis.on_uploaded(_event(media, settings), settings, final_attempt=False)
        is AnalysisOutcome.STARTED
    )
    rekognition.add_response(
        "get_text_detection",
        {
            "TextDetections": [
                {
                    "Timestamp": 2000,
                    "TextDetection": {
                        "DetectedText": "BREAKING NEWS",
                        "Type": "LINE",
                        "Confidence": 98.0,
                    },
                }
            ],
            "NextToken": "n",
        },
        {"JobId": "text", "MaxResults": 1000},
    )
    rekognition.add_response(
        "get_text_detection",
        {"TextDetections": []},
        {"JobId": "text", "MaxResults": 1000, "NextToken": "n"},
    )
    rekognition.add_response(
        "get_segment_detection",
        {
            "Segments": [
                {"Type": "SHOT", "StartTimestampMillis": 0, "EndTimestampMillis": 4000},
                {
                    "Type": "TECHNICAL_CUE",
                    "StartTimestampMillis": 4000,
                    "EndTimestampMillis": 5000,
                    "TechnicalCueSegment": {"Type": "BlackFrames"},
                },
            ]
        },
        {"JobId": "segments", "MaxResults": 1000},
    )
    text = {
        "JobId": "text",
        "Status": "SUCCEEDED",
        "API": "StartTextDetection",
        "JobTag": media.media_id,
    }
    segments = {
        "JobId": "segments",
        "Status": "SUCCEEDED",
        "API": "StartSegmentDetection",
        "JobTag": media.media_id,
    }
    assert video_analysis.on_video_labels_done(text, settings) is AnalysisOutcome.ANALYSED
    assert video_analysis.on_video_labels_done(segments, settings) is AnalysisOutcome.ANALYSED
    assert _analysis_item(settings, media.media_id, "video_text") == [
        {"text": "BREAKING NEWS", "first_ms": 2000, "confidence": 98.0}
    ]
    assert _analysis_item(settings, media.media_id, "video_segments")["shots"] == 1
    assert "breaking news" in _load(settings, media.media_id).item["tags"]
    assert video_analysis.on_video_labels_done(text, settings) is AnalysisOutcome.DUPLICATE


def test_a_retry_after_a_failed_notification_finishes_the_image(
    analysis_settings: Settings,
    stubbed: dict[str, Stubber],
    observed: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from snapstream_runtime import announcements

    media = _uploaded(analysis_settings, "street.jpg", "image/jpeg", _jpeg())
    observed.notifications()
    _expect_image_calls(stubbed["rekognition"])
    from snapstream_runtime.notifications import notify_owner as real_notify

    def down(*_: Any) -> None:
        raise RuntimeError("SNS unavailable")

    monkeypatch.setattr(announcements, "notify_owner", down)
    with pytest.raises(RuntimeError):
        analysis.on_uploaded(
            _event(media, analysis_settings), analysis_settings, final_attempt=False
        )
    monkeypatch.setattr(announcements, "notify_owner", real_notify)
    assert (
        analysis.on_uploaded(
            _event(media, analysis_settings), analysis_settings, final_attempt=False
        )
        is AnalysisOutcome.DUPLICATE
    )
    stored = _load(analysis_settings, media.media_id)
    assert stored.status is Status.READY and not stored.announce_pending
    assert [n["MessageAttributes"]["event"]["StringValue"] for n in observed.notifications()] == [
        "media.ready"
    ]
