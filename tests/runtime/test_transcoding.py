"""The transcoding recipe is valid against MediaConvert's own API model (cfn-lint cannot see it)."""

from __future__ import annotations

import botocore.session
import pytest
from botocore.exceptions import ParamValidationError
from botocore.validate import validate_parameters

from snapstream_runtime.transcoding import (
    HLS_LADDER,
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


def test_hls_ladder_is_qvbr_capped_at_1_2_3_mbps_plus_1080p() -> None:
    group = job_template_settings()["OutputGroups"][0]
    assert group["OutputGroupSettings"]["Type"] == "HLS_GROUP_SETTINGS"
    caps = {}
    for output in group["Outputs"]:
        h264 = output["VideoDescription"]["CodecSettings"]["H264Settings"]
        assert h264["RateControlMode"] == "QVBR"
        caps[output["VideoDescription"]["Height"]] = h264["MaxBitrate"]
        assert output["AudioDescriptions"][0]["CodecSettings"]["Codec"] == "AAC"
    assert caps == {360: 1_000_000, 540: 2_000_000, 720: 3_000_000, 1080: 6_000_000}
    assert [r.name for r in HLS_LADDER] == ["360p", "540p", "720p", "1080p"]


def test_mp4_and_frame_captures() -> None:
    groups = {g["Name"]: g for g in job_template_settings()["OutputGroups"]}
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
