"""The transcoding recipe is valid against MediaConvert's own API model (cfn-lint cannot see it)."""

from __future__ import annotations

from typing import Any

import botocore.session
import pytest
from botocore.exceptions import ParamValidationError
from botocore.validate import validate_parameters

from snapstream_runtime.transcoding import (
    HLS_ABR,
    job_settings,
    job_template_settings,
    output_folder,
)

MODEL = botocore.session.get_session().get_service_model("mediaconvert")


def _validate(operation: str, params: dict[str, object]) -> None:
    shape = MODEL.operation_model(operation).input_shape
    assert shape is not None
    validate_parameters(params, shape)


def test_job_template_settings_match_the_create_job_template_model() -> None:
    _validate("CreateJobTemplate", {"Name": "t", "Settings": job_template_settings()})


def test_job_settings_match_the_create_job_model() -> None:
    settings = job_settings(
        input_url="s3://uploads/uploads/u/m/clip.mov",
        destination=output_folder("media", "media/u/m/"),
    )
    _validate("CreateJob", {"Role": "arn:aws:iam::123456789012:role/r", "Settings": settings})


def test_the_validator_would_catch_a_broken_recipe() -> None:
    broken = job_template_settings()
    broken["OutputGroups"][0]["Outputs"][0]["VideoDescription"]["Width"] = "wide"
    with pytest.raises(ParamValidationError):
        _validate("CreateJobTemplate", {"Name": "t", "Settings": broken})
    too_few = job_template_settings()
    too_few["OutputGroups"][0]["AutomatedEncodingSettings"]["AbrSettings"]["MaxRenditions"] = 2
    with pytest.raises(ParamValidationError):  # automated ABR makes 3 to 15 renditions
        _validate("CreateJobTemplate", {"Name": "t", "Settings": too_few})


def _groups() -> dict[str, Any]:
    return {g["Name"]: g for g in job_template_settings()["OutputGroups"]}


def test_hls_is_automated_abr_up_to_1080p_and_never_above_the_source() -> None:
    hls = _groups()["HLS"]
    assert hls["OutputGroupSettings"]["Type"] == "HLS_GROUP_SETTINGS"
    abr = hls["AutomatedEncodingSettings"]["AbrSettings"]
    assert abr == {"MaxRenditions": 4, "MaxAbrBitrate": 6_000_000, "MinAbrBitrate": 600_000}
    [base] = hls["Outputs"]
    video = base["VideoDescription"]
    # The base output's size is the stack's maximum resolution; MediaConvert uses the source's
    # when it is smaller and never upscales (docs/video.md).
    assert (video["Width"], video["Height"]) == (1920, 1080) == (HLS_ABR.max_width, 1080)
    # Fit-without-upscaling is refused inside an automated ABR group.
    assert video["ScalingBehavior"] == "DEFAULT"
    h264 = video["CodecSettings"]["H264Settings"]
    # What MediaConvert requires of an automated ABR job specified in JSON.
    assert h264["RateControlMode"] == "QVBR" and h264["QualityTuningLevel"] == "MULTI_PASS_HQ"
    # ... and chooses itself: each rendition's quality level and bitrates.
    assert not {"QvbrSettings", "MaxBitrate"} & set(h264)
    assert base["AudioDescriptions"][0]["CodecSettings"]["Codec"] == "AAC"  # muxed, as before


@pytest.mark.parametrize("group", ["MP4", "Frames"])
def test_the_mp4_and_the_frames_are_never_upscaled(group: str) -> None:
    for output in _groups()[group]["Outputs"]:
        video = output["VideoDescription"]
        assert video["ScalingBehavior"] == "FIT_NO_UPSCALE"
        assert (video["Width"], video["Height"]) == (1280, 720)  # at most


def test_only_the_streaming_group_is_automated() -> None:
    # In a job with an automated ABR group, every ABR group must be automated; file groups
    # (the MP4, the frames) are not ABR groups.
    automated = [n for n, g in _groups().items() if "AutomatedEncodingSettings" in g]
    assert automated == ["HLS"]


def test_a_job_carries_the_templates_recipe() -> None:
    job = job_settings(input_url="s3://u/uploads/x", destination="s3://m/media/o/i/index")
    template = job_template_settings()
    for ours, theirs in zip(job["OutputGroups"], template["OutputGroups"], strict=True):
        assert {k: v for k, v in ours.items() if k != "OutputGroupSettings"} == {
            k: v for k, v in theirs.items() if k != "OutputGroupSettings"
        }


def test_mp4_and_frame_captures() -> None:
    groups = _groups()
    [mp4] = groups["MP4"]["Outputs"]
    assert mp4["ContainerSettings"]["Container"] == "MP4"
    poster, frames = groups["Frames"]["Outputs"]
    assert poster["VideoDescription"]["CodecSettings"]["FrameCaptureSettings"]["MaxCaptures"] == 1
    every = frames["VideoDescription"]["CodecSettings"]["FrameCaptureSettings"]
    assert every["FramerateDenominator"] == 10


def test_jobs_write_only_under_their_own_folder() -> None:
    settings = job_settings(input_url="s3://u/uploads/x", destination="s3://m/media/o/i/index")
    for group in settings["OutputGroups"]:
        group_settings = next(v for k, v in group["OutputGroupSettings"].items() if k != "Type")
        assert group_settings["Destination"] == "s3://m/media/o/i/index"
