"""The formats a newsroom has, through ``make dev``'s platform over HTTP: a WebM video, a FLAC
recording and a TIFF scan, uploaded through the site, each reach ``ready``, and each can be
watched, heard or seen: the video as the HLS ladder (ffmpeg reads the WebM as MediaConvert
does), the recording as the original FLAC a browser plays, the scan through its JPEG rendition
(browsers do not show TIFF). Tiny files (a second of each), so the module stays quick."""

from __future__ import annotations

import io
from pathlib import Path

import requests
from PIL import Image

from tests.e2e.media_files import media_file
from tests.e2e.test_local_platform import Visitor
from tools.local.platform import LocalPlatform


def test_webm_flac_and_tiff_reach_ready_and_play_or_show(
    platform: LocalPlatform, tmp_path: Path
) -> None:
    visitor = Visitor(platform.site_url)
    visitor.register("newsroom")
    clip = visitor.upload(media_file(tmp_path / "rushes.webm"), "video/webm")
    recording = visitor.upload(media_file(tmp_path / "interview.flac"), "audio/flac")
    scan = visitor.upload(media_file(tmp_path / "archive scan.tif"), "image/tiff")
    visitor.wait_until_ready([clip, recording, scan])

    # The WebM video: transcoded into the HLS ladder and the MP4, playable.
    access = visitor.api("GET", f"/api/media/{clip}/playback")
    master = visitor.http.get(f"{platform.site_url}{access['urls']['hls']}", timeout=10)
    assert master.ok and master.text.startswith("#EXTM3U")
    base = access["urls"]["hls"].rsplit("/", 1)[0]
    variant = next(line for line in master.text.splitlines() if line.endswith(".m3u8"))
    playlist = visitor.http.get(f"{platform.site_url}{base}/{variant}", timeout=10).text
    segment = next(line for line in playlist.splitlines() if line.endswith(".ts"))
    data = visitor.http.get(f"{platform.site_url}{base}/{segment}", timeout=10)
    assert data.ok and data.content[:1] == b"\x47"  # MPEG-TS sync byte
    video = visitor.api("GET", f"/api/media/{clip}")
    assert video["content_type"] == "video/webm" and video["thumbnail_url"]
    assert video["analysis"]["local"]["video_codec"] == "vp8"

    # The FLAC recording: served as FLAC, inline-playable by the page's audio element.
    sound = visitor.api("GET", f"/api/media/{recording}")
    assert sound["analysis"]["local"]["audio_codec"] == "flac"
    assert 0.9 <= sound["analysis"]["local"]["duration_seconds"] <= 1.2
    served = requests.get(sound["original_url"], timeout=10)
    assert served.ok and served.headers["Content-Type"] == "audio/flac"
    assert served.content[:4] == b"fLaC"

    # The TIFF scan: its facts, a thumbnail, and the JPEG rendition the page shows.
    picture = visitor.api("GET", f"/api/media/{scan}")
    assert picture["image"]["format"] == "TIFF" and picture["image"]["width"] == 96
    shown = requests.get(picture["image_url"], timeout=10)
    assert shown.ok and shown.headers["Content-Type"] == "image/jpeg"
    with Image.open(io.BytesIO(shown.content)) as jpeg:
        assert (jpeg.format, jpeg.size) == ("JPEG", (96, 64))
    thumbnail = requests.get(picture["thumbnail_url"], timeout=10)
    assert thumbnail.ok and thumbnail.content[:2] == b"\xff\xd8"
    original = requests.get(picture["original_url"], timeout=10)
    assert original.headers["Content-Type"] == "image/tiff" and original.content[:4] == b"II*\x00"


def test_every_other_new_format_reaches_ready(platform: LocalPlatform, tmp_path: Path) -> None:
    """HEIC and HEIF photos, MKV, AVI and MPEG-TS videos, Ogg Opus audio: each one second or a
    few pixels, each processed to ready (the images with their rendition)."""
    visitor = Visitor(platform.site_url)
    visitor.register("formats")
    declared = {
        "iphone.heic": "image/heic",
        "camera.heif": "image/heif",
        "rushes.mkv": "video/x-matroska",
        "archive.avi": "video/x-msvideo",
        "camcorder.mts": "video/mp2t",
        "voice.opus": "audio/ogg",
    }
    uploaded = {
        name: visitor.upload(media_file(tmp_path / name), content_type)
        for name, content_type in declared.items()
    }
    visitor.wait_until_ready(list(uploaded.values()))
    for name in ("iphone.heic", "camera.heif"):
        photo = visitor.api("GET", f"/api/media/{uploaded[name]}")
        assert photo["image"]["format"] == "HEIF"
        shown = requests.get(photo["image_url"], timeout=10)
        assert shown.ok and shown.content[:3] == b"\xff\xd8\xff"
    for name in ("rushes.mkv", "archive.avi", "camcorder.mts"):
        assert visitor.api("GET", f"/api/media/{uploaded[name]}/playback")["urls"]["hls"]
    voice = visitor.api("GET", f"/api/media/{uploaded['voice.opus']}")
    assert voice["analysis"]["local"]["audio_codec"] == "opus"
