"""What a file's first bytes say it really is, whatever it was declared as.

Ingest judges every upload by its own first :data:`SNIFF_BYTES` bytes (images: the first bytes
of their header read), because a browser's declared type is only a claim. Some formats are
recognized only to be refused with a clear reason (an Ogg Vorbis file is not an Ogg Opus file,
an AVIF image is not a HEIF image SnapStream decodes): their :class:`Detected` is compatible
with no declared type.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Enough for every signature below: three MPEG transport stream packets (188 bytes each, 192
#: in an M2TS file), and a short ID3 tag in front of a FLAC stream's marker.
SNIFF_BYTES = 512


@dataclass(frozen=True)
class Detected:
    """What the bytes are, and which declared types they are consistent with (none for a
    format SnapStream recognizes but does not accept; ``refusal`` then says why)."""

    description: str
    compatible: frozenset[str]
    refusal: str = ""

    @property
    def content_type(self) -> str:
        """The type the bytes are stored as: the first compatible one ("" if none is)."""
        return min(self.compatible, default="")


def _only(description: str, content_type: str) -> Detected:
    return Detected(description, frozenset({content_type}))


_TIFF = (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")  # classic and BigTIFF, both orders
_EBML = b"\x1a\x45\xdf\xa3"
_TS_PACKET, _M2TS_PACKET, _TS_SYNC = 188, 192, 0x47


def sniff(head: bytes) -> Detected | None:
    """Identify an image, video or audio file from its first bytes; None if it is none of ours."""
    if head.startswith(b"\xff\xd8\xff"):
        return _only("a JPEG image", "image/jpeg")
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return _only("a PNG image", "image/png")
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return _only("a GIF image", "image/gif")
    if head[:4] in _TIFF:
        return _only("a TIFF image", "image/tiff")
    if head[:4] == b"RIFF":
        return _riff(head[8:12])
    if head[4:8] == b"ftyp":
        return _iso_media(head)
    if head[4:8] in (b"moov", b"mdat", b"wide", b"free", b"skip"):
        return _only("a QuickTime video", "video/quicktime")
    if head.startswith(_EBML):
        return _matroska(head)
    if head.startswith(b"OggS"):
        return _ogg(head)
    if head.startswith(b"fLaC") or _after_id3(head).startswith(b"fLaC"):
        return _only("a FLAC audio file", "audio/flac")
    if _transport_stream(head):
        return _only("an MPEG transport stream video", "video/mp2t")
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return _only("an MP3 audio file", "audio/mpeg")
    return None


def _riff(form: bytes) -> Detected | None:
    """RIFF files by their form type: WebP, WAV, AVI."""
    return {
        b"WEBP": _only("a WebP image", "image/webp"),
        b"WAVE": _only("a WAV audio file", "audio/wav"),
        b"AVI ": _only("an AVI video", "video/x-msvideo"),
    }.get(form)


_GENERIC_ISO = frozenset({"video/mp4", "video/quicktime", "audio/mp4"})
#: HEIF brands of HEVC-coded images (HEIC): image, image collection, sequence, and their
#: extended variants.
_HEIC_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs"})
#: HEIF's structural brands: the codec is in the compatible brands.
_HEIF_BRANDS = frozenset({b"mif1", b"msf1", b"mif2"})
_AVIF_BRANDS = frozenset({b"avif", b"avis"})
_HEIF_TYPES = frozenset({"image/heic", "image/heif"})


def _brands(head: bytes) -> set[bytes]:
    """The ``ftyp`` box's major brand and compatible brands (those within ``head``)."""
    size = min(int.from_bytes(head[:4], "big"), len(head))
    return {head[8:12]} | {head[at : at + 4] for at in range(16, size - 3, 4)}


