"""Video on demand as synthesized: roles, MediaConvert, MediaPackage with CDN authorization,
CloudFront with OAC and signed access only, event routes with dead-letter queues."""

from __future__ import annotations

import json
from typing import Any

import pytest

from snapstream_runtime.transcoding import job_template_settings
from stacks.config import ENVIRONMENTS
from tests.cdk_support import named_resource, only_resource, resources_of_type

ENVS = list(ENVIRONMENTS)
Templates = dict[tuple[str, str], dict[str, Any]]


def _statements(template: dict[str, Any], policy_path: str) -> list[dict[str, Any]]:
    _, policy = named_resource(template, "AWS::IAM::ManagedPolicy", policy_path)
    return list(policy["Properties"]["PolicyDocument"]["Statement"])


def _actions(statement: dict[str, Any]) -> set[str]:
    action = statement["Action"]
    return {action} if isinstance(action, str) else set(action)


def _trust(template: dict[str, Any], role_path: str) -> list[dict[str, Any]]:
    _, role = named_resource(template, "AWS::IAM::Role", role_path)
    return list(role["Properties"]["AssumeRolePolicyDocument"]["Statement"])


def _service_trust(service: str) -> list[dict[str, Any]]:
    return [
        {
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}},
            "Effect": "Allow",
            "Principal": {"Service": service},
        }
    ]


def _import(env: str, name: str, suffix: str) -> dict[str, Any]:
    return {"Fn::Join": ["", [{"Fn::ImportValue": f"SnapStream-{env}-Data-{name}"}, suffix]]}


@pytest.mark.parametrize("env", ENVS)
def test_mediaconvert_role_is_trusted_by_mediaconvert_only_and_scoped(
    templates: Templates, env: str
) -> None:
    pipeline = templates[env, "Pipeline"]
    assert _trust(pipeline, "TranscodingRole") == _service_trust("mediaconvert.amazonaws.com")
    statements = {frozenset(_actions(s)): s for s in _statements(pipeline, "TranscodingPolicy")}
    assert set(statements) == {
        frozenset({"s3:GetObject"}),
        frozenset({"s3:PutObject"}),
        frozenset({"kms:Decrypt", "kms:GenerateDataKey"}),
    }
    assert statements[frozenset({"s3:GetObject"})]["Resource"] == _import(
        env, "UploadsBucketArn", "/uploads/*"
    )
    assert statements[frozenset({"s3:PutObject"})]["Resource"] == _import(
        env, "MediaBucketArn", "/media/*"
    )


@pytest.mark.parametrize("env", ENVS)
def test_job_template_is_the_shared_recipe_on_an_on_demand_queue(
    templates: Templates, env: str
) -> None:
    pipeline = templates[env, "Pipeline"]
    queue_id, queue = named_resource(pipeline, "AWS::MediaConvert::Queue", "TranscodingQueue")
    assert queue["Properties"]["PricingPlan"] == "ON_DEMAND"
    template = only_resource(pipeline, "AWS::MediaConvert::JobTemplate")["Properties"]
    assert template["SettingsJson"] == job_template_settings()
    assert template["Queue"] == {"Fn::GetAtt": [queue_id, "Arn"]}
    expected = "PREFERRED" if ENVIRONMENTS[env].accelerated_transcoding else "DISABLED"
    assert template["AccelerationSettings"] == {"Mode": expected}


@pytest.mark.parametrize("env", ENVS)
def test_submit_may_create_jobs_on_our_queue_and_pass_only_the_mediaconvert_role(
    templates: Templates, env: str
) -> None:
    pipeline = templates[env, "Pipeline"]
    statements = _statements(pipeline, "TranscodeSubmitPolicy")
    [create] = [s for s in statements if _actions(s) == {"mediaconvert:CreateJob"}]
    queue_id, _ = named_resource(pipeline, "AWS::MediaConvert::Queue", "TranscodingQueue")
    assert {"Fn::GetAtt": [queue_id, "Arn"]} in create["Resource"]
    [pass_role] = [s for s in statements if _actions(s) == {"iam:PassRole"}]
    role_id, _ = named_resource(pipeline, "AWS::IAM::Role", "TranscodingRole")
    assert pass_role["Resource"] == {"Fn::GetAtt": [role_id, "Arn"]}
    assert pass_role["Condition"] == {
        "StringEquals": {"iam:PassedToService": "mediaconvert.amazonaws.com"}
    }


