from __future__ import annotations

from typing import Any

from tests.cdk_support import only_resource, resources_of_type


def test_transcoding_alone(pipeline_bare_templates: dict[str, dict[str, Any]]) -> None:
    template = pipeline_bare_templates["VideoAlone"]
    job_template = only_resource(template, "AWS::MediaConvert::JobTemplate")["Properties"]
    assert job_template["AccelerationSettings"] == {"Mode": "PREFERRED"}
    assert job_template["StatusUpdateInterval"] == "SECONDS_60"
    roles = resources_of_type(template, "AWS::IAM::Role")
    [mediaconvert] = [r for lid, r in roles.items() if lid.startswith("TranscodingRole")]
    [trust] = mediaconvert["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "mediaconvert.amazonaws.com"}


def test_packaging_and_distribution_alone(
    pipeline_bare_templates: dict[str, dict[str, Any]],
) -> None:
    template = pipeline_bare_templates["VideoAlone"]
    assert len(resources_of_type(template, "AWS::MediaPackage::PackagingConfiguration")) == 3
    config = only_resource(template, "AWS::CloudFront::Distribution")["Properties"][
        "DistributionConfig"
    ]
    assert config["Aliases"] == ["cdn.example.com"]
    assert config["ViewerCertificate"]["MinimumProtocolVersion"] == "TLSv1.2_2021"
    headers = only_resource(template, "AWS::CloudFront::ResponseHeadersPolicy")["Properties"]
    cors = headers["ResponseHeadersPolicyConfig"]["CorsConfig"]
    assert cors["AccessControlAllowOrigins"]["Items"] == ["https://media.example.com"]
    public_key = only_resource(template, "AWS::CloudFront::PublicKey")["Properties"][
        "PublicKeyConfig"
    ]
    assert public_key["CallerReference"] == "snapstream-playback-2"
