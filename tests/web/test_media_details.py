"""The media page's technical details: worded for people, each fact once, AWS's and make dev's."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from snapstream_runtime import lifecycle
from snapstream_runtime.adapters.table import to_attributes
from snapstream_runtime.settings import Settings
from snapstream_web.technical_details import TIMES, codec, duration, frame_rate, technical_details
from tests.runtime.samples import SAMPLES
from tests.web.browser import Browser
from tests.web.media_helpers import upload

#: what make dev's analysis writes for a video (tools/local/analysis.py, ffprobe's facts as read)
LOCAL_VIDEO = {
    "analysed_by": "make dev (this machine, not AWS)",
    "note": "Computed on this machine by make dev. ... they run on AWS.",
    "sha256": "ab" * 32,
    "size_bytes": 48213,
    "container": "MP4",
    "duration_seconds": 2.04,
    "video_codec": "h264",
    "width": 1280,
    "height": 720,
    "frame_rate": "30000/1001",
    "audio_codec": "aac",
    "sample_rate": "48000",
    "channels": 2,
}
IMAGE = {"format": "JPEG", "width": 4032, "height": 3024, "mode": "RGB", "frames": 1}
EXIF = {
    "captured_at": "2024:05:01 12:30:00",
    "camera_make": "Apple",
    "camera_model": "Apple iPhone 12",
    "has_gps": True,
}


def _table(rows: list[dict[str, str]]) -> dict[str, str]:
    labels = [row["label"] for row in rows]
    assert len(labels) == len(set(labels)), f"listed twice: {labels}"
    return {row["label"]: row["value"] for row in rows}


@pytest.mark.parametrize(
    ("rate", "words"),
    [
        ("25/1", "25 fps"),
        ("30000/1001", "29.97 fps"),
        ("24000/1001", "23.98 fps"),
        ("60/1", "60 fps"),
        (25, "25 fps"),
        ("0/0", None),
        ("", None),
        ("fast", None),
    ],
)
def test_frame_rates_read_as_frames_per_second(rate: object, words: str | None) -> None:
    assert frame_rate(rate) == words


def test_durations_and_codecs_are_worded() -> None:
    assert duration(2.04) == "2.0 s"
    assert duration(185) == "3:05"
    assert duration(3725) == "1:02:05"
    assert (codec("h264"), codec("hevc"), codec("pcm_s16le"), codec("theora")) == (
        "H.264",
        "H.265 (HEVC)",
        "PCM",
        "THEORA",
    )


def test_a_local_video_reads_fps_and_its_container() -> None:
    rows = _table(
        technical_details(
            {
                "analysis": {"local": LOCAL_VIDEO},
                "duration_ms": 2000,
                "renditions": [{"width": 640, "height": 360}, {"width": 1280, "height": 720}],
            }
        )
    )
    assert rows == {
        "Container": "MP4",
        "Dimensions": f"1280 {TIMES} 720 px",
        "Duration": "2.0 s",  # ffprobe's, not repeated from the transcode's outputs
        "Frame rate": "29.97 fps",
        "Video codec": "H.264",
        "Audio codec": "AAC",
        "Sample rate": "48 kHz",
        "Channels": "2 (stereo)",
        "Streaming renditions": "360p, 720p",
        "SHA-256": "ab" * 32,
    }


def test_a_local_image_is_listed_once_though_recorded_twice() -> None:
    # make dev writes the image's facts on the record (as AWS does) and in its local analysis.
    local = {**LOCAL_VIDEO, **IMAGE, **EXIF}
    for key in ("container", "duration_seconds", "video_codec", "frame_rate", "audio_codec"):
        local.pop(key)
    local.pop("sample_rate"), local.pop("channels")
    rows = _table(technical_details({"image": {**IMAGE, **EXIF}, "analysis": {"local": local}}))
    assert rows == {
        "Format": "JPEG",
        "Dimensions": f"4032 {TIMES} 3024 px",
        "Colour mode": "RGB",
        "Taken": "2024-05-01 12:30:00",
        "Camera": "Apple iPhone 12",
        "GPS position": "in the file (never stored or shown)",
        "SHA-256": "ab" * 32,
    }


def test_an_image_analysed_on_aws_and_a_fact_this_list_does_not_know() -> None:
    metadata = {**IMAGE, "frames": 3, "camera_make": "Canon", "camera_model": "EOS R6"}
    rows = _table(
        technical_details(
            {
                "image": IMAGE,
                "analysis": {"metadata": {**metadata, "error": "", "icc_profile": "sRGB"}},
            }
        )
    )
    assert rows["Frames"] == "3" and rows["Camera"] == "Canon EOS R6"
    assert rows["Icc profile"] == "sRGB" and "Problem" not in rows
    assert technical_details({}) == []


def _analysis(settings: Settings, media_id: str, kind: str, body: dict[str, Any]) -> None:
    boto3.client("dynamodb").put_item(
        TableName=settings.table_name,
        Item=to_attributes(
            {"pk": f"MEDIA#{media_id}", "sk": f"ANALYSIS#{kind}", "kind": kind, "body": body}
        ),
    )


def test_the_media_page_lists_each_detail_once_in_words(
    browser: Browser, web_settings: Settings
) -> None:
    browser.register("viewer")
    body, content_type = SAMPLES["mp4"]
    media_id = upload(browser, web_settings, name="clip.mp4", body=body, content_type=content_type)
    _analysis(web_settings, media_id, "local", LOCAL_VIDEO)
    page = browser.get(f"/media/{media_id}").get_data(as_text=True)
    assert "<dt>Frame rate</dt><dd>29.97 fps</dd>" in page
    assert "<dt>Container</dt><dd>MP4</dd>" in page
    assert "30000/1001" not in page and "QuickTime / MOV" not in page
    assert page.count("<dt>Dimensions</dt>") == 1 and "size bytes" not in page
    assert "Local analysis" in page and "run on AWS" in page  # its note, once
    detail = browser.api("GET", f"/api/media/{media_id}").json
    assert {"label": "Frame rate", "value": "29.97 fps"} in detail["details"]
    assert detail["analysis"]["local"]["frame_rate"] == "30000/1001"  # the API keeps the fact


def test_an_image_page_does_not_repeat_its_details(
    browser: Browser, web_settings: Settings
) -> None:
    browser.register("photographer")
    media_id = upload(browser, web_settings, name="lake.png")
    boto3.client("dynamodb").update_item(
        TableName=web_settings.table_name,
        Key=to_attributes(lifecycle.media_key(media_id)),
        UpdateExpression="SET image = :image",
        ExpressionAttributeValues=to_attributes({":image": IMAGE}),
    )
    _analysis(web_settings, media_id, "local", {**IMAGE, "sha256": "cd" * 32, "note": "local"})
    page = browser.get(f"/media/{media_id}").get_data(as_text=True)
    for label in ("Format", "Dimensions", "Colour mode", "SHA-256"):
        assert page.count(f"<dt>{label}</dt>") == 1, label
    assert "<dt>width</dt>" not in page and "<dt>Frames</dt>" not in page
