"""Storage per minute of video: the old fixed ladder against renditions never above the source.

The same 10-second test video (a moving test pattern with light noise, 30 fps, a tone), as a
1080p and as a 720p source, goes through the local transcoder (ffmpeg standing in for
MediaConvert) twice: with the recipe as it was (four fixed HLS renditions up to 1080p, the MP4
and the frames scaled to 720p whatever the source) and with today's recipe (automated ABR's
limits: no rendition above the source; the MP4 and frames never upscaled). Bytes are everything
the job writes to the media folder, per minute of video. On AWS, automated ABR also picks
bitrates per title; ffmpeg cannot, so this measures the rule (no upscaling), not that choice.
"""

from __future__ import annotations

import copy
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from snapstream_runtime.transcoding import job_settings, output_folder
from tools.local.transcoder import LocalTranscoder
from tools.local.video_renditions import CANDIDATES

SECONDS = 10
SOURCES = {"1080p": (1920, 1080), "720p": (1280, 720)}


def _ffmpeg(*arguments: str) -> None:
    ffmpeg = shutil.which("ffmpeg") or "ffmpeg"
    subprocess.run([ffmpeg, "-v", "error", "-y", *arguments], check=True, timeout=600)


def _sources(folder: Path) -> dict[str, Path]:
    """One 1080p master, and the same video scaled to 720p."""
    master = folder / "source-1080p.mp4"
    _ffmpeg(
        "-f", "lavfi", "-i", f"testsrc2=duration={SECONDS}:size=1920x1080:rate=30",
        "-f", "lavfi", "-i", f"sine=frequency=440:duration={SECONDS}", "-shortest",
        "-vf", "noise=alls=6:allf=t", "-c:v", "libx264", "-preset", "veryfast", "-crf", "18",
        "-pix_fmt", "yuv420p", "-c:a", "aac", str(master),
    )  # fmt: skip
    scaled = folder / "source-720p.mp4"
    _ffmpeg("-i", str(master), "-vf", "scale=1280:720", "-c:v", "libx264", "-preset", "veryfast",
            "-crf", "18", "-c:a", "copy", str(scaled))  # fmt: skip
    return {"1080p": master, "720p": scaled}


def before(settings: dict[str, Any]) -> dict[str, Any]:
    """The recipe as it was: a fixed four-rung ladder (the stand-in's candidates, which are that
    ladder) and the MP4 and frames scaled to their size whatever the source."""
    old = copy.deepcopy(settings)
    for group in old["OutputGroups"]:
        if group.pop("AutomatedEncodingSettings", None) is not None:
            [base] = group["Outputs"]
            group["Outputs"] = [
                {
                    **base,
                    "NameModifier": f"_{rung.height}p",
                    "VideoDescription": {
                        "Width": rung.width,
                        "Height": rung.height,
                        "ScalingBehavior": "DEFAULT",
                        "CodecSettings": {"H264Settings": {"MaxBitrate": rung.max_bitrate}},
                    },
                }
                for rung in CANDIDATES
            ]
        for output in group["Outputs"]:
            output["VideoDescription"]["ScalingBehavior"] = "DEFAULT"
    return old


def _written(source: Path, settings: dict[str, Any], folder: Path) -> tuple[int, int, int]:
    """(HLS renditions, HLS bytes, all bytes) the job writes for ``source``."""
    folder.mkdir()
    groups = LocalTranscoder(lambda _: None, queue_arn="bench").render(source, settings, folder)
    files = list(folder.iterdir())
    hls = sum(f.stat().st_size for f in files if f.suffix in {".m3u8", ".ts"})
    return len(groups[0]["outputDetails"]), hls, sum(f.stat().st_size for f in files)


def measure() -> dict[str, dict[str, tuple[int, int, int]]]:
    today = job_settings(input_url="s3://bench/source", destination=output_folder("bench", "m/"))
    results: dict[str, dict[str, tuple[int, int, int]]] = {}
    with tempfile.TemporaryDirectory(prefix="snapstream-bench-") as work:
        folder = Path(work)
        for name, source in _sources(folder).items():
            results[name] = {
                "before": _written(source, before(today), folder / f"{name}-before"),
                "after": _written(source, today, folder / f"{name}-after"),
            }
    return results


def _per_minute(size: int) -> str:
    return f"{size * 60 / SECONDS / 1_000_000:.1f}"


def _change(old: int, new: int) -> str:
    if not old:
        return "n/a"
    change = (new - old) / old
    return "same" if abs(change) < 0.005 else f"{change:+.0%}"


def section() -> list[str]:
    results = measure()
    rows = []
    for name, found in results.items():
        (r0, h0, a0), (r1, h1, a1) = found["before"], found["after"]
        rows.append(
            f"| {name} | {r0} -> {r1} | {_per_minute(h0)} -> {_per_minute(h1)} "
            f"({_change(h0, h1)}) | {_per_minute(a0)} -> {_per_minute(a1)} ({_change(a0, a1)}) |"
        )
    return [
        "## Storage per minute of video: renditions never above the source",
        "",
        f"The same {SECONDS}-second test video as a 1080p and a 720p source, transcoded locally",
        "(ffmpeg with the job's sizes and bitrate caps, standing in for MediaConvert) with the old",
        "fixed ladder and with today's rule (no rendition, MP4 or frame above the source). MB",
        "(10^6 bytes) written per minute of video; on AWS automated ABR also chooses bitrates per",
        "title, which this does not measure.",
        "",
        "| source | HLS renditions | HLS MB/min | everything written, MB/min |",
        "|---|---|---|---|",
        *rows,
        "",
    ]


if __name__ == "__main__":
    print("\n".join(section()))
