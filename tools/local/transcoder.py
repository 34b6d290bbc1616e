"""MediaConvert's stand-in for ``make dev``: the same job settings, rendered with ffmpeg.

It reads the job the transcode-submit handler built from the recipe (``runtime/transcoding.py``):
the HLS group (automated ABR's limits, or fixed renditions), the MP4 and the frame captures, and
writes the same files with the same names to the same output folder of the (local) media bucket,
never larger than the source where the job says so (:mod:`tools.local.video_renditions`). When
done it reports a ``MediaConvert Job State Change`` shaped like AWS's, so the real
transcode-state and package handlers take it from there.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import boto3

from tools.local.probe import probe, source_size
from tools.local.video_renditions import HlsRendition, Size, hls_renditions, output_size

__all__ = ["LocalTranscoder", "destination_parts", "probe"]

CONTENT_TYPES = {
    ".m3u8": "application/vnd.apple.mpegurl",
    ".ts": "video/mp2t",
    ".mp4": "video/mp4",
    ".jpg": "image/jpeg",
}
DEFAULT_AUDIO_BITRATE = 96_000


def _group(settings: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [g for g in settings["OutputGroups"] if g["OutputGroupSettings"]["Type"] == kind]


def _destination(group: dict[str, Any]) -> str:
    group_settings = group["OutputGroupSettings"]
    key = (
        "HlsGroupSettings"
        if group_settings["Type"] == "HLS_GROUP_SETTINGS"
        else "FileGroupSettings"
    )
    return str(group_settings[key]["Destination"])


def destination_parts(destination: str) -> tuple[str, str]:
    """MediaConvert destinations end with the output's base name: ``s3://b/media/o/m/index``
    -> (``s3://b/media/o/m/``, ``index``); each output adds its name modifier and extension."""
    folder, _, base = destination.rpartition("/")
    return f"{folder}/", base


def _audio_bitrate(output: dict[str, Any]) -> int:
    for audio in output.get("AudioDescriptions") or []:
        aac = (audio.get("CodecSettings") or {}).get("AacSettings") or {}
        if aac.get("Bitrate"):
            return int(aac["Bitrate"])
    return DEFAULT_AUDIO_BITRATE


def _h264_aac(source: Path, size: Size, audio_bitrate: int) -> list[str]:
    """ffmpeg input and codec arguments shared by the HLS renditions and the MP4: the first
    video stream scaled to ``size`` (H.264), the first audio stream if any (AAC stereo)."""
    return [
        "-i", str(source), "-map", "0:v:0", "-map", "0:a:0?", "-vf", f"scale={size[0]}:{size[1]}",
        "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p",
        "-c:a", "aac", "-ac", "2", "-b:a", str(audio_bitrate),
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
        """Fetch the input from S3, render the job, put every output where the job says."""
        s3 = boto3.client("s3")
        source_bucket, source_key = _split(settings["Inputs"][0]["FileInput"])
        with tempfile.TemporaryDirectory(prefix="snapstream-transcode-") as work:
            source, out = Path(work) / "source", Path(work) / "out"
            s3.download_file(source_bucket, source_key, str(source))
            out.mkdir()
            groups = self.render(source, settings, out)
            bucket, prefix = _split(destination_parts(_destination(settings["OutputGroups"][0]))[0])
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

    def render(self, source: Path, settings: dict[str, Any], out: Path) -> list[dict[str, Any]]:
        """Write every output of the job for ``source`` into ``out`` (every group shares the
        media's folder); returns the ``outputGroupDetails`` MediaConvert would report."""
        facts = probe(source, self.ffprobe)
        duration_ms = int(facts.get("duration_seconds", 0) * 1000)
        size = source_size(source, self.ffprobe)
        if size is None:
            raise ValueError("the input has no video stream")
        [hls] = _group(settings, "HLS_GROUP_SETTINGS")
        groups = [self._hls(source, hls, size, out, duration_ms)]
        for group in _group(settings, "FILE_GROUP_SETTINGS"):
            folder, base = destination_parts(_destination(group))
            for output in group["Outputs"]:
                groups.append(
                    self._file_output(
                        source, out, f"{folder}{base}", output, size=size, duration_ms=duration_ms
                    )
                )
        return groups

    def _hls(
        self, source: Path, group: dict[str, Any], size: Size, out: Path, duration_ms: int
    ) -> dict[str, Any]:
        folder, base = destination_parts(_destination(group))
        audio = _audio_bitrate(next(o for o in group["Outputs"] if o.get("VideoDescription")))
        details, master = [], ["#EXTM3U", "#EXT-X-VERSION:3"]
        for rendition in hls_renditions(group, size):
            name = f"{base}{rendition.name_modifier}"
            self._hls_rendition(source, rendition, audio, out, name)
            master += [
                f"#EXT-X-STREAM-INF:BANDWIDTH={rendition.max_bitrate + audio},"
                f"RESOLUTION={rendition.width}x{rendition.height}",
                f"{name}.m3u8",
            ]
            details.append(
                {
                    "outputFilePaths": [f"{folder}{name}.m3u8"],
                    "durationInMs": duration_ms,
                    "videoDetails": {"widthInPx": rendition.width, "heightInPx": rendition.height},
                }
            )
        (out / f"{base}.m3u8").write_text("\n".join(master) + "\n")
        return {
            "type": "HLS_GROUP",
            "playlistFilePaths": [f"{folder}{base}.m3u8"],
            "outputDetails": details,
        }

    def _hls_rendition(
        self, source: Path, rendition: HlsRendition, audio: int, out: Path, name: str
    ) -> None:
        self._ffmpeg(
            *_h264_aac(source, (rendition.width, rendition.height), audio),
            "-maxrate", str(rendition.max_bitrate), "-bufsize", str(rendition.max_bitrate * 2),
            "-f", "hls", "-hls_time", "6", "-hls_playlist_type", "vod",
            "-hls_segment_filename", str(out / f"{name}_%05d.ts"), str(out / f"{name}.m3u8"),
        )  # fmt: skip

    def _file_output(
        self,
        source: Path,
        out: Path,
        destination: str,
        output: dict[str, Any],
        *,
        size: Size,
        duration_ms: int,
    ) -> dict[str, Any]:
        folder, base = destination_parts(destination)
        modifier, video = output.get("NameModifier", ""), output.get("VideoDescription") or {}
        width, height = output_size(size, video)
        codec = (video.get("CodecSettings") or {}).get("Codec")
        if codec == "FRAME_CAPTURE":
            capture = video["CodecSettings"]["FrameCaptureSettings"]
            rate = capture.get("FramerateNumerator", 1) / capture.get("FramerateDenominator", 1)
            self._ffmpeg(
                "-i", str(source), "-vf", f"fps={rate},scale={width}:{height}",
                "-frames:v", str(capture.get("MaxCaptures", 1)), "-start_number", "0",
                str(out / f"{base}{modifier}.%07d.jpg"),
            )  # fmt: skip
            paths = [f"{folder}{p.name}" for p in sorted(out.glob(f"{base}{modifier}.*.jpg"))]
            return {"type": "FILE_GROUP", "outputDetails": [{"outputFilePaths": paths}]}
        name = f"{base}{modifier}.mp4"
        self._ffmpeg(
            *_h264_aac(source, (width, height), _audio_bitrate(output)),
            "-movflags", "+faststart", str(out / name),
        )  # fmt: skip
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
