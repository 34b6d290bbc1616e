"""Upload to ``ready`` on the local platform (``make dev``): a small image and a 10-second video.

Each run posts the file to the presigned URL as a browser does and polls the record until it is
ready; image and video runs alternate. Includes the worker's polling interval (0.5 s) and, for
the video, ffmpeg rendering the HLS renditions that fit the source (never above it), the MP4
and the poster on this machine.
"""

from __future__ import annotations

import io
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import requests

from bench.pipeline_calls import _templates
from tools.local.platform import running_platform

RUNS = 3


def _image() -> bytes:
    from PIL import Image, ImageDraw

    picture = Image.new("RGB", (640, 480), "#335577")
    ImageDraw.Draw(picture).rectangle((100, 100, 500, 380), fill="#ddaa33")
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def _video(folder: Path) -> bytes:
    path = folder / "ten-seconds.mp4"
    subprocess.run(
        [
            shutil.which("ffmpeg") or "ffmpeg",
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "testsrc=duration=10:size=640x360:rate=25",
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=440:duration=10",
            "-shortest",
            "-c:v",
            "libx264",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            str(path),
        ],
        check=True,
        timeout=120,
    )
    return path.read_bytes()


def _until_ready(platform: Any, owner: str, name: str, body: bytes, content_type: str) -> float:
    from snapstream_runtime import lifecycle
    from snapstream_runtime.adapters.table import Table
    from snapstream_runtime.uploads import create_upload

    started = time.perf_counter()
    ticket = create_upload(
        platform.settings, user_id=owner, file_name=name, content_type=content_type, size=len(body)
    )
    posted = requests.post(
        ticket.url, data=ticket.fields, files={"file": (name, body, content_type)}, timeout=60
    )
    posted.raise_for_status()
    table = Table(platform.settings.table_name)
    while time.perf_counter() - started < 600:
        media = lifecycle.load(table, ticket.media_id)
        if media is not None and media.status.value == "ready":
            return time.perf_counter() - started
        if media is not None and media.status.value in {"failed", "rejected"}:
            raise RuntimeError(f"{name}: {media.status_reason}")
        time.sleep(0.1)
    raise RuntimeError(f"{name} was not ready after 10 minutes")


def measure() -> dict[str, list[float]]:
    data, pipeline = _templates()
    saved = dict(os.environ)
    samples: dict[str, list[float]] = {"image (640x480 JPEG)": [], "video (10 s, 640x360)": []}
    try:
        with (
            tempfile.TemporaryDirectory() as work,
            running_platform({("dev", "Data"): data, ("dev", "Pipeline"): pipeline}) as platform,
        ):
            image, video = _image(), _video(Path(work))
            owner = "b" * 32
            for run in range(RUNS):
                samples["image (640x480 JPEG)"].append(
                    _until_ready(platform, owner, f"photo-{run}.jpg", image, "image/jpeg")
                )
                samples["video (10 s, 640x360)"].append(
                    _until_ready(platform, owner, f"clip-{run}.mp4", video, "video/mp4")
                )
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return samples


def section() -> list[str]:
    samples = measure()
    return [
        "## Upload to ready on the local platform (`make dev`)",
        "",
        "From the presigned POST to the record's `ready`, through the real handlers wired from the",
        "template (ingest, local analysis; for video: submit, ffmpeg in place of MediaConvert with",
        "the same job -- the HLS renditions that fit the source (never upscaled), the MP4 and the",
        "poster -- state,",
        "package). The worker polls every 0.5 s. This is this 2-core machine, not AWS.",
        "",
        "| file | runs | median (s) | min (s) | max (s) |",
        "|---|---|---|---|---|",
        *(
            f"| {name} | {len(s)} | {statistics.median(s):.1f} | {min(s):.1f} | {max(s):.1f} |"
            for name, s in samples.items()
        ),
        "",
    ]


if __name__ == "__main__":
    print("\n".join(section()))
