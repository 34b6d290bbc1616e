"""Ingest takes a real file of every accepted format under each of its extensions (written by
ffmpeg or Pillow), and refuses, with the reason, what its bytes contradict or what SnapStream
recognizes but does not accept (Ogg Vorbis, AVIF)."""

from __future__ import annotations

from pathlib import Path

import pytest

from snapstream_runtime import lifecycle
from snapstream_runtime.adapters.table import Table
from snapstream_runtime.ingest import ObjectCreated, ingest
from snapstream_runtime.lifecycle import Status
from snapstream_runtime.media_types import ALLOWED
from snapstream_runtime.settings import Settings
from snapstream_runtime.uploads import UploadRefused
from tests.e2e.media_files import media_file, ogg_vorbis_file, sample_bytes
from tests.runtime.samples import SAMPLES
from tests.runtime.test_media_types import EVERY_EXTENSION
from tests.runtime.uploads_helpers import put_object, ticket_for


def _ingested(settings: Settings, name: str, content_type: str, body: bytes) -> lifecycle.Media:
    ticket = ticket_for(settings, name, content_type, len(body))
    version = put_object(settings, ticket.key, body)
    ingest(ObjectCreated(settings.uploads_bucket, ticket.key, version), settings)
    media = lifecycle.load(Table(settings.table_name), ticket.media_id)
    assert media is not None
    return media


@pytest.mark.parametrize(("content_type", "extension"), EVERY_EXTENSION)
def test_a_real_file_of_every_accepted_format_is_accepted(
    settings: Settings, content_type: str, extension: str
) -> None:
    media = _ingested(settings, f"file{extension}", content_type, sample_bytes(extension))
    assert media.status is Status.UPLOADED, media.status_reason
    assert media.kind == ALLOWED[content_type].kind
    assert media.item["detected_type"] in ALLOWED  # accepted: the bytes agreed with it


@pytest.mark.parametrize(
    ("name", "declared", "body", "reason"),
    [
        (
            "talk.ogg",
            "audio/ogg",
            "vorbis.ogg",
            "the file's content is an Ogg Vorbis audio file, which is not accepted: Ogg files "
            "are accepted with Opus audio, the Ogg codec Amazon Transcribe reads",
        ),
        (
            "photo.heic",
            "image/heic",
            "avif",
            "the file's content is an AVIF image, which is not accepted: AVIF images are not "
            "accepted",
        ),
        (
            "song.flac",
            "audio/flac",
            ".ogg",
            "the file's content is an Ogg Opus audio file, but it was declared as audio/flac",
        ),
        (
            "clip.webm",
            "video/webm",
            ".mkv",
            "the file's content is a Matroska video, but it was declared as video/webm",
        ),
        (
            "scan.tif",
            "image/tiff",
            ".heic",
            "the file's content is a HEIC image, but it was declared as image/tiff",
        ),
        (
            "clip.avi",
            "video/x-msvideo",
            ".ts",
            "the file's content is an MPEG transport stream video, but it was declared as "
            "video/x-msvideo",
        ),
    ],
)
def test_bytes_that_contradict_the_declared_format_are_rejected_with_the_reason(
    settings: Settings, tmp_path: Path, name: str, declared: str, body: str, reason: str
) -> None:
    if body == "vorbis.ogg":
        data = ogg_vorbis_file(tmp_path / body).read_bytes()
    elif body == "avif":
        data = SAMPLES["heic"][0].replace(b"heic", b"avif")
    else:
        data = sample_bytes(body)
    media = _ingested(settings, name, declared, data)
    assert media.status is Status.REJECTED
    assert media.status_reason == reason


def test_a_webm_file_may_be_declared_as_matroska(settings: Settings) -> None:
    media = _ingested(settings, "clip.mkv", "video/x-matroska", sample_bytes(".webm"))
    assert media.status is Status.UPLOADED and media.item["detected_type"] == "video/webm"


@pytest.mark.parametrize(
    ("name", "declared"),
    [("clip.wmv", "video/x-ms-wmv"), ("photo.avif", "image/avif"), ("talk.aac", "audio/aac")],
)
def test_formats_not_on_the_list_are_refused_before_any_upload(
    settings: Settings, name: str, declared: str
) -> None:
    with pytest.raises(UploadRefused, match="not accepted"):
        ticket_for(settings, name, declared, 100)


def test_every_sample_is_tiny(tmp_path: Path) -> None:
    """The real files stay small, so that testing every format stays fast."""
    assert all(len(sample_bytes(extension)) < 100_000 for _, extension in EVERY_EXTENSION)
    assert media_file(tmp_path / "x.webm").stat().st_size < 100_000