@pytest.mark.parametrize("env", ENVS)
def test_cdn_identifier_is_a_generated_kms_encrypted_secret(templates: Templates, env: str) -> None:
    data = templates[env, "Data"]
    _, secret = named_resource(data, "AWS::SecretsManager::Secret", "PackagingCdnIdentifier")
    props = secret["Properties"]
    assert "SecretString" not in props
    assert props["GenerateSecretString"] == {
        "ExcludePunctuation": True,
        "GenerateStringKey": "MediaPackageCDNIdentifier",
        "IncludeSpace": False,
        "PasswordLength": 36,
        "SecretStringTemplate": "{}",
    }
    assert "KmsKeyId" in props


@pytest.mark.parametrize("env", ENVS)
def test_mediapackage_role_reads_outputs_and_the_one_secret(templates: Templates, env: str) -> None:
    data = templates[env, "Data"]
    assert _trust(data, "PackagingRole") == _service_trust("mediapackage.amazonaws.com")
    statements = {frozenset(_actions(s)): s for s in _statements(data, "PackagingPolicy")}
    secret_id, _ = named_resource(data, "AWS::SecretsManager::Secret", "PackagingCdnIdentifier")
    assert statements[
        frozenset(
            {
                "secretsmanager:GetSecretValue",
                "secretsmanager:DescribeSecret",
                "secretsmanager:ListSecretVersionIds",
            }
        )
    ]["Resource"] == {"Ref": secret_id}
    # Listing the account's secrets is not needed for CDN authorization (packaging.py).
    assert not any("secretsmanager:ListSecrets" in actions for actions in statements)
    assert all(s["Resource"] != "*" for s in statements.values())
    bucket_level = statements[
        frozenset({"s3:GetBucketLocation", "s3:GetBucketRequestPayment", "s3:ListBucket"})
    ]
    assert bucket_level["Resource"] == {"Fn::GetAtt": ["MediaBucket4022EBBF", "Arn"]}
    assert statements[frozenset({"s3:GetObject"})]["Resource"] == {
        "Fn::Join": ["", [{"Fn::GetAtt": ["MediaBucket4022EBBF", "Arn"]}, "/media/*"]]
    }


@pytest.mark.parametrize("env", ENVS)
def test_packaging_group_requires_cdn_authorization_and_logs_egress(
    templates: Templates, env: str
) -> None:
    data = templates[env, "Data"]
    secret_id, _ = named_resource(data, "AWS::SecretsManager::Secret", "PackagingCdnIdentifier")
    role_id, _ = named_resource(data, "AWS::IAM::Role", "PackagingRole")
    group = only_resource(data, "AWS::MediaPackage::PackagingGroup")["Properties"]
    assert group["Authorization"] == {
        "CdnIdentifierSecret": {"Ref": secret_id},
        "SecretsRoleArn": {"Fn::GetAtt": [role_id, "Arn"]},
    }
    assert "LogGroupName" in group["EgressAccessLogs"]
    configurations = resources_of_type(data, "AWS::MediaPackage::PackagingConfiguration").values()
    kinds = sorted(
        next(k for k in c["Properties"] if k.endswith("Package")) for c in configurations
    )
    assert kinds == ["CmafPackage", "DashPackage", "HlsPackage"]


def _distribution(templates: Templates, env: str) -> dict[str, Any]:
    config: dict[str, Any] = only_resource(templates[env, "Data"], "AWS::CloudFront::Distribution")[
        "Properties"
    ]["DistributionConfig"]
    return config


@pytest.mark.parametrize("env", ENVS)
def test_cloudfront_sends_the_cdn_identifier_as_a_dynamic_reference(
    templates: Templates, env: str
) -> None:
    data = templates[env, "Data"]
    secret_id, _ = named_resource(data, "AWS::SecretsManager::Secret", "PackagingCdnIdentifier")
    [mediapackage] = [
        o for o in _distribution(templates, env)["Origins"] if "CustomOriginConfig" in o
    ]
    assert mediapackage["CustomOriginConfig"] == {
        "OriginProtocolPolicy": "https-only",
        "OriginSSLProtocols": ["TLSv1.2"],
    }
    assert mediapackage["OriginCustomHeaders"] == [
        {
            "HeaderName": "X-MediaPackage-CDNIdentifier",
            "HeaderValue": {
                "Fn::Join": [
                    "",
                    [
                        "{{resolve:secretsmanager:",
                        {"Ref": secret_id},
                        ":SecretString:MediaPackageCDNIdentifier::}}",
                    ],
                ]
            },
        }
    ]


