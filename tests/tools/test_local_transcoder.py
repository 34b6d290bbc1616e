"""MediaConvert's stand-in (make dev) never upscales: automated ABR's limits, fit-without-upscaling,
rendered with the real ffmpeg; and ffprobe's facts with the container named right."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from snapstream_runtime.transcoding import job_settings, output_folder
from tools.local.probe import ISO_FAMILY, container_name, display_size, probe, source_size
from tools.local.transcoder import LocalTranscoder
from tools.local.video_renditions import (
    CANDIDATES,
    abr_renditions,
    fixed_renditions,
    hls_renditions,
    output_size,
)

ABR = {"MaxRenditions": 4, "MaxAbrBitrate": 6_000_000, "MinAbrBitrate": 600_000}
MAX_1080P = {"Width": 1920, "Height": 1080}


def _job() -> dict[str, Any]:
    return job_settings(input_url="s3://u/uploads/x", destination=output_folder("m", "media/o/i/"))


def _hls(settings: dict[str, Any]) -> dict[str, Any]:
    [hls] = [g for g in settings["OutputGroups"] if g["Name"] == "HLS"]
    group: dict[str, Any] = hls
    return group


@pytest.mark.parametrize(
    ("source", "sizes"),
    [
        ((1920, 1080), [(640, 360), (960, 540), (1280, 720), (1920, 1080)]),
        ((1280, 720), [(640, 360), (960, 540), (1280, 720)]),
        ((3840, 2160), [(640, 360), (960, 540), (1280, 720), (1920, 1080)]),
        ((320, 240), [(320, 240)]),  # smaller than every candidate: its own size, once
        ((640, 480), [(480, 360), (640, 480)]),  # 4:3 keeps its shape
        ((1080, 1920), [(202, 360), (304, 540), (404, 720), (608, 1080)]),  # portrait
    ],
)
def test_automated_abr_stand_in_never_exceeds_the_source_nor_the_maximum(
    source: tuple[int, int], sizes: list[tuple[int, int]]
) -> None:
    renditions = abr_renditions(source, ABR, MAX_1080P)
    assert [(r.width, r.height) for r in renditions] == sizes
    assert all(r.width <= source[0] and r.height <= source[1] for r in renditions)
    assert [r.name_modifier for r in renditions] == [f"_{h}p" for _, h in sizes]


def test_automated_abr_limits_count_and_bitrates() -> None:
    three = abr_renditions((1920, 1080), {**ABR, "MaxRenditions": 3}, MAX_1080P)
    assert [r.height for r in three] == [540, 720, 1080]  # the largest ones
    squeezed = abr_renditions(
        (1920, 1080), {"MinAbrBitrate": 1_500_000, "MaxAbrBitrate": 4_000_000}, MAX_1080P
    )
    assert [r.max_bitrate for r in squeezed] == [1_500_000, 2_000_000, 3_000_000, 4_000_000]
    capped = abr_renditions((1920, 1080), ABR, {"Width": 1280, "Height": 720})
    assert [r.height for r in capped] == [360, 540, 720]


def test_the_recipes_hls_group_is_read_as_automated_abr() -> None:
    renditions = hls_renditions(_hls(_job()), (1280, 720))
    assert [r.name_modifier for r in renditions] == ["_abr_360p", "_abr_540p", "_abr_720p"]
    assert [r.height for r in hls_renditions(_hls(_job()), (1920, 1080))] == [360, 540, 720, 1080]


def test_a_fixed_ladder_is_rendered_as_the_job_says_upscaling_included() -> None:
    outputs = [
        {
            "NameModifier": f"_{rung.height}p",
            "VideoDescription": {
                "Width": rung.width,
                "Height": rung.height,
                "CodecSettings": {"H264Settings": {"MaxBitrate": rung.max_bitrate}},
            },
        }
        for rung in CANDIDATES
    ]
    # What this recipe did before automated ABR (the bench's "before"): a 720p source got 1080p.
    assert [r.height for r in fixed_renditions(outputs, (1280, 720))] == [360, 540, 720, 1080]


@pytest.mark.parametrize(
    ("source", "scaling", "size"),
    [
        ((1920, 1080), "FIT_NO_UPSCALE", (1280, 720)),
        ((640, 480), "FIT_NO_UPSCALE", (640, 480)),
        ((1080, 1920), "FIT_NO_UPSCALE", (404, 720)),
        ((640, 480), "FIT", (960, 720)),
        ((640, 480), "DEFAULT", (1280, 720)),
    ],
)
def test_fixed_output_sizes_follow_the_scaling_behaviour(
    source: tuple[int, int], scaling: str, size: tuple[int, int]
) -> None:
    video = {"Width": 1280, "Height": 720, "ScalingBehavior": scaling}
    assert output_size(source, video) == size


@pytest.mark.parametrize(
    ("format_name", "brand", "content_type", "name"),
    [
        (ISO_FAMILY, "isom", "video/mp4", "MP4"),
        (ISO_FAMILY, "mp42", "video/mp4", "MP4"),
        (ISO_FAMILY, "qt  ", "video/quicktime", "QuickTime (MOV)"),
        (ISO_FAMILY, "M4A ", "audio/mp4", "MPEG-4 audio (M4A)"),
        (ISO_FAMILY, "3gp6", "video/mp4", "3GP"),
        ("matroska,webm", None, "video/webm", "WebM"),
        ("matroska,webm", None, "video/x-matroska", "Matroska (MKV)"),
        ("mpegts", None, "video/mp2t", "MPEG-TS"),
        ("mp3", None, "audio/mpeg", "MP3"),
        ("something_new", None, "", "something_new"),
    ],
)
def test_containers_are_named_by_brand_not_by_ffprobes_demuxer(
    format_name: str, brand: str | None, content_type: str, name: str
) -> None:
    assert container_name(format_name, brand, content_type) == name


def test_a_rotated_phone_video_is_shown_upright() -> None:
    stream = {"width": 1920, "height": 1080, "side_data_list": [{"rotation": -90}]}
    assert display_size(stream) == (1080, 1920)
    assert display_size({"width": 1920, "height": 1080, "tags": {"rotate": "180"}}) == (1920, 1080)


def _ffmpeg(*arguments: str) -> None:
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        pytest.fail("ffmpeg is missing: `make setup` installs Debian's ffmpeg package")
    subprocess.run([ffmpeg, "-v", "error", "-y", *arguments], check=True, timeout=120)


def _clip(path: Path, size: str, rate: str = "25", *extra: str) -> Path:
    _ffmpeg(
        "-f", "lavfi", "-i", f"testsrc=duration=1:size={size}:rate={rate}",
        "-f", "lavfi", "-i", "sine=duration=1", "-shortest",
        "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", *extra, str(path),
    )  # fmt: skip
    return path


def test_probe_names_an_mp4_mp4_and_keeps_the_frame_rate_as_read(tmp_path: Path) -> None:
    mp4 = probe(_clip(tmp_path / "a.mp4", "320x240", "30000/1001"))
    assert mp4["container"] == "MP4" and mp4["frame_rate"] == "30000/1001"
    assert (mp4["width"], mp4["height"], mp4["video_codec"]) == (320, 240, "h264")
    assert mp4["audio_codec"] == "aac" and 0.9 <= mp4["duration_seconds"] <= 1.2
    mov = probe(_clip(tmp_path / "a.mov", "320x240"))
    assert mov["container"] == "QuickTime (MOV)" and mov["frame_rate"] == "25/1"
    assert probe(tmp_path / "missing.mp4") == {}


def _size(path: Path) -> tuple[int, int]:
    size = source_size(path)
    assert size is not None
    return size


def test_a_small_video_is_rendered_at_its_own_size_never_upscaled(tmp_path: Path) -> None:
    source = _clip(tmp_path / "small.mp4", "320x240")
    out = tmp_path / "out"
    out.mkdir()
    groups = LocalTranscoder(lambda _: None, queue_arn="q").render(source, _job(), out)
    hls = groups[0]
    assert [d["videoDetails"] for d in hls["outputDetails"]] == [
        {"widthInPx": 320, "heightInPx": 240}
    ]
    master = (out / "index.m3u8").read_text()
    assert "RESOLUTION=320x240" in master and master.count("#EXT-X-STREAM-INF") == 1
    assert _size(out / "index_abr_240p_00000.ts") == (320, 240)
    assert _size(out / "index_720p.mp4") == (320, 240)  # "at most 720p", not upscaled to it
    [poster] = sorted(out.glob("index_poster.*.jpg"))
    assert _size(poster) == (320, 240)
    mp4 = next(
        g for g in groups if g["outputDetails"][0].get("outputFilePaths", [""])[0].endswith(".mp4")
    )
    assert mp4["outputDetails"][0]["videoDetails"] == {"widthInPx": 320, "heightInPx": 240}
    assert json.dumps(groups)  # reported as MediaConvert would (JSON)
