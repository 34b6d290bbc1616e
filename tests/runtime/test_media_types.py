from __future__ import annotations

import pytest

from snapstream_runtime.media_types import (
    SNIFF_BYTES,
    UnsupportedType,
    canonical_type,
    sniff,
    type_for_file_name,
)
from tests.runtime.samples import SAMPLES


@pytest.mark.parametrize(("name", "expected"), [(n, t) for n, (_, t) in SAMPLES.items()])
def test_sniffs_every_accepted_format_from_its_first_bytes(name: str, expected: str) -> None:
    head = SAMPLES[name][0][:SNIFF_BYTES]
    detected = sniff(head)
    assert detected is not None, name
    assert expected in detected.compatible


@pytest.mark.parametrize(
    "head",
    [b"", b"hello world, this is text", b"%PDF-1.7\n", b"PK\x03\x04zip", b"<?xml version='1.0'?>"],
)
def test_other_content_is_not_media(head: bytes) -> None:
    assert sniff(head) is None


def test_a_png_is_not_compatible_with_video() -> None:
    detected = sniff(SAMPLES["png"][0])
    assert detected is not None
    assert "video/mp4" not in detected.compatible


def test_aliases_and_parameters_are_understood() -> None:
    assert canonical_type("image/JPG").content_type == "image/jpeg"
    assert canonical_type("audio/x-wav; codecs=1").content_type == "audio/wav"
    assert canonical_type("audio/x-m4a").content_type == "audio/mp4"


@pytest.mark.parametrize(
    ("file_name", "content_type", "message"),
    [
        ("notes.pdf", "application/pdf", "not accepted"),
        ("movie.mp4", "image/png", "declared as image/png"),
        ("photo", "image/png", "no extension"),
        ("x.exe", "video/mp4", "'.exe'"),
        ("clip.avi", "video/x-msvideo", "not accepted"),
    ],
)
def test_bad_declarations_are_refused_clearly(
    file_name: str, content_type: str, message: str
) -> None:
    with pytest.raises(UnsupportedType, match=message):
        type_for_file_name(file_name, content_type)