@pytest.mark.parametrize("env", ENVS)
def test_media_files_come_from_s3_through_origin_access_control(
    templates: Templates, env: str
) -> None:
    data = templates[env, "Data"]
    [s3_origin] = [o for o in _distribution(templates, env)["Origins"] if "S3OriginConfig" in o]
    assert s3_origin["DomainName"] == {"Fn::GetAtt": ["MediaBucket4022EBBF", "RegionalDomainName"]}
    assert "OriginAccessControlId" in s3_origin
    control = only_resource(data, "AWS::CloudFront::OriginAccessControl")["Properties"][
        "OriginAccessControlConfig"
    ]
    assert control["SigningBehavior"] == "always"
    [policy] = [
        p
        for p in resources_of_type(data, "AWS::S3::BucketPolicy").values()
        if p["Properties"]["Bucket"] == {"Ref": "MediaBucket4022EBBF"}
    ]
    [grant] = [
        s
        for s in policy["Properties"]["PolicyDocument"]["Statement"]
        if s.get("Principal") == {"Service": "cloudfront.amazonaws.com"}
    ]
    assert grant["Action"] == "s3:GetObject"
    assert grant["Condition"]["StringEquals"]["AWS:SourceArn"]  # exactly this distribution


@pytest.mark.parametrize("env", ENVS)
def test_every_behaviour_requires_a_signature_and_https(templates: Templates, env: str) -> None:
    config = _distribution(templates, env)
    behaviours = [config["DefaultCacheBehavior"], *config["CacheBehaviors"]]
    assert {b.get("PathPattern") for b in behaviours} == {None, "/out/*", "/media/*"}
    [key_group_id] = resources_of_type(templates[env, "Data"], "AWS::CloudFront::KeyGroup")
    for behaviour in behaviours:
        assert behaviour["TrustedKeyGroups"] == [{"Fn::GetAtt": [key_group_id, "Id"]}]
        assert behaviour["ViewerProtocolPolicy"] == "redirect-to-https"
        assert "ResponseHeadersPolicyId" in behaviour
    assert config["Logging"]["Bucket"]
    assert config["PriceClass"] == ENVIRONMENTS[env].cdn_price_class


@pytest.mark.parametrize("env", ENVS)
def test_the_public_key_comes_from_the_deploy_time_key_pair(templates: Templates, env: str) -> None:
    data = templates[env, "Data"]
    [pair_id] = resources_of_type(data, "Custom::PlaybackKeyPair")
    public_key = only_resource(data, "AWS::CloudFront::PublicKey")["Properties"]["PublicKeyConfig"]
    assert public_key["EncodedKey"] == {"Fn::GetAtt": [pair_id, "PublicKeyPem"]}
    assert "BEGIN" not in json.dumps(data)  # no key material in the template


@pytest.mark.parametrize("env", ENVS)
def test_video_routes_deliver_with_retries_and_dead_letter_queues(
    templates: Templates, env: str
) -> None:
    pipeline = templates[env, "Pipeline"]
    rules = {
        lid: r["Properties"]
        for lid, r in resources_of_type(pipeline, "AWS::Events::Rule").items()
        if "EventPattern" in r["Properties"]  # not the stuck-media schedule
    }
    assert len(rules) == 5  # 3 video routes, the analysis queue, transcription state
    state = next(
        r for r in rules.values() if r["EventPattern"].get("source") == ["aws.mediaconvert"]
    )
    assert "EventBusName" not in state  # AWS service events arrive on the default bus
    queue_id, _ = named_resource(pipeline, "AWS::MediaConvert::Queue", "TranscodingQueue")
    assert state["EventPattern"]["detail"]["queue"] == [{"Fn::GetAtt": [queue_id, "Arn"]}]
    # Every state that ends a job reaches the function: a CANCELED job must not leave its
    # media processing for good (it fails it, like ERROR).
    assert {"COMPLETE", "ERROR", "CANCELED"} <= set(state["EventPattern"]["detail"]["status"])
    uploaded = next(
        r for r in rules.values() if r["EventPattern"].get("detail-type") == ["MediaUploaded"]
    )
    assert uploaded["EventPattern"]["detail"] == {"kind": ["video"], "environment": [env]}
    for rule in rules.values():
        [target] = rule["Targets"]
        assert "DeadLetterConfig" in target
        assert target["RetryPolicy"]["MaximumRetryAttempts"] == 8


@pytest.mark.parametrize("env", ENVS)
def test_eventbridge_invoked_functions_keep_failed_events(templates: Templates, env: str) -> None:
    pipeline = templates[env, "Pipeline"]
    for path in ("TranscodeSubmitFunction", "TranscodeStateFunction", "PackageFunction"):
        _, function = named_resource(pipeline, "AWS::Lambda::Function", path)
        assert "DeadLetterConfig" in function["Properties"], path
