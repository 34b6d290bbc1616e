"""Video on demand in front of outputs a team already has: MediaPackage VOD with CDN
authorization, behind CloudFront with signed playback only.

The team already has a bucket of HLS outputs (from MediaConvert, say) encrypted with its own KMS
key; both come in by name and ARN (context values ``outputs_bucket`` and ``outputs_key_arn``):

- ``VodPackaging``: a packaging group (HLS, DASH, CMAF) that reads ``out/`` of that bucket; its
  CDN identifier lives only in Secrets Manager, and MediaPackage serves only requests carrying it.
- ``PlaybackSigningKey``: a CloudFront key group whose private key is generated at deploy time
  (``keygen/``) into Secrets Manager; the team's web tier signs playback URLs with it.
- ``MediaDistribution``: CloudFront with ``/out/*`` from MediaPackage (sending the identifier,
  a ``{{resolve:secretsmanager:...}}`` reference) and the bucket through Origin Access Control;
  every request needs a signature.

The existing key's policy must let CloudWatch Logs use it (the egress and function log groups)
and, like the bucket's policy, admit this distribution: CDK cannot change an imported bucket's
or key's policy, so the stack outputs the two statements to add (``BucketPolicyStatement``,
``KeyPolicyStatement``).

``keygen/`` needs the ``cryptography`` package beside it before ``cdk deploy``:
``pip install --platform manylinux2014_aarch64 --only-binary=:all: --python-version 3.14
--implementation cp -t keygen cryptography``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from constructs import Construct

from snapstream_constructs import (
    AccessLogBucket,
    MediaDistribution,
    PipelineFunction,
    PlaybackSigningKey,
    VodPackaging,
    dead_letter_queue,
    register_compliance_packs,
)

HERE = Path(__file__).resolve().parent
#: What the example synthesizes with when no context is given.
SAMPLE_BUCKET = "team-media-outputs"
SAMPLE_KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


class VodDeliveryStack(cdk.Stack):
    """Packaging, signing key and distribution over an existing outputs bucket."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        outputs_bucket: str,
        outputs_key_arn: str,
        site_origin: str,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        key = kms.Key.from_key_arn(self, "OutputsKey", outputs_key_arn)
        outputs = s3.Bucket.from_bucket_attributes(
            self, "Outputs", bucket_name=outputs_bucket, encryption_key=key
        )
        packaging = VodPackaging(
            self,
            "Packaging",
            source_bucket=outputs,
            source_prefix="out/",
            encryption_key=key,
            log_retention=logs.RetentionDays.THREE_MONTHS,
            removal_policy=cdk.RemovalPolicy.DESTROY,
        )
        generator = PipelineFunction(
            self,
            "KeyGenerator",
            description="Generates the playback key pair at deploy time",
            handler="index.handler",
            code=lambda_.Code.from_asset(str(HERE / "keygen")),
            layers=[],
            environment={},
            encryption_key=key,
            log_retention=logs.RetentionDays.THREE_MONTHS,
            reserved_concurrency=1,
            timeout=cdk.Duration.seconds(60),
            async_dead_letter_queue=dead_letter_queue(
                self, "KeyGeneratorFailures", encryption_key=key
            ),
        )
        signing = PlaybackSigningKey(
            self,
            "PlaybackKey",
            generator=generator.function,
            generator_policy=generator.policy,
            encryption_key=key,
            generation=1,
            removal_policy=cdk.RemovalPolicy.DESTROY,
        )
        access_logs = AccessLogBucket(
            self,
            "AccessLogs",
            retention=cdk.Duration.days(90),
            removal_policy=cdk.RemovalPolicy.RETAIN,
        ).bucket
        cdn = MediaDistribution(
            self,
            "Cdn",
            packaging=packaging,
            media_bucket=outputs,
            key_group=signing.key_group,
            access_logs=access_logs,
            price_class=cloudfront.PriceClass.PRICE_CLASS_100,
            log_retention=cdk.Duration.days(90),
            removal_policy=cdk.RemovalPolicy.DESTROY,
            site_origins=[site_origin],
        )
        for warning in ("updateImportedBucketPolicyOac", "updateImportedKeyPolicyOac"):
            cdk.Annotations.of(cdn).acknowledge_warning(
                f"@aws-cdk/aws-cloudfront-origins:{warning}",
                "The outputs bucket and its key are the team's own: their owner adds the "
                "statements this stack outputs (BucketPolicyStatement, KeyPolicyStatement).",
            )
        # Reported on the key's scope (this stack, for an imported key): CDK writes no policy
        # for an imported key, so there is no wildcard; the statement below names the
        # distribution exactly.
        cdk.Annotations.of(self).acknowledge_warning(
            "@aws-cdk/aws-cloudfront-origins:wildcardKeyPolicyForOac",
            "The outputs key is imported: CDK changes no key policy; its owner adds "
            "KeyPolicyStatement, which names this distribution exactly.",
        )
        distribution_arn = self.format_arn(
            service="cloudfront",
            region="",
            resource="distribution",
            resource_name=cdn.distribution.distribution_id,
        )
        reads_from_this_distribution = {
            "Effect": "Allow",
            "Principal": {"Service": "cloudfront.amazonaws.com"},
            "Condition": {"StringEquals": {"AWS:SourceArn": distribution_arn}},
        }
        for name, value in {
            "DistributionDomainName": cdn.distribution.distribution_domain_name,
            "PlaybackKeyPairId": signing.key_pair_id,
            "PlaybackKeySecretArn": signing.private_key.secret_arn,
            "BucketPolicyStatement": self.to_json_string(
                {
                    **reads_from_this_distribution,
                    "Action": "s3:GetObject",
                    "Resource": outputs.arn_for_objects("*"),
                }
            ),
            "KeyPolicyStatement": self.to_json_string(
                {**reads_from_this_distribution, "Action": "kms:Decrypt", "Resource": "*"}
            ),
        }.items():
            cdk.CfnOutput(self, name, value=value)


def build(
    app: cdk.App,
    *,
    env: cdk.Environment | None = None,
    outputs_bucket: str | None = None,
    outputs_key_arn: str | None = None,
) -> VodDeliveryStack:
    context = app.node.try_get_context
    return VodDeliveryStack(
        app,
        "TeamVodDelivery",
        env=env,
        outputs_bucket=outputs_bucket or context("outputs_bucket") or SAMPLE_BUCKET,
        outputs_key_arn=outputs_key_arn or context("outputs_key_arn") or SAMPLE_KEY_ARN,
        site_origin=context("site_origin") or "https://video.example.com",
    )


def main() -> None:
    app = cdk.App()
    register_compliance_packs(app)
    key_arn = app.node.try_get_context("outputs_key_arn") or SAMPLE_KEY_ARN
    _, _, _, region, account, _ = key_arn.split(":", 5)
    # The stack lives where the outputs and their key are.
    build(app, env=cdk.Environment(account=account, region=region))
    app.synth()


if __name__ == "__main__":
    main()