def _iso_media(head: bytes) -> Detected:
    """ISO base media files (HEIF images, MP4, MOV, M4A) by their brands."""
    major, brands = head[8:12], _brands(head)
    if major in _HEIC_BRANDS or (major in _HEIF_BRANDS and brands & _HEIC_BRANDS):
        return Detected("a HEIC image", _HEIF_TYPES)
    if major in _AVIF_BRANDS or (major in _HEIF_BRANDS and brands & _AVIF_BRANDS):
        return Detected("an AVIF image", frozenset(), "AVIF images are not accepted")
    if major in _HEIF_BRANDS:
        return Detected("a HEIF image", _HEIF_TYPES)
    if major == b"qt  ":
        return _only("a QuickTime video", "video/quicktime")
    if major in (b"M4A ", b"M4B "):
        return _only("an M4A audio file", "audio/mp4")
    # isom, iso2..iso9, mp41, mp42, avc1, M4V, dash, ...: the brand does not say video or audio.
    return Detected("an MP4 file", _GENERIC_ISO)


def _ebml_size(head: bytes, at: int) -> tuple[int, int] | None:
    """An EBML variable-size integer at ``at``: (value, its length in bytes)."""
    if at >= len(head) or head[at] == 0:
        return None
    length = 8 - head[at].bit_length() + 1
    if at + length > len(head):
        return None
    value = head[at] & (0xFF >> length)
    for byte in head[at + 1 : at + length]:
        value = value << 8 | byte
    return value, length


def _matroska(head: bytes) -> Detected | None:
    """Matroska and WebM share the EBML header; its DocType (element 0x4282) tells them apart.
    A WebM file is a Matroska file too, so it may be declared as either."""
    at = head.find(b"\x42\x82", 4)
    size = _ebml_size(head, at + 2) if at > 0 else None
    if size is None:
        return None
    start = at + 2 + size[1]
    doc_type = head[start : start + size[0]].rstrip(b"\x00")
    if doc_type == b"webm":
        return Detected("a WebM video", frozenset({"video/webm", "video/x-matroska"}))
    if doc_type == b"matroska":
        return _only("a Matroska video", "video/x-matroska")
    return None


#: the first packet of an Ogg stream names its codec
_OGG_CODECS = {
    b"\x01vorbis": "an Ogg Vorbis audio file",
    b"\x7fFLAC": "an Ogg FLAC audio file",
    b"Speex   ": "an Ogg Speex audio file",
    b"\x80theora": "an Ogg Theora video",
}
_OGG_REFUSAL = "Ogg files are accepted with Opus audio, the Ogg codec Amazon Transcribe reads"


def _ogg(head: bytes) -> Detected:
    """An Ogg page: 27 bytes of header, then the segment table, then the first packet."""
    packet = head[27 + head[26] :] if len(head) > 26 else b""
    if packet.startswith(b"OpusHead"):
        return _only("an Ogg Opus audio file", "audio/ogg")
    for signature, description in _OGG_CODECS.items():
        if packet.startswith(signature):
            return Detected(description, frozenset(), _OGG_REFUSAL)
    return Detected("an Ogg file", frozenset(), _OGG_REFUSAL)


def _after_id3(head: bytes) -> bytes:
    """What follows an ID3v2 tag at the start (some tools put one in front of a FLAC stream)."""
    if not head.startswith(b"ID3") or len(head) < 10:
        return b""
    size = 0
    for byte in head[6:10]:  # a "synchsafe" integer: 7 bits a byte
        size = size << 7 | (byte & 0x7F)
    footer = 10 if head[5] & 0x10 else 0
    return head[10 + size + footer :]


def _transport_stream(head: bytes) -> bool:
    """MPEG-TS: a sync byte every 188 bytes (M2TS: every 192, after a 4-byte timestamp), at
    least three packets' worth, or every packet the head holds when the file is shorter."""
    for offset, packet in ((0, _TS_PACKET), (4, _M2TS_PACKET)):
        starts = range(offset, len(head), packet)
        if len(starts) >= 2 and all(head[at] == _TS_SYNC for at in starts[:3]):
            return True
    return False
