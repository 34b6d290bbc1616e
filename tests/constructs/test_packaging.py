"""VodPackaging alone: HLS, DASH and CMAF over the transcoded outputs, fetched only by a CDN that
sends the identifier kept in Secrets Manager."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.cdk_support import only_resource, resources_of_type
from tests.constructs.bare_stacks import Templates, bare_stack
from tests.constructs.builders import media_bucket

if TYPE_CHECKING:
    import aws_cdk as cdk


@bare_stack("PackagingAlone")
def _packaging_alone(stack: cdk.Stack) -> None:
    import aws_cdk as cdk

    from snapstream_constructs import DataKey, VodPackaging

    destroy = cdk.RemovalPolicy.DESTROY
    key = DataKey(stack, "Key", description="k", removal_policy=destroy)
    key.allow_cloudwatch_logs()
    media = media_bucket(stack, key.key)
    VodPackaging(
        stack,
        "Packaging",
        source_bucket=media,
        source_prefix="out/",
        encryption_key=key.key,
        log_retention=cdk.aws_logs.RetentionDays.ONE_WEEK,
        removal_policy=destroy,
    )


def test_packaging_alone(bare_templates: Templates) -> None:
    template = bare_templates["PackagingAlone"]
    assert len(resources_of_type(template, "AWS::MediaPackage::PackagingConfiguration")) == 3


def test_only_a_cdn_with_the_secret_identifier_may_fetch(bare_templates: Templates) -> None:
    template = bare_templates["PackagingAlone"]
    [secret_id] = resources_of_type(template, "AWS::SecretsManager::Secret")
    secret = template["Resources"][secret_id]["Properties"]
    generated = secret["GenerateSecretString"]
    assert generated["GenerateStringKey"] == "MediaPackageCDNIdentifier"
    assert generated["PasswordLength"] == 36
    [(group_id, group)] = resources_of_type(template, "AWS::MediaPackage::PackagingGroup").items()
    [role_id] = resources_of_type(template, "AWS::IAM::Role")
    assert group["Properties"]["Authorization"] == {
        "CdnIdentifierSecret": {"Ref": secret_id},
        "SecretsRoleArn": {"Fn::GetAtt": [role_id, "Arn"]},
    }
    # Each format belongs to the group, created after it.
    for configuration in resources_of_type(
        template, "AWS::MediaPackage::PackagingConfiguration"
    ).values():
        assert configuration["Properties"]["PackagingGroupId"] == group["Properties"]["Id"]
        assert group_id in configuration["DependsOn"]
    formats = {
        next(k for k in c["Properties"] if k.endswith("Package"))
        for c in resources_of_type(template, "AWS::MediaPackage::PackagingConfiguration").values()
    }
    assert formats == {"HlsPackage", "DashPackage", "CmafPackage"}


def test_egress_is_logged_into_an_encrypted_log_group(bare_templates: Templates) -> None:
    template = bare_templates["PackagingAlone"]
    group = only_resource(template, "AWS::MediaPackage::PackagingGroup")["Properties"]
    [(logs_id, logs)] = resources_of_type(template, "AWS::Logs::LogGroup").items()
    assert group["EgressAccessLogs"] == {"LogGroupName": {"Ref": logs_id}}
    assert logs["Properties"]["LogGroupName"].startswith("/aws/MediaPackage/")
    assert logs["Properties"]["RetentionInDays"] == 7
    assert "KmsKeyId" in logs["Properties"]
