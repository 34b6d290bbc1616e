"""AWS calls per processed upload, counted at botocore against moto (MediaConvert and MediaPackage
VOD answered by botocore Stubber, which moto lacks)."""

from __future__ import annotations

import dataclasses
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import boto3
from botocore.stub import ANY, Stubber
from moto import mock_aws

from tools.assembly import stacks
from tools.aws_calls import recorded_calls
from tools.local.aws import function_environment, provision
from tools.synthesis import synthesize_all

OWNER = "b" * 32
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
MP4 = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isommp41" + b"\x00" * 100


def _templates() -> tuple[dict[str, Any], dict[str, Any]]:
    outdir = synthesize_all(Path(tempfile.mkdtemp(prefix="bench-cdk-")))
    by_name = {s.stack_name: s.template for s in stacks(outdir)}
    return by_name["SnapStream-dev-Data"], by_name["SnapStream-dev-Pipeline"]


@contextmanager
def _platform(data: dict[str, Any], pipeline: dict[str, Any], others: int) -> Iterator[Any]:
    from snapstream_runtime.adapters import clients
    from snapstream_runtime.contract import ENV_UPLOADS_BUCKET
    from snapstream_runtime.settings import Settings
    from snapstream_runtime.uploads import create_upload

    for name, value in {
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        os.environ.setdefault(name, value)
    with mock_aws():
        clients.reset()
        resources = provision(data)
        environment = function_environment(pipeline, "IngestFunction", resources)
        uploads = resources.names[resources.find("UploadsBucket")]
        settings = Settings.from_environment({**environment, ENV_UPLOADS_BUCKET: uploads})
        settings = dataclasses.replace(
            settings,
            media_bucket=resources.names[resources.find("MediaBucket")],
            transcode_queue_arn="arn:aws:mediaconvert:us-east-1:123456789012:queues/q",
            transcode_role_arn="arn:aws:iam::123456789012:role/mc",
            transcode_job_template="t",
            packaging_group_id="g",
            packaging_role_arn="arn:aws:iam::123456789012:role/mp",
            packaging_configurations={"hls": "c-hls"},
        )
        for _ in range(others):
            create_upload(
                settings, user_id=OWNER, file_name="x.png", content_type="image/png", size=9
            )
        yield settings


def _ingest(settings: Any, name: str, content_type: str, body: bytes) -> tuple[str, list[str]]:
    from snapstream_runtime import keys
    from snapstream_runtime.adapters import clients
    from snapstream_runtime.ingest import ObjectCreated, ingest
    from snapstream_runtime.uploads import create_upload

    ticket = create_upload(
        settings, user_id=OWNER, file_name=name, content_type=content_type, size=len(body)
    )
    version = boto3.client("s3").put_object(  # as the browser's POST stores it
        Bucket=settings.uploads_bucket,
        Key=ticket.key,
        Body=body,
        ContentType=ticket.content_type,
        Metadata=keys.upload_metadata(OWNER, ticket.media_id),
    )
    clients.reset()
    with recorded_calls() as calls:
        ingest(
            ObjectCreated(settings.uploads_bucket, ticket.key, version.get("VersionId")), settings
        )
    return ticket.media_id, list(calls)


def _video(settings: Any, media_id: str) -> dict[str, list[str]]:
    from snapstream_runtime.adapters import clients, video_services
    from snapstream_runtime.video import on_transcode_state, package, submit_transcode

    steps: dict[str, list[str]] = {}
    prefix = f"media/{OWNER}/{media_id}/index"
    clients.reset()
    with recorded_calls() as calls:
        mediaconvert = Stubber(boto3.client("mediaconvert"))
        packager = Stubber(boto3.client("mediapackage-vod"))
        mediaconvert.add_response(
            "create_job", {"Job": {"Id": "j", "Role": "r", "Settings": {}}}, None
        )
        packager.add_response(
            "create_asset",
            {
                "Id": media_id,
                "EgressEndpoints": [
                    {"PackagingConfigurationId": "c-hls", "Url": "https://e/out/v1/a/c/index.m3u8"}
                ],
            },
            {
                "Id": ANY,
                "PackagingGroupId": ANY,
                "SourceArn": ANY,
                "SourceRoleArn": ANY,
                "ResourceId": ANY,
            },
        )
        stubbed = {"mediaconvert": mediaconvert.client, "mediapackage-vod": packager.client}
        real = getattr(video_services, "client")  # noqa: B009 (swapped for the stubs below)
        setattr(video_services, "client", lambda service: stubbed.get(service) or real(service))  # noqa: B010
        mediaconvert.activate()
        packager.activate()
        try:
            start = len(calls)
            submit_transcode({"media_id": media_id, "bucket": settings.uploads_bucket}, settings)
            steps["submit"] = calls[start:]
            state = {
                "queue": settings.transcode_queue_arn,
                "userMetadata": {"media_id": media_id, "environment": settings.environment},
            }
            start = len(calls)
            on_transcode_state(
                {**state, "status": "STATUS_UPDATE", "jobProgress": {"jobPercentComplete": 50}},
                settings,
            )
            steps["progress event"] = calls[start:]
            complete = {
                **state,
                "status": "COMPLETE",
                "outputGroupDetails": [
                    {"playlistFilePaths": [f"s3://{settings.media_bucket}/{prefix}.m3u8"]}
                ],
            }
            start = len(calls)
            on_transcode_state(complete, settings)
            steps["transcode complete"] = calls[start:]
            boto3.client("s3").put_object(
                Bucket=settings.media_bucket, Key=f"{prefix}.m3u8", Body=b"#EXTM3U"
            )
            start = len(calls)
            package({"media_id": media_id}, settings)
            steps["package"] = calls[start:]
        finally:
            setattr(video_services, "client", real)  # noqa: B010
    return steps


def _jpeg() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (800, 600), (10, 120, 200)).save(out, format="JPEG")
    return out.getvalue()


