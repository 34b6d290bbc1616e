"""MediaConvert's stand-in for ``make dev``: the same job settings, rendered with ffmpeg.

It reads the job the transcode-submit handler built from the recipe (``runtime/transcoding.py``):
every HLS rendition (size, maximum bitrate, name modifier), the MP4 and the frame captures, and
writes the same files with the same names to the same output folder of the (local) media bucket.
When done it reports a ``MediaConvert Job State Change`` shaped like AWS's, so the real
transcode-state and package handlers take it from there.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import boto3

CONTENT_TYPES = {
    ".m3u8": "application/vnd.apple.mpegurl",
    ".ts": "video/mp2t",
    ".mp4": "video/mp4",
    ".jpg": "image/jpeg",
}


@dataclass(frozen=True)
class HlsOutput:
    modifier: str
    width: int
    height: int
    max_bitrate: int


def _video_description(output: dict[str, Any]) -> dict[str, Any]:
    description: dict[str, Any] = output.get("VideoDescription") or {}
    return description


def hls_outputs(settings: dict[str, Any]) -> tuple[str, list[HlsOutput]]:
    """The HLS group's destination and renditions, as the job describes them."""
    for group in settings["OutputGroups"]:
        group_settings = group["OutputGroupSettings"]
        if group_settings["Type"] != "HLS_GROUP_SETTINGS":
            continue
        destination = group_settings["HlsGroupSettings"]["Destination"]
        renditions = []
        for output in group["Outputs"]:
            video = _video_description(output)
            codec = video["CodecSettings"]["H264Settings"]
            renditions.append(
                HlsOutput(
                    output["NameModifier"], video["Width"], video["Height"], codec["MaxBitrate"]
                )
            )
        return destination, renditions
    raise ValueError("the job has no HLS output group")


