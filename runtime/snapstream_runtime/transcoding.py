"""The transcoding recipe, in one place: the CDK job template and every job are built from it.

An H.264 HLS package set up by MediaConvert's automated ABR (at most four renditions, never above
the source's resolution nor above 1080p, 0.6 to 6 Mbit/s, AAC stereo in each), an MP4 of at most
720p for download and plain playback, and frame captures: one poster and one frame every ten
seconds; the MP4 and the frames are never upscaled either. No AWS imports: the CDK app renders the
job template from :func:`job_template_settings`; the submit handler sends :func:`job_settings`
with the per-media input and destinations (a job cannot override only the destination of a
template's output group, so each job carries the full, identical recipe and names the template
for traceability). docs/video.md explains automated ABR against a capped fixed ladder.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

AUDIO_SELECTOR = "Audio Selector 1"
HLS_GROUP = "HLS"
MP4_GROUP = "MP4"
FRAMES_GROUP = "Frames"
#: Every output is named ``index<modifier>.<ext>`` in the media's output folder
#: (``media/<owner>/<media>/``), whatever the uploaded file was called.
OUTPUT_BASENAME = "index"
ABR_NAME_MODIFIER = "_abr"
MP4_NAME_MODIFIER = "_720p"
POSTER_NAME_MODIFIER = "_poster"
FRAMES_NAME_MODIFIER = "_frame"
FRAME_INTERVAL_SECONDS = 10
MAX_FRAMES = 60


#: Never make a frame larger than the source's (and keep its shape: no padding). MediaConvert
#: refuses this inside an automated ABR group, where it never upscales anyway.
NO_UPSCALE = "FIT_NO_UPSCALE"


@dataclass(frozen=True)
class AbrLimits:
    """Automated ABR's limits on the HLS package. MediaConvert chooses the renditions (how many,
    their sizes and bitrates) from the source: never larger than the source, nor than
    ``max_width`` x ``max_height`` (the base output's size is the stack's maximum resolution)."""

    max_width: int
    max_height: int
    max_renditions: int
    max_bitrate: int
    min_bitrate: int


HLS_ABR = AbrLimits(
    max_width=1920, max_height=1080, max_renditions=4, max_bitrate=6_000_000, min_bitrate=600_000
)


@dataclass(frozen=True)
class Rendition:
    name: str
    width: int
    height: int
    max_bitrate: int
    qvbr_quality: int


MP4_RENDITION = Rendition("720p", 1280, 720, 4_000_000, 8)


def _h264_settings(**rate_control: Any) -> dict[str, Any]:
    return {
        "RateControlMode": "QVBR",
        **rate_control,
        "CodecProfile": "HIGH",
        "CodecLevel": "AUTO",
        "GopSize": 2.0,
        "GopSizeUnits": "SECONDS",
        "SceneChangeDetect": "TRANSITION_DETECTION",
        "FramerateControl": "INITIALIZE_FROM_SOURCE",
        "ParControl": "INITIALIZE_FROM_SOURCE",
    }


def _h264(rendition: Rendition) -> dict[str, Any]:
    """One fixed output (the MP4): QVBR capped at the rendition's bitrate, at most its size."""
    return {
        "Width": rendition.width,
        "Height": rendition.height,
        "ScalingBehavior": NO_UPSCALE,
        "Sharpness": 50,
        "CodecSettings": {
            "Codec": "H_264",
            "H264Settings": _h264_settings(
                MaxBitrate=rendition.max_bitrate,
                QvbrSettings={"QvbrQualityLevel": rendition.qvbr_quality},
                QualityTuningLevel="SINGLE_PASS_HQ",
            ),
        },
    }


def _abr_base(limits: AbrLimits) -> dict[str, Any]:
    """Automated ABR's base output: the settings every rendition shares. MediaConvert requires
    QVBR with multi-pass HQ and chooses each rendition's quality level and bitrates itself; the
    size given here is the stack's maximum resolution, not an output size."""
    return {
        "Width": limits.max_width,
        "Height": limits.max_height,
        "ScalingBehavior": "DEFAULT",
        "Sharpness": 50,
        "CodecSettings": {
            "Codec": "H_264",
            "H264Settings": _h264_settings(QualityTuningLevel="MULTI_PASS_HQ"),
        },
    }


def _abr_settings(limits: AbrLimits) -> dict[str, Any]:
    return {
        "AbrSettings": {
            "MaxRenditions": limits.max_renditions,
            "MaxAbrBitrate": limits.max_bitrate,
            "MinAbrBitrate": limits.min_bitrate,
        }
    }