@contextmanager
def _stubbed_analysis_services() -> Iterator[dict[str, Stubber]]:
    """Rekognition, Transcribe and Comprehend behind Stubbers, counted like every other client."""
    from snapstream_runtime.adapters import clients, comprehend, rekognition, transcribe

    stubs = {
        name: Stubber(boto3.client(name)) for name in ("rekognition", "transcribe", "comprehend")
    }
    real = clients.client
    modules = (rekognition, transcribe, comprehend)
    saved = [getattr(m, "client") for m in modules]  # noqa: B009

    def stubbed(service: str) -> Any:
        return stubs[service].client if service in stubs else real(service)

    for module in modules:
        setattr(module, "client", stubbed)  # noqa: B010 (the modules import it by name)
    for stub in stubs.values():
        stub.activate()
    try:
        yield stubs
    finally:
        for module, original in zip(modules, saved, strict=True):
            setattr(module, "client", original)  # noqa: B010


def _analysis(settings: Any, image_id: str, audio_id: str) -> dict[str, list[str]]:
    from snapstream_runtime import analysis
    from snapstream_runtime.adapters import clients

    steps: dict[str, list[str]] = {}
    settings = dataclasses.replace(
        settings, video_analysis_topic_arn="arn:aws:sns:us-east-1:123456789012:t"
    )
    clients.reset()
    with recorded_calls() as calls, _stubbed_analysis_services() as stubs:
        rekognition, transcribe, comprehend = (
            stubs["rekognition"],
            stubs["transcribe"],
            stubs["comprehend"],
        )
        rekognition.add_response(
            "detect_labels", {"Labels": [{"Name": "Boat", "Confidence": 99.0}]}
        )
        rekognition.add_response("detect_text", {"TextDetections": []})
        rekognition.add_response("detect_moderation_labels", {"ModerationLabels": []})
        start = len(calls)
        analysis.on_uploaded(
            {"media_id": image_id, "bucket": settings.uploads_bucket}, settings, final_attempt=False
        )
        steps["analysis: image"] = calls[start:]
        transcribe.add_response("start_transcription_job", {"TranscriptionJob": {}})
        start = len(calls)
        analysis.on_uploaded(
            {"media_id": audio_id, "bucket": settings.uploads_bucket}, settings, final_attempt=False
        )
        steps["analysis: start audio transcription"] = calls[start:]
        key = f"media/{OWNER}/{audio_id}/transcript.json"
        text = "The council met about the flood. " * 30
        boto3.client("s3").put_object(
            Bucket=settings.media_bucket,
            Key=key,
            Body=json.dumps({"results": {"transcripts": [{"transcript": text}]}}).encode(),
        )
        transcribe.add_response(
            "get_transcription_job", {"TranscriptionJob": {"LanguageCode": "en-US"}}
        )
        comprehend.add_response(
            "detect_dominant_language", {"Languages": [{"LanguageCode": "en", "Score": 0.9}]}
        )
        comprehend.add_response(
            "detect_sentiment", {"Sentiment": "NEUTRAL", "SentimentScore": {"Neutral": 1.0}}
        )
        comprehend.add_response("detect_entities", {"Entities": []})
        comprehend.add_response(
            "detect_key_phrases", {"KeyPhrases": [{"Text": "the flood", "Score": 0.99}]}
        )
        start = len(calls)
        analysis.on_transcription_state(
            {
                "TranscriptionJobName": f"snapstream-dev-{audio_id}",
                "TranscriptionJobStatus": "COMPLETED",
            },
            settings,
        )
        steps["analysis: transcript (1 chunk, ~1 minute of speech)"] = calls[start:]
    return steps


def calls_per_upload() -> dict[str, tuple[list[str], list[str]]]:
    """Operations per pipeline step, with 0 and with 1,000 other media records stored."""
    data, pipeline = _templates()
    rows: dict[str, list[list[str]]] = {}
    for others in (0, 1000):
        with _platform(data, pipeline, others) as settings:
            _, accepted = _ingest(settings, "a.png", "image/png", PNG)
            rows.setdefault("ingest: accepted image", []).append(accepted)
            _, rejected = _ingest(settings, "a.mp4", "video/mp4", PNG)
            rows.setdefault("ingest: rejected (PNG declared as MP4)", []).append(rejected)
            video_id, video_ingest = _ingest(settings, "v.mp4", "video/mp4", MP4)
            rows.setdefault("ingest: accepted video", []).append(video_ingest)
            for step, calls in _video(settings, video_id).items():
                rows.setdefault(f"video: {step}", []).append(calls)
            image_id, _ = _ingest(settings, "photo.jpg", "image/jpeg", _jpeg())
            audio_id, _ = _ingest(settings, "talk.mp3", "audio/mpeg", b"ID3\x04" + b"\x00" * 100)
            for step, calls in _analysis(settings, image_id, audio_id).items():
                rows.setdefault(step, []).append(calls)
    return {name: (runs[0], runs[1]) for name, runs in rows.items()}
