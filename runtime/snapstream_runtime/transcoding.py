"""The transcoding recipe, in one place: the CDK job template and every job are built from it.

An adaptive H.264 QVBR HLS ladder (360p/540p/720p capped at 1/2/3 Mbps, plus 1080p), AAC stereo,
a 720p MP4 rendition for download and plain playback, and frame captures: one poster and one
frame every ten seconds. No AWS imports: the CDK app renders the job template from
:func:`job_template_settings`; the submit handler sends :func:`job_settings` with the per-media
input and destinations (a job cannot override only the destination of a template's output group,
so each job carries the full, identical recipe and names the template for traceability).
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
MP4_NAME_MODIFIER = "_720p"
POSTER_NAME_MODIFIER = "_poster"
FRAMES_NAME_MODIFIER = "_frame"
FRAME_INTERVAL_SECONDS = 10
MAX_FRAMES = 60


@dataclass(frozen=True)
class Rendition:
    name: str
    width: int
    height: int
    max_bitrate: int
    qvbr_quality: int


HLS_LADDER = (
    Rendition("360p", 640, 360, 1_000_000, 7),
    Rendition("540p", 960, 540, 2_000_000, 7),
    Rendition("720p", 1280, 720, 3_000_000, 8),
    Rendition("1080p", 1920, 1080, 6_000_000, 8),
)
MP4_RENDITION = Rendition("720p", 1280, 720, 4_000_000, 8)


def _h264(rendition: Rendition) -> dict[str, Any]:
    return {
        "Width": rendition.width,
        "Height": rendition.height,
        "ScalingBehavior": "DEFAULT",
        "Sharpness": 50,
        "CodecSettings": {
            "Codec": "H_264",
            "H264Settings": {
                "RateControlMode": "QVBR",
                "MaxBitrate": rendition.max_bitrate,
                "QvbrSettings": {"QvbrQualityLevel": rendition.qvbr_quality},
                "CodecProfile": "HIGH" if rendition.height >= 720 else "MAIN",
                "CodecLevel": "AUTO",
                "GopSize": 2.0,
                "GopSizeUnits": "SECONDS",
                "SceneChangeDetect": "TRANSITION_DETECTION",
                "FramerateControl": "INITIALIZE_FROM_SOURCE",
                "ParControl": "INITIALIZE_FROM_SOURCE",
                "QualityTuningLevel": "SINGLE_PASS_HQ",
            },
        },
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
            "ScalingBehavior": "DEFAULT",
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
            "Outputs": [
                {
                    "NameModifier": f"_{rendition.name}",
                    "ContainerSettings": {"Container": "M3U8", "M3u8Settings": {}},
                    "VideoDescription": _h264(rendition),
                    "AudioDescriptions": _aac(),
                }
                for rendition in HLS_LADDER
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