def _aac() -> list[dict[str, Any]]:
    return [
        {
            "AudioSourceName": AUDIO_SELECTOR,
            "CodecSettings": {
                "Codec": "AAC",
                "AacSettings": {
                    "Bitrate": 128_000,
                    "CodingMode": "CODING_MODE_2_0",
                    "SampleRate": 48_000,
                },
            },
        }
    ]


def _frame_capture(
    name_modifier: str, numerator: int, denominator: int, max_captures: int
) -> dict[str, Any]:
    return {
        "NameModifier": name_modifier,
        "Extension": "jpg",
        "ContainerSettings": {"Container": "RAW"},
        "VideoDescription": {
            "Width": 1280,
            "Height": 720,
            "ScalingBehavior": NO_UPSCALE,
            "CodecSettings": {
                "Codec": "FRAME_CAPTURE",
                "FrameCaptureSettings": {
                    "FramerateNumerator": numerator,
                    "FramerateDenominator": denominator,
                    "MaxCaptures": max_captures,
                    "Quality": 80,
                },
            },
        },
    }


def _output_groups(destination: str | None) -> list[dict[str, Any]]:
    def where(settings: dict[str, Any]) -> dict[str, Any]:
        return {**settings, "Destination": destination} if destination else settings

    return [
        {
            "Name": HLS_GROUP,
            "OutputGroupSettings": {
                "Type": "HLS_GROUP_SETTINGS",
                "HlsGroupSettings": where(
                    {
                        "SegmentLength": 6,
                        "MinSegmentLength": 0,
                        "DirectoryStructure": "SINGLE_DIRECTORY",
                        "ManifestDurationFormat": "FLOATING_POINT",
                        "OutputSelection": "MANIFESTS_AND_SEGMENTS",
                        "StreamInfResolution": "INCLUDE",
                    }
                ),
            },
            "AutomatedEncodingSettings": _abr_settings(HLS_ABR),
            "Outputs": [
                {
                    # Every rendition MediaConvert chooses carries this audio (muxed, as before);
                    # their names start with this modifier, never the main manifest's ``index``.
                    "NameModifier": ABR_NAME_MODIFIER,
                    "ContainerSettings": {"Container": "M3U8", "M3u8Settings": {}},
                    "VideoDescription": _abr_base(HLS_ABR),
                    "AudioDescriptions": _aac(),
                }
            ],
        },
        {
            "Name": MP4_GROUP,
            "OutputGroupSettings": {
                "Type": "FILE_GROUP_SETTINGS",
                "FileGroupSettings": where({}),
            },
            "Outputs": [
                {
                    "NameModifier": MP4_NAME_MODIFIER,
                    "ContainerSettings": {"Container": "MP4", "Mp4Settings": {}},
                    "VideoDescription": _h264(MP4_RENDITION),
                    "AudioDescriptions": _aac(),
                }
            ],
        },
        {
            "Name": FRAMES_GROUP,
            "OutputGroupSettings": {
                "Type": "FILE_GROUP_SETTINGS",
                "FileGroupSettings": where({}),
            },
            "Outputs": [
                _frame_capture(POSTER_NAME_MODIFIER, 1, 1, 1),
                _frame_capture(FRAMES_NAME_MODIFIER, 1, FRAME_INTERVAL_SECONDS, MAX_FRAMES),
            ],
        },
    ]


def _input(file_input: str | None) -> dict[str, Any]:
    source: dict[str, Any] = {
        "AudioSelectors": {AUDIO_SELECTOR: {"DefaultSelection": "DEFAULT"}},
        "VideoSelector": {},
        "TimecodeSource": "ZEROBASED",
    }
    if file_input:
        source["FileInput"] = file_input
    return source


def job_template_settings() -> dict[str, Any]:
    """``Settings`` of the MediaConvert job template (no input, no destinations)."""
    return {
        "TimecodeConfig": {"Source": "ZEROBASED"},
        "Inputs": [_input(None)],
        "OutputGroups": _output_groups(None),
    }


def output_folder(bucket: str, prefix: str) -> str:
    """The job destination for outputs under ``prefix`` (``media/<owner>/<media>/``)."""
    return f"s3://{bucket}/{prefix}{OUTPUT_BASENAME}"


def job_settings(*, input_url: str, destination: str) -> dict[str, Any]:
    """``Settings`` of one job: the template's recipe with this media's input and destination.

    ``destination`` comes from :func:`output_folder`: its last segment is the base name
    MediaConvert gives every output (``index.m3u8``, ``index_720p.mp4``, ...).
    """
    return {
        "TimecodeConfig": {"Source": "ZEROBASED"},
        "Inputs": [_input(input_url)],
        "OutputGroups": _output_groups(destination),
    }
