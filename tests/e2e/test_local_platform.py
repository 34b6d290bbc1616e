"""``make dev``'s platform end to end over HTTP: a real image, a short video and an audio clip
uploaded through the site are processed by the real handlers with the local stand-ins; the video
comes out as an HLS ladder the site serves, the others with their local analysis."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.e2e.media_files import audio_file, image_file, video_file
from tools.local.platform import LocalPlatform

PASSWORD = "a long enough passphrase"


class Visitor:
    def __init__(self, site: str) -> None:
        self.site, self.http = site, requests.Session()
        page = self.http.get(f"{site}/register", timeout=10).text
        self.csrf = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)  # type: ignore[union-attr]

    def register(self, name: str) -> None:
        form = {
            "email": f"{name}@example.com",
            "username": name,
            "password": PASSWORD,
            "confirm": PASSWORD,
            "csrf_token": self.csrf,
        }
        assert self.http.post(f"{self.site}/register", data=form, timeout=10).ok
        # make dev sends no e-mail: the verification link waits in the local outbox
        to = re.escape(form["email"])
        pattern = re.compile(
            rf'to <strong>{to}</strong>.*?href="([^"]+/verify-email)#([^"]+)"', re.S
        )
        for _ in range(50):  # the site writes it just after its answer
            outbox = self.http.get(f"{self.site}/dev/outbox", timeout=10).text
            if link := pattern.search(outbox):
                break
            time.sleep(0.1)
        assert link, outbox
        self.csrf = self._csrf_of(self.http.get(link.group(1), timeout=10).text)
        confirm = {"token": link.group(2), "csrf_token": self.csrf}  # as link_token.js does
        assert self.http.post(link.group(1), data=confirm, timeout=10).ok
        login = {"email": form["email"], "password": PASSWORD, "csrf_token": self.csrf}
        assert self.http.post(f"{self.site}/login", data=login, timeout=10).ok
        self.csrf = self.http.get(f"{self.site}/api/session", timeout=10).json()["csrf_token"]

    @staticmethod
    def _csrf_of(page: str) -> str:
        return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)  # type: ignore[union-attr]

    def api(self, method: str, path: str, body: Any = None) -> Any:
        response = self.http.request(
            method, f"{self.site}{path}", json=body, headers={"X-CSRF-Token": self.csrf}, timeout=30
        )
        assert response.ok, response.text
        return response.json()

    def upload(self, path: Path, content_type: str) -> str:
        body = path.read_bytes()
        ticket = self.api(
            "POST",
            "/api/uploads",
            {"file_name": path.name, "content_type": content_type, "size": len(body)},
        )
        posted = requests.post(
            ticket["url"],
            data=ticket["fields"],
            files={"file": (path.name, body, content_type)},
            timeout=30,
        )
        assert posted.ok, posted.text
        return str(ticket["media_id"])

    def wait_until_ready(self, media_ids: list[str], timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.api("GET", f"/api/media/status?ids={','.join(media_ids)}")
            states = {m: found.get(m, {}).get("status") for m in media_ids}
            if all(s == "ready" for s in states.values()):
                return
            assert not any(s in {"failed", "rejected"} for s in states.values()), states
            time.sleep(0.5)
        pytest.fail(f"not ready after {timeout} s: {states}")


def test_upload_image_video_and_audio_and_see_them_processed(
    platform: LocalPlatform, tmp_path: Path
) -> None:
    visitor = Visitor(platform.site_url)
    visitor.register("localuser")
    image = visitor.upload(image_file(tmp_path / "boats.png"), "image/png")
    clip = visitor.upload(video_file(tmp_path / "clip.mp4"), "video/mp4")
    audio = visitor.upload(audio_file(tmp_path / "tone.mp3"), "audio/mpeg")
    visitor.wait_until_ready([image, clip, audio])

    # The video: an HLS ladder from the same job template, served by the site, playable.
    access = visitor.api("GET", f"/api/media/{clip}/playback")
    master = visitor.http.get(f"{platform.site_url}{access['urls']['hls']}", timeout=10)
    assert master.ok and master.text.startswith("#EXTM3U")
    variants = [line for line in master.text.splitlines() if line.endswith(".m3u8")]
    # a 320x240 source: one rendition at its own size, never upscaled
    assert variants == ["index_abr_240p.m3u8"]
    assert "RESOLUTION=320x240" in master.text
    base = access["urls"]["hls"].rsplit("/", 1)[0]
    playlist = visitor.http.get(f"{platform.site_url}{base}/{variants[0]}", timeout=10).text
    segment = next(line for line in playlist.splitlines() if line.endswith(".ts"))
    data = visitor.http.get(f"{platform.site_url}{base}/{segment}", timeout=10)
    assert data.ok and data.content[:1] == b"\x47"  # MPEG-TS sync byte
    mp4 = visitor.http.get(f"{platform.site_url}{access['urls']['mp4']}", timeout=10)
    assert mp4.ok and mp4.content[4:8] == b"ftyp"
    video = visitor.api("GET", f"/api/media/{clip}")
    assert video["thumbnail_url"] and video["duration_ms"] >= 1500
    assert video["steps"]["transcode"]["state"] == "complete"
    assert video["analysis"]["local"]["video_codec"] == "h264"
    # Another user cannot fetch its files.
    stranger = Visitor(platform.site_url)
    stranger.register("stranger")
    assert (
        stranger.http.get(f"{platform.site_url}{access['urls']['hls']}", timeout=10).status_code
        == 404
    )

    # The image: a preview thumbnail and local facts, labelled as local.
    picture = visitor.api("GET", f"/api/media/{image}")
    local = picture["analysis"]["local"]
    assert local["width"] == 96 and len(local["sha256"]) == 64
    assert "make dev" in local["analysed_by"] and "run on AWS" in local["note"]
    assert "labels" not in picture["analysis"]  # nothing pretends to be Rekognition
    thumbnail = requests.get(picture["thumbnail_url"], timeout=10)
    assert thumbnail.ok and thumbnail.content[:2] == b"\xff\xd8"

    # The audio: its duration, from ffprobe.
    sound = visitor.api("GET", f"/api/media/{audio}")
    assert 0.9 <= sound["analysis"]["local"]["duration_seconds"] <= 1.2
    assert sound["analysis"]["local"]["audio_codec"] == "mp3"
    page = visitor.http.get(f"{platform.site_url}/media/{audio}", timeout=10).text
    assert "Local analysis" in page and "run on AWS" in page
