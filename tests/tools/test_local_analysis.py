"""make dev's analysis runs the duplicate check AWS runs, on the real SHA-256 of the upload."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from snapstream_runtime import lifecycle
from snapstream_runtime.adapters.table import Table
from snapstream_runtime.ingest import ObjectCreated, ingest
from snapstream_runtime.lifecycle import Status
from snapstream_runtime.settings import Settings
from tests.runtime.conftest import (  # noqa: F401 (the runtime tests' moto fixtures)
    _isolated_aws,
    ingest_environment,
    local_aws,
    settings,
)
from tests.runtime.uploads_helpers import put_object, ticket_for
from tools.local.analysis import LocalOutcome, analyse_locally
from tools.local.aws import LocalResources


@pytest.fixture
def local_settings(settings: Settings, local_aws: LocalResources) -> Settings:  # noqa: F811
    return dataclasses.replace(
        settings, media_bucket=local_aws.names[local_aws.find("MediaBucket")]
    )


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (24, 16), (30, 90, 200)).save(out, format="PNG")
    return out.getvalue()


def _mp4(folder: Path) -> bytes:
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        pytest.fail("ffmpeg is missing: `make setup` installs Debian's ffmpeg package")
    path = folder / "clip.mp4"
    subprocess.run(
        [ffmpeg, "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=duration=1:size=64x48",
         "-c:v", "libx264", "-pix_fmt", "yuv420p", str(path)],
        check=True, timeout=60,
    )  # fmt: skip
    return path.read_bytes()


def _analysed(config: Settings, name: str, content_type: str, body: bytes) -> lifecycle.Media:
    ticket = ticket_for(config, name, content_type, len(body))
    version = put_object(config, ticket.key, body)
    ingest(ObjectCreated(config.uploads_bucket, ticket.key, version), config)
    detail = {"media_id": ticket.media_id, "bucket": config.uploads_bucket}
    assert analyse_locally(detail, config) is LocalOutcome.ANALYSED
    media = lifecycle.load(Table(config.table_name), ticket.media_id)
    assert media is not None
    return media


def test_a_second_upload_of_the_same_image_is_reported_as_a_duplicate(
    local_settings: Settings,
) -> None:
    body = _png()
    first = _analysed(local_settings, "lake.png", "image/png", body)
    second = _analysed(local_settings, "lake again.png", "image/png", body)
    other = _analysed(local_settings, "other.png", "image/png", body + b"\0")  # other bytes
    sha256 = hashlib.sha256(body).hexdigest()
    assert first.item["content_hash"] == second.item["content_hash"] == sha256
    assert "duplicate_of" not in first.item and "duplicate_of" not in other.item
    assert second.item["duplicate_of"] == first.media_id
    assert second.status is Status.READY
    # The claim is the one AWS's analysis makes (and deletion removes): the first upload's.
    claim = Table(local_settings.table_name).get(pk=f"HASH#{first.owner_id}#{sha256}", sk="HASH")
    assert claim is not None and claim["media_id"] == first.media_id


def test_videos_are_not_hashed_for_duplicates_as_on_aws(
    local_settings: Settings, tmp_path: Path
) -> None:
    body = _mp4(tmp_path)
    _analysed(local_settings, "a.mp4", "video/mp4", body)
    again = _analysed(local_settings, "b.mp4", "video/mp4", body)
    assert "duplicate_of" not in again.item and "content_hash" not in again.item
