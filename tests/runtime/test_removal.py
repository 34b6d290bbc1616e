"""The idempotent pieces of a deletion: prefixes, never broader than one media's folder."""

from __future__ import annotations

import pytest

from snapstream_runtime import removal


def test_broad_prefixes_are_refused() -> None:
    for prefix in ["", "uploads/", "media/abc/", "media/abc"]:
        with pytest.raises(ValueError, match="broad prefix"):
            removal.delete_prefix("bucket", prefix)


def test_a_media_has_exactly_two_folders() -> None:
    owner, media = "a" * 32, "b" * 32
    assert removal.upload_prefix(owner, media) == f"uploads/{owner}/{media}/"
    assert removal.media_prefix(owner, media) == f"media/{owner}/{media}/"
