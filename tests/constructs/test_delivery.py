"""MediaDistribution with its PlaybackSigningKey alone: video from MediaPackage and media files
from S3, every behaviour signed; the signing key pair generated at deploy time."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from tests.cdk_support import distribution_config, only_resource, resources_of_type
from tests.constructs.bare_stacks import Templates, bare_stack

if TYPE_CHECKING:
    import aws_cdk as cdk


@bare_stack("DeliveryAlone")
def _delivery_alone(stack: cdk.Stack) -> None:
    import aws_cdk as cdk
    from aws_cdk import aws_lambda as lambda_

    from snapstream_constructs import (
        AccessLogBucket,
        DataKey,
        MediaDistribution,
        PipelineFunction,
        PlaybackSigningKey,
        SecureBucket,
        VodPackaging,
    )

    destroy = cdk.RemovalPolicy.DESTROY
    week = cdk.aws_logs.RetentionDays.ONE_WEEK
    key = DataKey(stack, "Key", description="k", removal_policy=destroy)
    key.allow_cloudwatch_logs()
    logs = AccessLogBucket(
        stack, "Logs", retention=cdk.Duration.days(5), removal_policy=destroy
    ).bucket
    media = SecureBucket(
        stack,
        "Media",
        encryption_key=key.key,
        access_logs=logs,
        access_log_prefix="m/",
        removal_policy=destroy,
        noncurrent_version_expiration=cdk.Duration.days(3),
    ).bucket
    packaging = VodPackaging(
        stack,
        "Packaging",
        source_bucket=media,
        source_prefix="out/",
        encryption_key=key.key,
        log_retention=week,
        removal_policy=destroy,
    )
    generator = PipelineFunction(
        stack,
        "Generator",
        description="test key generator",
        handler="index.handler",
        code=lambda_.Code.from_inline("def handler(event, context):\n    return event\n"),
        layers=[],
        environment={},
        encryption_key=key.key,
        log_retention=week,
        reserved_concurrency=1,
        invoked_by="CloudFormation",
    )
    signing = PlaybackSigningKey(
        stack,
        "Signing",
        generator=generator.function,
        generator_policy=generator.policy,
        encryption_key=key.key,
        generation=2,
        removal_policy=destroy,
    )
    MediaDistribution(
        stack,
        "Cdn",
        packaging=packaging,
        media_bucket=media,
        key_group=signing.key_group,
        access_logs=logs,
        site_origins=["https://media.example.com"],
        price_class=cdk.aws_cloudfront.PriceClass.PRICE_CLASS_100,
        log_retention=cdk.Duration.days(5),
        removal_policy=destroy,
        domain_name="cdn.example.com",
        certificate_arn="arn:aws:acm:us-east-1:123456789012:certificate/abc",
    )


def test_distribution_alone(bare_templates: Templates) -> None:
    template = bare_templates["DeliveryAlone"]
    config = distribution_config(template)
    assert config["Aliases"] == ["cdn.example.com"]
    assert config["ViewerCertificate"]["MinimumProtocolVersion"] == "TLSv1.2_2021"
    headers = only_resource(template, "AWS::CloudFront::ResponseHeadersPolicy")["Properties"]
    cors = headers["ResponseHeadersPolicyConfig"]["CorsConfig"]
    assert cors["AccessControlAllowOrigins"]["Items"] == ["https://media.example.com"]
    public_key = only_resource(template, "AWS::CloudFront::PublicKey")["Properties"][
        "PublicKeyConfig"
    ]
    assert public_key["CallerReference"] == "snapstream-playback-2"


def test_every_behaviour_needs_a_signature_and_https(bare_templates: Templates) -> None:
    template = bare_templates["DeliveryAlone"]
    config = distribution_config(template)
    [key_group_id] = resources_of_type(template, "AWS::CloudFront::KeyGroup")
    behaviors = {b["PathPattern"]: b for b in config["CacheBehaviors"]}
    assert set(behaviors) == {"/out/*", "/media/*"}
    for behavior in [config["DefaultCacheBehavior"], *behaviors.values()]:
        assert behavior["TrustedKeyGroups"] == [{"Fn::GetAtt": [key_group_id, "Id"]}]
        assert behavior["ViewerProtocolPolicy"] == "redirect-to-https"
        assert behavior["AllowedMethods"] == ["GET", "HEAD", "OPTIONS"]


def test_video_comes_from_mediapackage_with_the_cdn_identifier(bare_templates: Templates) -> None:
    template = bare_templates["DeliveryAlone"]
    config = distribution_config(template)
    video = next(b for b in config["CacheBehaviors"] if b["PathPattern"] == "/out/*")
    [origin] = [o for o in config["Origins"] if o["Id"] == video["TargetOriginId"]]
    assert origin["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
    assert origin["CustomOriginConfig"]["OriginSSLProtocols"] == ["TLSv1.2"]
    [header] = origin["OriginCustomHeaders"]
    assert header["HeaderName"] == "X-MediaPackage-CDNIdentifier"
    # A dynamic reference: the identifier itself never enters the template.
    assert "{{resolve:secretsmanager:" in json.dumps(header["HeaderValue"])
    [cache] = [
        p["Properties"]["CachePolicyConfig"]
        for lid, p in resources_of_type(template, "AWS::CloudFront::CachePolicy").items()
        if lid.startswith("CdnVideoCache")
    ]
    query = cache["ParametersInCacheKeyAndForwardedToOrigin"]["QueryStringsConfig"]
    assert query == {
        "QueryStringBehavior": "whitelist",
        "QueryStrings": ["aws.manifestfilter", "start", "end", "m"],
    }


def test_the_signing_key_pair_is_generated_at_deploy_time(bare_templates: Templates) -> None:
    template = bare_templates["DeliveryAlone"]
    [pair] = [
        r["Properties"]
        for r in template["Resources"].values()
        if r["Type"] == "Custom::PlaybackKeyPair"
    ]
    [generator_id] = resources_of_type(template, "AWS::Lambda::Function")
    [secret_id] = [
        lid
        for lid in resources_of_type(template, "AWS::SecretsManager::Secret")
        if lid.startswith("SigningPrivateKey")
    ]
    assert pair["ServiceToken"] == {"Fn::GetAtt": [generator_id, "Arn"]}
    assert pair["SecretArn"] == {"Ref": secret_id}
    assert pair["Generation"] == "2"
    [policy] = [
        p["Properties"]["PolicyDocument"]["Statement"]
        for lid, p in resources_of_type(template, "AWS::IAM::ManagedPolicy").items()
        if lid.startswith("GeneratorPolicy")
    ]
    granted = {s["Action"]: s["Resource"] for s in policy if isinstance(s["Action"], str)}
    assert granted["secretsmanager:PutSecretValue"] == {"Ref": secret_id}
    assert granted["kms:GenerateDataKey"]["Fn::GetAtt"][0].startswith("Key")
