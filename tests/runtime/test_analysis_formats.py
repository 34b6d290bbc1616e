"""Analysis of every accepted format, with real files: images Rekognition does not read (GIF,
WebP, HEIC, HEIF, TIFF) through the bytes of their JPEG rendition, which is stored beside the
thumbnail (KMS-encrypted) and deleted with the media; speech in every audio format Transcribe
reads; and what Rekognition Video or Transcribe do not read recorded as skipped, with why."""

# ruff: noqa: F811 (fixtures imported from the other analysis and deletion tests)

from __future__ import annotations

import dataclasses
import io
from typing import Any

import boto3
import botocore.session
import pytest
from botocore.stub import ANY, Stubber
from PIL import Image

from snapstream_runtime import analysis, image_analysis, removal, speech
from snapstream_runtime.adapters import storage
from snapstream_runtime.adapters.rekognition import ImageBytes, StoredFile
from snapstream_runtime.analysis_steps import AnalysisOutcome
from snapstream_runtime.deletion_requests import request_media_deletion
from snapstream_runtime.lifecycle import Status
from snapstream_runtime.media_types import ALLOWED, Kind
from snapstream_runtime.renditions import RENDITION_MAX_BYTES
from snapstream_runtime.settings import Settings
from tests.e2e.media_files import sample_bytes
from tests.runtime.deletion_support import (  # noqa: F401 (fixtures)
    DeletionQueue,
    as_deletion_function,
    deletion_queue,
    settle,
)
from tests.runtime.test_analysis import (  # noqa: F401 (fixtures)
    _event,
    _expect_image_calls,
    _load,
    _uploaded,
    analysis_settings,
    stubbed,
)
from tests.runtime.uploads_helpers import OWNER
from tools.authority.recorder import Recording

#: (file name, declared type) of images Rekognition reads only through a JPEG rendition
THROUGH_RENDITIONS = [
    ("anim.gif", "image/gif"),
    ("web.webp", "image/webp"),
    ("iphone.heic", "image/heic"),
    ("camera.heif", "image/heif"),
    ("scan.tif", "image/tiff"),
    ("scan.tiff", "image/tiff"),
]


class _Captured:
    """Matches anything in a Stubber's expected parameters, and keeps what it matched."""

    def __init__(self) -> None:
        self.values: list[Any] = []

    def __eq__(self, other: object) -> bool:
        self.values.append(other)
        return True

    __hash__ = None  # type: ignore[assignment]


def _suffix(name: str) -> str:
    return name[name.rindex(".") :]


