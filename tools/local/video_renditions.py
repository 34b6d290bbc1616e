"""Which video outputs MediaConvert's stand-in writes, and at what size (``make dev``, the bench).

A job sizes its outputs in two ways:

- a fixed output is as large as its ``Width`` x ``Height`` (``DEFAULT`` scaling; the stand-in
  stretches where MediaConvert pads, the same number of pixels), or fits within them keeping the
  source's shape, never larger than the source, with ``FIT_NO_UPSCALE``;
- an automated ABR group lets MediaConvert choose the renditions by analysing the source, never
  larger than the source nor than the base output's size (the stack's maximum resolution), at
  most ``MaxRenditions`` of them, between ``MinAbrBitrate`` and ``MaxAbrBitrate``.

That analysis exists only on AWS. The stand-in keeps automated ABR's limits with a fixed set of
candidates (:data:`CANDIDATES`, the ladder this recipe used before automated ABR): each candidate
fitted within the source and the maximum, repeated sizes once (the smaller bitrate), the largest
``MaxRenditions`` of them. A source smaller than the smallest candidate gets one rendition at its
own size.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: MediaConvert's defaults for automated ABR limits the job leaves out.
DEFAULT_MAX_RENDITIONS = 15
DEFAULT_MAX_ABR_BITRATE = 8_000_000
DEFAULT_MIN_ABR_BITRATE = 600_000


@dataclass(frozen=True)
class Rung:
    """A candidate rendition: fitted within ``width`` x ``height``, capped at ``max_bitrate``."""

    width: int
    height: int
    max_bitrate: int


CANDIDATES = (
    Rung(640, 360, 1_000_000),
    Rung(960, 540, 2_000_000),
    Rung(1280, 720, 3_000_000),
    Rung(1920, 1080, 6_000_000),
)


@dataclass(frozen=True)
class HlsRendition:
    name_modifier: str
    width: int
    height: int
    max_bitrate: int


Size = tuple[int, int]


def _even(value: float) -> int:
    """H.264 in 4:2:0 needs even sides."""
    return max(2, round(value / 2) * 2)


def fit(source: Size, box: Size, *, upscale: bool) -> Size:
    """``source``'s shape scaled to fit within ``box`` (no padding); never larger than the source
    unless ``upscale``."""
    scale = min(box[0] / source[0], box[1] / source[1])
    if not upscale:
        scale = min(scale, 1.0)
    return _even(source[0] * scale), _even(source[1] * scale)


def output_size(source: Size, video: dict[str, Any]) -> Size:
    """The frame size of a fixed output with this ``VideoDescription``."""
    box = (int(video.get("Width") or source[0]), int(video.get("Height") or source[1]))
    behaviour = video.get("ScalingBehavior", "DEFAULT")
    if behaviour == "FIT_NO_UPSCALE":
        return fit(source, box, upscale=False)
    if behaviour == "FIT":
        return fit(source, box, upscale=True)
    return box


def abr_renditions(
    source: Size, abr: dict[str, Any], base: dict[str, Any], name_modifier: str = ""
) -> list[HlsRendition]:
    """The renditions the stand-in writes for an automated ABR group (``abr``: its
    ``AbrSettings``; ``base``: its base output's ``VideoDescription``)."""
    maximum = (int(base.get("Width") or source[0]), int(base.get("Height") or source[1]))
    low = int(abr.get("MinAbrBitrate", DEFAULT_MIN_ABR_BITRATE))
    high = int(abr.get("MaxAbrBitrate", DEFAULT_MAX_ABR_BITRATE))
    chosen: dict[Size, int] = {}
    for rung in CANDIDATES:
        box = (min(rung.width, maximum[0]), min(rung.height, maximum[1]))
        chosen.setdefault(fit(source, box, upscale=False), rung.max_bitrate)
    count = int(abr.get("MaxRenditions", DEFAULT_MAX_RENDITIONS))
    return [
        HlsRendition(f"{name_modifier}_{height}p", width, height, min(max(bitrate, low), high))
        for (width, height), bitrate in list(chosen.items())[-count:]
    ]


def fixed_renditions(outputs: list[dict[str, Any]], source: Size) -> list[HlsRendition]:
    """The renditions of an HLS group that names each output's size (no automated ABR)."""
    found = []
    for output in outputs:
        video = output.get("VideoDescription") or {}
        codec = (video.get("CodecSettings") or {}).get("H264Settings") or {}
        width, height = output_size(source, video)
        bitrate = int(codec.get("MaxBitrate", DEFAULT_MAX_ABR_BITRATE))
        found.append(HlsRendition(output.get("NameModifier", ""), width, height, bitrate))
    return found


def hls_renditions(group: dict[str, Any], source: Size) -> list[HlsRendition]:
    """What an HLS output group writes for a source of this display size."""
    automated = (group.get("AutomatedEncodingSettings") or {}).get("AbrSettings")
    if automated is None:
        return fixed_renditions(group["Outputs"], source)
    [base] = [o for o in group["Outputs"] if o.get("VideoDescription")]
    return abr_renditions(source, automated, base["VideoDescription"], base.get("NameModifier", ""))