def file_outputs(settings: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(destination, name modifier, video description) of each MP4 or frame-capture output."""
    found = []
    for group in settings["OutputGroups"]:
        group_settings = group["OutputGroupSettings"]
        if group_settings["Type"] != "FILE_GROUP_SETTINGS":
            continue
        destination = group_settings["FileGroupSettings"]["Destination"]
        for output in group["Outputs"]:
            found.append((destination, output.get("NameModifier", ""), _video_description(output)))
    return found


def destination_parts(destination: str) -> tuple[str, str]:
    """MediaConvert destinations end with the output's base name: ``s3://b/media/o/m/index``
    -> (``s3://b/media/o/m/``, ``index``); each output adds its name modifier and extension."""
    folder, _, base = destination.rpartition("/")
    return f"{folder}/", base


def _h264_aac(source: Path, width: int, height: int) -> list[str]:
    """ffmpeg input and codec arguments shared by the HLS renditions and the MP4: the first
    video stream scaled to the output's size (H.264), the first audio stream if any (AAC)."""
    return [
        "-i", str(source), "-map", "0:v:0", "-map", "0:a:0?", "-vf", f"scale={width}:{height}",
        "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-c:a", "aac",
    ]  # fmt: skip


def _split(s3_url: str) -> tuple[str, str]:
    parsed = urlparse(s3_url)
    return parsed.netloc, parsed.path.lstrip("/")


class LocalTranscoder:
    """Runs jobs with ffmpeg, one at a time, and reports their state changes to ``report``."""

    def __init__(self, report: Callable[[dict[str, Any]], None], *, queue_arn: str) -> None:
        self.report, self.queue_arn = report, queue_arn
        self.ffmpeg = shutil.which("ffmpeg") or "ffmpeg"
        self.ffprobe = shutil.which("ffprobe") or "ffprobe"

    def create_transcode_job(self, **job: Any) -> str:
        """Stands in for ``video_services.create_transcode_job`` (same keyword arguments)."""
        job_id = f"local-{uuid.uuid4().hex[:12]}"
        self.report({"kind": "transcode", "job_id": job_id, "job": job})
        return job_id

    def run(self, job_id: str, job: dict[str, Any]) -> dict[str, Any]:
        """Transcode; returns the job state change detail (COMPLETE or ERROR)."""
        base = {
            "jobId": job_id,
            "queue": job.get("queue_arn") or self.queue_arn,
            "userMetadata": job.get("user_metadata") or {},
        }
        try:
            groups = self._transcode(job["settings"])
        except (subprocess.CalledProcessError, OSError, ValueError) as error:
            return {
                **base,
                "status": "ERROR",
                "errorCode": 1999,
                "errorMessage": f"local ffmpeg transcode failed: {error}",
            }
        return {**base, "status": "COMPLETE", "outputGroupDetails": groups}

    def _transcode(self, settings: dict[str, Any]) -> list[dict[str, Any]]:
        s3 = boto3.client("s3")
        source_bucket, source_key = _split(settings["Inputs"][0]["FileInput"])
        with tempfile.TemporaryDirectory(prefix="snapstream-transcode-") as work:
            scratch = Path(work)
            source = scratch / "source"
            s3.download_file(source_bucket, source_key, str(source))
            duration_ms = self._duration_ms(source)
            destination, renditions = hls_outputs(settings)
            folder, base = destination_parts(destination)
            out = scratch / "out"
            out.mkdir()
            hls_details = []
            master = ["#EXTM3U", "#EXT-X-VERSION:3"]
            for rendition in renditions:
                name = f"{base}{rendition.modifier}"
                self._ffmpeg(
                    *_h264_aac(source, rendition.width, rendition.height),
                    "-maxrate",
                    str(rendition.max_bitrate),
                    "-bufsize",
                    str(rendition.max_bitrate * 2),
                    "-ac",
                    "2",
                    "-b:a",
                    "96k",
                    "-f",
                    "hls",
                    "-hls_time",
                    "6",
                    "-hls_playlist_type",
                    "vod",
                    "-hls_segment_filename",
                    str(out / f"{name}_%05d.ts"),
                    str(out / f"{name}.m3u8"),
                )
                master += [
                    f"#EXT-X-STREAM-INF:BANDWIDTH={rendition.max_bitrate},"
                    f"RESOLUTION={rendition.width}x{rendition.height}",
                    f"{name}.m3u8",
                ]
                hls_details.append(
                    {
                        "outputFilePaths": [f"{folder}{name}.m3u8"],
                        "durationInMs": duration_ms,
                        "videoDetails": {
                            "widthInPx": rendition.width,
                            "heightInPx": rendition.height,
                        },
                    }
                )
            (out / f"{base}.m3u8").write_text("\n".join(master) + "\n")
            groups: list[dict[str, Any]] = [
                {
                    "type": "HLS_GROUP",
                    "playlistFilePaths": [f"{folder}{base}.m3u8"],
                    "outputDetails": hls_details,
                }
            ]
            for file_destination, modifier, video in file_outputs(settings):
                groups.append(
                    self._file_output(
                        source,
                        out,
                        destination=file_destination,
                        modifier=modifier,
                        video=video,
                        duration_ms=duration_ms,
                    )
                )
            bucket, prefix = _split(folder)
            for path in sorted(out.iterdir()):
                s3.upload_file(
                    str(path),
                    bucket,
                    f"{prefix}{path.name}",
                    ExtraArgs={
                        "ContentType": CONTENT_TYPES.get(path.suffix, "application/octet-stream")
                    },
                )
        return groups

    def _file_output(
        self,
        source: Path,
        out: Path,
        *,
        destination: str,
        modifier: str,
        video: dict[str, Any],
        duration_ms: int,
    ) -> dict[str, Any]:
        folder, base = destination_parts(destination)
        codec = (video.get("CodecSettings") or {}).get("Codec")
        width, height = video.get("Width", 1280), video.get("Height", 720)
        scale = f"scale={width}:{height}"
        if codec == "FRAME_CAPTURE":
            capture = video["CodecSettings"]["FrameCaptureSettings"]
            rate = capture.get("FramerateNumerator", 1) / capture.get("FramerateDenominator", 1)
            limit = capture.get("MaxCaptures", 1)
            pattern = out / f"{base}{modifier}.%07d.jpg"
            self._ffmpeg(
                "-i",
                str(source),
                "-vf",
                f"fps={rate},{scale}",
                "-frames:v",
                str(limit),
                "-start_number",
                "0",
                str(pattern),
            )
            paths = [f"{folder}{p.name}" for p in sorted(out.glob(f"{base}{modifier}.*.jpg"))]
            return {"type": "FILE_GROUP", "outputDetails": [{"outputFilePaths": paths}]}
        name = f"{base}{modifier}.mp4"
        self._ffmpeg(
            *_h264_aac(source, width, height),
            "-movflags",
            "+faststart",
            str(out / name),
        )
        return {
            "type": "FILE_GROUP",
            "outputDetails": [
                {
                    "outputFilePaths": [f"{folder}{name}"],
                    "durationInMs": duration_ms,
                    "videoDetails": {"widthInPx": width, "heightInPx": height},
                }
            ],
        }

    def _ffmpeg(self, *arguments: str) -> None:
        subprocess.run([self.ffmpeg, "-v", "error", "-y", *arguments], check=True, timeout=600)

    def _duration_ms(self, source: Path) -> int:
        return int(probe(source, self.ffprobe).get("duration_seconds", 0) * 1000)


def probe(path: Path, ffprobe: str | None = None) -> dict[str, Any]:
    """Technical facts about an audio or video file, from ffprobe (empty if it cannot tell)."""
    command = [
        ffprobe or shutil.which("ffprobe") or "ffprobe",
        "-v",
        "error",
        "-print_format",
        "json",
        "-show_format",
        "-show_streams",
        str(path),
    ]
    try:
        found = json.loads(
            subprocess.run(command, check=True, capture_output=True, timeout=60).stdout
        )
    except (subprocess.CalledProcessError, OSError, ValueError):
        return {}
    facts: dict[str, Any] = {}
    container = found.get("format") or {}
    if container.get("duration"):
        facts["duration_seconds"] = round(float(container["duration"]), 2)
    if container.get("format_long_name"):
        facts["container"] = container["format_long_name"]
    for stream in found.get("streams") or []:
        kind = stream.get("codec_type")
        if kind == "video" and "video_codec" not in facts:
            facts["video_codec"] = stream.get("codec_name")
            facts["dimensions"] = f"{stream.get('width')}x{stream.get('height')}"
            facts["frame_rate"] = stream.get("avg_frame_rate")
        elif kind == "audio" and "audio_codec" not in facts:
            facts["audio_codec"] = stream.get("codec_name")
            facts["sample_rate"] = stream.get("sample_rate")
            facts["channels"] = stream.get("channels")
    return facts
