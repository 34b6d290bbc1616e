"""Real small media files for the browser and local-platform tests (Pillow, ffmpeg)."""

from __future__ import annotations

import io
import shutil
import subprocess
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