def _media_bucket_encryption(templates: dict[tuple[str, str], dict[str, Any]]) -> Any:
    [bucket] = [
        resource
        for logical_id, resource in templates["dev", "Data"]["Resources"].items()
        if logical_id.startswith("MediaBucket") and resource["Type"] == "AWS::S3::Bucket"
    ]
    return bucket["Properties"]["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]


@pytest.mark.parametrize(("name", "content_type"), THROUGH_RENDITIONS)
def test_an_image_rekognition_cannot_read_is_analysed_through_its_jpeg_rendition(
    analysis_settings: Settings,
    stubbed: dict[str, Stubber],
    templates: dict[tuple[str, str], dict[str, Any]],
    _proven_authority: Recording,
    name: str,
    content_type: str,
) -> None:
    settings = analysis_settings
    media = _uploaded(settings, name, content_type, sample_bytes(_suffix(name)))
    sent = _Captured()
    _expect_image_calls(stubbed["rekognition"], image={"Bytes": sent})
    assert analysis.on_uploaded(_event(media, settings), settings, final_attempt=False) is (
        AnalysisOutcome.ANALYSED
    )
    stored = _load(settings, media.media_id)
    assert stored.status is Status.READY
    assert stored.item["steps"]["analysis_image"] == {"state": "complete", "at": ANY}
    assert {"fire truck", "flood warning"} <= set(stored.item["tags"])
    folder = removal.media_prefix(OWNER, media.media_id)
    assert (stored.item["rendition"], stored.item["thumbnail"]) == (
        f"{folder}rendition.jpg",
        f"{folder}thumbnail.jpg",
    )
    s3 = boto3.client("s3")
    rendition = s3.get_object(Bucket=settings.media_bucket, Key=stored.item["rendition"])
    assert rendition["ContentType"] == "image/jpeg"
    data = rendition["Body"].read()
    # Written like the thumbnail: encrypted by the bucket's default, its KMS data key (moto
    # does not encrypt; the authority check proves the analysis role may use the key).
    [put] = [
        call.params
        for call in _proven_authority.calls
        if call.operation == "PutObject" and call.params["Key"] == stored.item["rendition"]
    ]
    assert put["Bucket"] == settings.media_bucket and "ServerSideEncryption" not in put
    default = _media_bucket_encryption(templates)["ServerSideEncryptionByDefault"]
    assert default["SSEAlgorithm"] == "aws:kms"
    assert set(sent.values) == {data}  # what Rekognition read, three times
    with Image.open(io.BytesIO(data)) as jpeg:
        assert (jpeg.format, jpeg.size) == ("JPEG", (96, 64))
    assert stored.item["image"]["width"] == 96 and stored.item["image"]["height"] == 64


def test_a_heic_keeps_its_camera_facts(
    analysis_settings: Settings, stubbed: dict[str, Stubber]
) -> None:
    from tests.e2e.media_files import image_bytes

    exif = Image.Exif()
    exif[0x010F], exif[0x0110], exif[0x0112] = "Apple", "iPhone 15", 6  # rotated 90° clockwise
    body = image_bytes("HEIF", (96, 64), exif=exif.tobytes())
    media = _uploaded(analysis_settings, "IMG_0001.HEIC", "image/heic", body)
    _expect_image_calls(stubbed["rekognition"], image={"Bytes": ANY})
    analysis.on_uploaded(_event(media, analysis_settings), analysis_settings, final_attempt=False)
    image = _load(analysis_settings, media.media_id).item["image"]
    assert (image["format"], image["camera_make"], image["camera_model"]) == (
        "HEIF",
        "Apple",
        "iPhone 15",
    )


def test_rekognition_reads_a_jpeg_or_png_from_s3_and_anything_else_as_rendition_bytes() -> None:
    original = StoredFile("uploads", "uploads/u/m/a.jpg", "v1")
    what = image_analysis.rekognition_input
    assert what(original, content_type="image/png", size=10, rendition=b"jpeg") == original
    big = 16 * 1024 * 1024  # over the 15 MB Rekognition reads from S3
    assert what(original, content_type="image/jpeg", size=big, rendition=b"j") == ImageBytes(b"j")
    assert what(original, content_type="image/tiff", size=10, rendition=b"j") == ImageBytes(b"j")
    reason = what(original, content_type="image/tiff", size=10, rendition=None)
    assert reason == (
        "Rekognition does not analyse image/tiff images, and no JPEG rendition was made"
    )
    assert "15 MB" in str(what(original, content_type="image/jpeg", size=big, rendition=None))


def test_a_corrupt_tiff_is_described_and_nothing_is_sent_to_rekognition(
    analysis_settings: Settings, stubbed: dict[str, Stubber]
) -> None:
    body = sample_bytes(".tif")[:300]
    media = _uploaded(analysis_settings, "cut.tif", "image/tiff", body)
    analysis.on_uploaded(_event(media, analysis_settings), analysis_settings, final_attempt=False)
    stored = _load(analysis_settings, media.media_id)
    assert stored.status is Status.READY  # the original stays downloadable
    assert stored.item["steps"]["analysis_image"]["state"] == "failed"
    detail = stored.item["steps"]["analysis_image"]["detail"]
    assert detail.startswith("the image could not be decoded")
    assert "no JPEG rendition was made" in detail
    assert "rendition" not in stored.item and "thumbnail" not in stored.item


def test_the_rendition_goes_with_the_media(
    analysis_settings: Settings,
    stubbed: dict[str, Stubber],
    deletion_queue: DeletionQueue,
    as_deletion_function: None,
) -> None:
    settings = dataclasses.replace(analysis_settings, deletion_queue_url=deletion_queue.url)
    media = _uploaded(settings, "scan.tif", "image/tiff", sample_bytes(".tif"))
    _expect_image_calls(stubbed["rekognition"], image={"Bytes": ANY})
    analysis.on_uploaded(_event(media, settings), settings, final_attempt=False)
    folder = removal.media_prefix(OWNER, media.media_id)
    assert {v["Key"] for v in storage.versions_under(settings.media_bucket, folder)} == {
        f"{folder}rendition.jpg",
        f"{folder}thumbnail.jpg",
    }
    request_media_deletion(settings, _load(settings, media.media_id), requested_by=OWNER)
    assert settle(deletion_queue) == [{"batchItemFailures": []}]
    assert list(storage.versions_under(settings.media_bucket, folder)) == []


# -- speech and video ---------------------------------------------------------------------------


def _expect_transcription(stubbed: dict[str, Stubber], settings: Settings) -> None:
    stubbed["transcribe"].add_response(
        "start_transcription_job",
        {"TranscriptionJob": {}},
        {
            "TranscriptionJobName": ANY,
            "Media": ANY,
            "IdentifyLanguage": True,
            "OutputBucketName": settings.media_bucket,
            "OutputKey": ANY,
            "Tags": ANY,
            "OutputEncryptionKMSKeyId": settings.uploads_kms_key_arn,
        },
    )


def test_every_accepted_audio_format_is_one_transcribe_reads() -> None:
    model = botocore.session.get_session().get_service_model("transcribe")
    formats = set(model.shape_for("MediaFormat").enum)  # type: ignore[attr-defined]
    assert set(speech.TRANSCRIBE_FORMATS.values()) <= formats
    audio = {t for t, media_type in ALLOWED.items() if media_type.kind is Kind.AUDIO}
    assert audio <= speech.TRANSCRIBE_FORMATS.keys()
    assert speech.media_format("audio/ogg") == "ogg"
    assert speech.media_format("video/webm") == "webm"
    assert speech.media_format("video/x-matroska") is None


@pytest.mark.parametrize("name", ["talk.flac", "talk.ogg", "talk.opus", "talk.oga"])
def test_flac_and_ogg_opus_audio_is_transcribed(
    analysis_settings: Settings, stubbed: dict[str, Stubber], name: str
) -> None:
    declared = "audio/flac" if name.endswith(".flac") else "audio/ogg"
    media = _uploaded(analysis_settings, name, declared, sample_bytes(_suffix(name)))
    _expect_transcription(stubbed, analysis_settings)
    outcome = analysis.on_uploaded(
        _event(media, analysis_settings), analysis_settings, final_attempt=False
    )
    assert outcome is AnalysisOutcome.STARTED
    stored = _load(analysis_settings, media.media_id)
    assert stored.status is Status.PROCESSING
    assert stored.item["steps"]["analysis_speech"]["state"] == "submitted"


@pytest.mark.parametrize(
    ("name", "content_type", "label"),
    [
        ("rushes.mkv", "video/x-matroska", "MKV"),
        ("archive.avi", "video/x-msvideo", "AVI"),
        ("broadcast.ts", "video/mp2t", "MPEG-TS"),
        ("camcorder.mts", "video/mp2t", "MPEG-TS"),
    ],
)
def test_a_video_neither_service_reads_records_both_analyses_as_skipped(
    analysis_settings: Settings,
    stubbed: dict[str, Stubber],
    name: str,
    content_type: str,
    label: str,
) -> None:
    settings = dataclasses.replace(analysis_settings, video_text_and_segments=True)
    media = _uploaded(settings, name, content_type, sample_bytes(_suffix(name)))
    assert analysis.on_uploaded(_event(media, settings), settings, final_attempt=False) is (
        AnalysisOutcome.ANALYSED
    )
    stored = _load(settings, media.media_id)
    assert stored.status is Status.UPLOADED  # the video pipeline owns its status
    steps = stored.item["steps"]
    assert steps["analysis_speech"]["state"] == "skipped"
    assert steps["analysis_speech"]["detail"] == (
        f"Amazon Transcribe does not read {label} files: the speech is not transcribed"
    )
    for step in ("analysis_video", "analysis_video_text", "analysis_video_segments"):
        assert steps[step]["state"] == "skipped"
        assert steps[step]["detail"] == "Rekognition Video reads MP4 and MOV videos only"
    # Delivered again: nothing changes.
    assert analysis.on_uploaded(_event(media, settings), settings, final_attempt=False) is (
        AnalysisOutcome.DUPLICATE
    )


def test_a_webm_video_is_transcribed_but_not_given_to_rekognition_video(
    analysis_settings: Settings, stubbed: dict[str, Stubber]
) -> None:
    media = _uploaded(analysis_settings, "clip.webm", "video/webm", sample_bytes(".webm"))
    _expect_transcription(stubbed, analysis_settings)
    outcome = analysis.on_uploaded(
        _event(media, analysis_settings), analysis_settings, final_attempt=False
    )
    assert outcome is AnalysisOutcome.STARTED
    steps = _load(analysis_settings, media.media_id).item["steps"]
    assert steps["analysis_speech"]["state"] == "submitted"
    assert steps["analysis_video"]["state"] == "skipped"


def test_a_rendition_is_never_more_than_rekognition_takes_as_bytes() -> None:
    assert RENDITION_MAX_BYTES == 5 * 1024 * 1024
    model = botocore.session.get_session().get_service_model("rekognition")
    assert model.shape_for("ImageBlob").metadata["max"] == RENDITION_MAX_BYTES
