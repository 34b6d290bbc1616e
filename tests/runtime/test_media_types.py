from __future__ import annotations

from pathlib import Path

import pytest

from snapstream_runtime.media_types import (
    ALIASES,
    ALLOWED,
    UnsupportedType,
    canonical_type,
    type_for_file_name,
)
from snapstream_runtime.sniffing import SNIFF_BYTES, sniff
from tests.e2e.media_files import sample_bytes
from tests.runtime.samples import SAMPLES, id3_tag, ogg_page

#: (declared type, extension): every accepted pair
EVERY_EXTENSION = [(t, e) for t in sorted(ALLOWED) for e in ALLOWED[t].extensions]


@pytest.mark.parametrize(("name", "expected"), [(n, t) for n, (_, t) in SAMPLES.items()])
def test_sniffs_every_accepted_format_from_its_first_bytes(name: str, expected: str) -> None:
    head = SAMPLES[name][0][:SNIFF_BYTES]
    detected = sniff(head)
    assert detected is not None, name
    assert expected in detected.compatible


@pytest.mark.parametrize(("content_type", "extension"), EVERY_EXTENSION)
def test_a_real_file_of_every_accepted_type_is_recognized(
    content_type: str, extension: str
) -> None:
    """Written by ffmpeg or Pillow (pillow-heif for HEIC and HEIF): its first bytes say what it
    is, and that is what it may be declared as."""
    detected = sniff(sample_bytes(extension)[:SNIFF_BYTES])
    assert detected is not None and content_type in detected.compatible


@pytest.mark.parametrize(
    "head",
    [
        b"",
        b"hello world, this is text",
        b"%PDF-1.7\n",
        b"PK\x03\x04zip",
        b"<?xml version='1.0'?>",
        b"G" + b"\x00" * 100,  # one MPEG-TS sync byte is not a transport stream
        b"G" + b"\x00" * 187 + b"G" + b"\x00" * 187 + b"\x00" * 100,  # the third is missing
        b"\x1a\x45\xdf\xa3" + b"\x00" * 40,  # EBML without a DocType
        b"\x1a\x45\xdf\xa3\x42\x82\x84abcd" + b"\x00" * 40,  # another EBML document
    ],
)
def test_other_content_is_not_media(head: bytes) -> None:
    assert sniff(head) is None


@pytest.mark.parametrize(
    ("head", "description", "why"),
    [
        (ogg_page(b"\x01vorbis"), "an Ogg Vorbis audio file", "Opus"),
        (ogg_page(b"\x80theora"), "an Ogg Theora video", "Opus"),
        (ogg_page(b"????"), "an Ogg file", "Opus"),
        (SAMPLES["heic"][0].replace(b"heic", b"avif"), "an AVIF image", "AVIF"),
    ],
)
def test_formats_recognized_only_to_be_refused(head: bytes, description: str, why: str) -> None:
    detected = sniff(head)
    assert detected is not None
    assert (detected.description, detected.compatible, detected.content_type) == (
        description,
        frozenset(),
        "",
    )
    assert why in detected.refusal


def test_flac_behind_an_id3_tag_and_m2ts_packets_are_recognized() -> None:
    flac = sniff(id3_tag(100) + sample_bytes(".flac"))
    assert flac is not None and flac.compatible == {"audio/flac"}
    mp3 = sniff(id3_tag(100) + b"\xff\xfb\x90\x64" + b"\x00" * 300)
    assert mp3 is not None and mp3.compatible == {"audio/mpeg"}
    m2ts = sample_bytes(".m2ts")
    assert m2ts[4] == 0x47 and m2ts[0] != 0x47  # a 4-byte timestamp before each packet
    detected = sniff(m2ts[:SNIFF_BYTES])
    assert detected is not None and detected.compatible == {"video/mp2t"}


def test_a_webm_file_is_a_matroska_file_too() -> None:
    webm = sniff(sample_bytes(".webm")[:SNIFF_BYTES])
    mkv = sniff(sample_bytes(".mkv")[:SNIFF_BYTES])
    assert webm is not None and webm.compatible == {"video/webm", "video/x-matroska"}
    assert mkv is not None and mkv.compatible == {"video/x-matroska"}


def test_every_type_has_a_label_a_description_and_its_own_extensions() -> None:
    labels = [t.label for t in ALLOWED.values()]
    assert all(labels) and len(set(labels)) == len(labels)
    assert all(t.description.startswith(("a ", "an ")) for t in ALLOWED.values())
    extensions = [e for t in ALLOWED.values() for e in t.extensions]
    assert len(set(extensions)) == len(extensions)
    assert all(target in ALLOWED and alias not in ALLOWED for alias, target in ALIASES.items())


def test_a_png_is_not_compatible_with_video() -> None:
    detected = sniff(SAMPLES["png"][0])
    assert detected is not None
    assert "video/mp4" not in detected.compatible


def test_aliases_and_parameters_are_understood() -> None:
    assert canonical_type("image/JPG").content_type == "image/jpeg"
    assert canonical_type("audio/x-wav; codecs=1").content_type == "audio/wav"
    assert canonical_type("audio/x-m4a").content_type == "audio/mp4"
    assert canonical_type("image/x-tiff").content_type == "image/tiff"
    assert canonical_type("video/matroska").content_type == "video/x-matroska"
    assert canonical_type("video/avi").content_type == "video/x-msvideo"
    assert canonical_type("video/vnd.dlna.mpeg-tts").content_type == "video/mp2t"
    assert canonical_type("audio/x-flac").content_type == "audio/flac"
    assert canonical_type("audio/opus").content_type == "audio/ogg"
    assert type_for_file_name("interview.opus", "audio/opus").content_type == "audio/ogg"
    assert type_for_file_name("camera.MTS", "video/mp2t").content_type == "video/mp2t"


@pytest.mark.parametrize(
    ("file_name", "content_type", "message"),
    [
        ("notes.pdf", "application/pdf", "not accepted"),
        ("movie.mp4", "image/png", "declared as image/png"),
        ("photo", "image/png", "no extension"),
        ("x.exe", "video/mp4", "'.exe'"),
        ("clip.wmv", "video/x-ms-wmv", "not accepted"),
        ("photo.heic", "image/heif", "expected .heif"),
        ("scan.tiff", "image/png", "declared as image/png"),
    ],
)
def test_bad_declarations_are_refused_clearly(
    file_name: str, content_type: str, message: str
) -> None:
    with pytest.raises(UnsupportedType, match=message):
        type_for_file_name(file_name, content_type)


def test_the_formats_table_in_the_docs_names_every_accepted_type() -> None:
    table = (Path(__file__).parents[2] / "docs" / "analysis.md").read_text()
    missing = [
        t.content_type
        for t in ALLOWED.values()
        if f"| {t.label} | `{t.content_type}` (" not in table
        or not all(e in table.split(f"| {t.label} |")[1].split("\n")[0] for e in t.extensions)
    ]
    assert missing == []
