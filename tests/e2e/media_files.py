"""Real small media files for the browser and local-platform tests (Pillow, ffmpeg)."""

from __future__ import annotations

import functools
import io
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from PIL import Image, ImageDraw


def image_file(path: Path) -> Path:
    picture = Image.new("RGB", (96, 64), "#1d5fa8")
    ImageDraw.Draw(picture).ellipse((20, 10, 76, 54), fill="#f2c14e")
    buffer = io.BytesIO()
    picture.save(buffer, "PNG")
    path.write_bytes(buffer.getvalue())
    return path


def _ffmpeg(*arguments: str) -> None:
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        pytest.fail("ffmpeg is missing: `make setup` installs Debian's ffmpeg package")
    subprocess.run([ffmpeg, "-v", "error", "-y", *arguments], check=True, timeout=60)


def video_file(path: Path, seconds: int = 2) -> Path:
    """H.264/AAC MP4 with a test pattern and a tone."""
    _ffmpeg(
        "-f", "lavfi", "-i", f"testsrc=duration={seconds}:size=320x240:rate=15",
        "-f", "lavfi", "-i", f"sine=frequency=300:duration={seconds}", "-shortest",
        "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-movflags", "+faststart",
        str(path),
    )  # fmt: skip
    return path


def audio_file(path: Path, seconds: int = 1) -> Path:
    """An MP3 tone."""
    _ffmpeg(
        "-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}",
        "-c:a", "libmp3lame", "-b:a", "64k", str(path),
    )  # fmt: skip
    return path


# -- one tiny real file of every accepted format (by extension), for ingest and the platform ---

#: ffmpeg's output arguments for a video of each container (a test pattern and a tone)
VIDEO_CODECS = {
    ".mp4": ("-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac"),
    ".mov": ("-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac"),
    ".mkv": ("-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac"),
    ".webm": ("-c:v", "libvpx", "-b:v", "200k", "-c:a", "libopus"),
    ".avi": ("-c:v", "mpeg4", "-c:a", "libmp3lame"),
    ".ts": ("-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac"),
    ".mts": ("-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-f", "mpegts"),
    ".m2ts": ("-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac"),  # 192-byte packets
}
#: ffmpeg's output arguments for a tone in each audio format
AUDIO_CODECS = {
    ".mp3": ("-c:a", "libmp3lame", "-b:a", "64k"),
    ".wav": ("-c:a", "pcm_s16le"),
    ".m4a": ("-c:a", "aac"),
    ".flac": ("-c:a", "flac"),
    ".ogg": ("-c:a", "libopus"),
    ".oga": ("-c:a", "libopus", "-f", "ogg"),
    ".opus": ("-c:a", "libopus"),
}
#: Pillow's format name for each image extension (HEIC and HEIF through pillow-heif)
IMAGE_FORMATS = {
    ".jpg": "JPEG",
    ".jpeg": "JPEG",
    ".png": "PNG",
    ".gif": "GIF",
    ".webp": "WEBP",
    ".heic": "HEIF",
    ".heif": "HEIF",
    ".tif": "TIFF",
    ".tiff": "TIFF",
}


def picture(size: tuple[int, int] = (96, 64)) -> Image.Image:
    """A small drawing with detail in it (an ellipse on a blue ground)."""
    width, height = size
    drawing = Image.new("RGB", size, "#1d5fa8")
    ImageDraw.Draw(drawing).ellipse(
        (width // 5, height // 6, width * 4 // 5, height * 5 // 6), fill="#f2c14e"
    )
    return drawing


def image_bytes(image_format: str, size: tuple[int, int] = (96, 64), **options: object) -> bytes:
    """:func:`picture` saved by Pillow as ``image_format`` (``HEIF``: HEIC, by pillow-heif)."""
    if image_format == "HEIF":
        from pillow_heif import register_heif_opener

        register_heif_opener()
    buffer = io.BytesIO()
    picture(size).save(buffer, image_format, **options)
    return buffer.getvalue()


def media_file(path: Path, seconds: int = 1) -> Path:
    """A tiny real file of the format ``path``'s extension names: a picture, a short video with
    a tone (320 x 240, 10 frames a second) or a tone."""
    extension = path.suffix.lower()
    if extension in IMAGE_FORMATS:
        path.write_bytes(image_bytes(IMAGE_FORMATS[extension]))
        return path
    tone = ("-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}")
    if extension in AUDIO_CODECS:
        _ffmpeg(*tone, *AUDIO_CODECS[extension], str(path))
        return path
    _ffmpeg(
        "-f", "lavfi", "-i", f"testsrc=duration={seconds}:size=320x240:rate=10", *tone,
        "-shortest", *VIDEO_CODECS[extension], str(path),
    )  # fmt: skip
    return path


def ogg_vorbis_file(path: Path, seconds: int = 1) -> Path:
    """An Ogg file with Vorbis audio: recognized, and refused (Ogg is accepted with Opus)."""
    _ffmpeg("-f", "lavfi", "-i", f"sine=duration={seconds}", "-c:a", "libvorbis", str(path))
    return path


@functools.cache
def sample_bytes(extension: str) -> bytes:
    """The bytes of :func:`media_file` for ``extension``, made once per test session."""
    with tempfile.TemporaryDirectory(prefix="snapstream-sample-") as folder:
        return media_file(Path(folder) / f"sample{extension}").read_bytes()
