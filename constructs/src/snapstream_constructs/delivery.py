"""CloudFront delivery of video (MediaPackage VOD) and media files (S3), signed access only."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from snapstream_constructs.compliance import Pack, acknowledge, acknowledge_rotation_by_redeploy
from snapstream_constructs.packaging import CDN_IDENTIFIER_HEADER, VodPackaging
from snapstream_constructs.storage import log_destination_bucket

#: Query parameters MediaPackage VOD understands; everything else stays out of the cache key.
MEDIAPACKAGE_QUERY_STRINGS = ("aws.manifestfilter", "start", "end", "m")
VIDEO_PATH = "/out/*"
MEDIA_FILES_PATH = "/media/*"


class PlaybackSigningKey(Construct):
    """A CloudFront key group whose private key exists only in Secrets Manager.

    A function, run by CloudFormation at deploy time, generates an RSA-2048 key pair, stores the
    private key (PEM) as the secret's value and hands back only the public key, which becomes the
    CloudFront public key. Bump ``generation`` to rotate (docs/runbooks.md).

    Args:
        generator: The function CloudFormation invokes (``Custom::PlaybackKeyPair``) to generate the
            pair, put the private key (PEM) in the secret and answer ``PublicKeyPem``.
        generator_policy: The generator's policy: ``secretsmanager:PutSecretValue`` on the secret
            and ``kms:GenerateDataKey`` on the key are added to it.
        encryption_key: The KMS key of the private-key secret.
        generation: The key pair's generation; raise it to rotate (a new pair and CloudFront public
            key).
        removal_policy: What happens to the private-key secret when it leaves the stack.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        generator: lambda_.IFunction,
        generator_policy: iam.ManagedPolicy,
        encryption_key: kms.IKey,
        generation: int,
        removal_policy: cdk.RemovalPolicy,
    ) -> None:
        super().__init__(scope, construct_id)
        self.private_key = secretsmanager.Secret(
            self,
            "PrivateKey",
            description="RSA private key (PEM) that signs SnapStream playback URLs",
            encryption_key=encryption_key,
            removal_policy=removal_policy,
        )
        acknowledge_rotation_by_redeploy(
            self.private_key,
            reason="The signing key pair is rotated by raising its generation in the "
            "environment config and redeploying, which replaces the CloudFront public key "
            "in the same change (docs/runbooks.md); a Secrets Manager rotation function would "
            "change the pair behind CloudFormation, which owns that public key.",
        )
        generator_policy.add_statements(
            iam.PolicyStatement(
                actions=["secretsmanager:PutSecretValue"], resources=[self.private_key.secret_arn]
            ),
            iam.PolicyStatement(
                # PutSecretValue encrypts with a data key (Secrets Manager never calls Encrypt)
                actions=["kms:GenerateDataKey"],
                resources=[encryption_key.key_arn],
            ),
        )
        pair = cdk.CustomResource(
            self,
            "KeyPair",
            service_token=generator.function_arn,
            resource_type="Custom::PlaybackKeyPair",
            properties={"SecretArn": self.private_key.secret_arn, "Generation": str(generation)},
        )
        pair.node.add_dependency(generator_policy)
        self.public_key = cloudfront.CfnPublicKey(
            self,
            "PublicKey",
            public_key_config=cloudfront.CfnPublicKey.PublicKeyConfigProperty(
                caller_reference=f"snapstream-playback-{generation}",
                name=cdk.Names.unique_resource_name(self, max_length=120, separator="-")
                + f"-g{generation}",
                encoded_key=pair.get_att_string("PublicKeyPem"),
                comment="Verifies SnapStream playback signatures",
            ),
        )
        self.key_group = cloudfront.CfnKeyGroup(
            self,
            "KeyGroup",
            key_group_config=cloudfront.CfnKeyGroup.KeyGroupConfigProperty(
                name=cdk.Names.unique_resource_name(self, max_length=120, separator="-"),
                items=[self.public_key.attr_id],
                comment="Signers of SnapStream playback URLs",
            ),
        )

    @property
    def key_pair_id(self) -> str:
        """The ``Key-Pair-Id`` signed URLs carry (the CloudFront public key's id)."""
        return self.public_key.attr_id


class MediaDistribution(Construct):
    """One distribution: ``/out/*`` from MediaPackage (with the CDN identifier header), ``/media/*``
    from the media bucket through Origin Access Control. Every behaviour requires a signed URL or
    cookie from ``key_group``; HTTPS only; security headers; CORS for ``site_origins``.

    Args:
        packaging: The :class:`VodPackaging` whose output ``/out/*`` serves, sending its CDN
            identifier header.
        media_bucket: The bucket the default behaviour and ``/media/*`` serve through Origin Access
            Control. For a bucket of this stack CDK adds the distribution to its bucket and key
            policies; an imported bucket's owner adds that statement (CDK warns).
        key_group: The CloudFront key group whose keys sign playback URLs and cookies
            (:attr:`PlaybackSigningKey.key_group`).
        access_logs: The bucket the distribution's log bucket sends its own server access logs to.
        price_class: Which edge locations serve viewers.
        log_retention: How long the distribution's standard logs are kept.
        removal_policy: What happens to the log bucket when it leaves the stack.
        domain_name: A custom domain for viewers; goes with ``certificate_arn``.
        certificate_arn: An existing ACM certificate for ``domain_name``, which CloudFront requires
            in us-east-1; viewers are then held to TLSv1.2_2021.
        web_acl_arn: A CLOUDFRONT-scope WAF web ACL (made in us-east-1, e.g. a :class:`SiteWebAcl`);
            default none (acknowledged: every request needs a signature).
        site_origins: Web origins whose pages may fetch media cross-origin (CORS); default none.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        packaging: VodPackaging,
        media_bucket: s3.IBucket,
        key_group: cloudfront.CfnKeyGroup,
        access_logs: s3.IBucket,
        price_class: cloudfront.PriceClass,
        log_retention: cdk.Duration,
        removal_policy: cdk.RemovalPolicy,
        domain_name: str | None = None,
        certificate_arn: str | None = None,
        web_acl_arn: str | None = None,
        site_origins: Sequence[str] = (),
    ) -> None:
        super().__init__(scope, construct_id)
        self.logs = cloudfront_log_bucket(
            self,
            "Logs",
            access_logs=access_logs,
            retention=log_retention,
            removal_policy=removal_policy,
        )
        signers = [cloudfront.KeyGroup.from_key_group_id(self, "Signers", key_group.attr_id)]
        headers = security_headers_policy(
            self,
            "Headers",
            comment="Security headers, and CORS for the SnapStream site only",
            cors_origins=site_origins,
        )
        signed = signed_behavior_options(signers, headers)
        media_files = cloudfront.BehaviorOptions(
            origin=origins.S3BucketOrigin.with_origin_access_control(media_bucket),
            cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
            **signed,
        )
        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment="SnapStream video and media delivery (signed access only)",
            default_behavior=media_files,
            additional_behaviors={
                VIDEO_PATH: signed_video_behavior(
                    self,
                    video=MediaPackageOrigin.of(packaging),
                    signers=signers,
                    headers=headers,
                ),
                MEDIA_FILES_PATH: media_files,
            },
            **https_distribution_options(
                self,
                logs=self.logs,
                price_class=price_class,
                domain_name=domain_name,
                certificate_arn=certificate_arn,
                web_acl_arn=web_acl_arn,
            ),
        )
        self._acknowledge(custom_domain=bool(domain_name), web_acl=bool(web_acl_arn))
        key = media_bucket.encryption_key if isinstance(media_bucket, s3.Bucket) else None
        if key is not None and key.node.scope is not None:
            # CDK reports this warning on the key's parent construct.
            cdk.Annotations.of(key.node.scope).acknowledge_warning(
                "@aws-cdk/aws-cloudfront-origins:wildcardKeyPolicyForOac",
                "The key encrypts the bucket the distribution reads, so naming the distribution "
                "in the key policy would be a dependency cycle; the statement admits CloudFront "
                "distributions of this account only, and only this one has the bucket as origin.",
            )

    def _acknowledge(self, *, custom_domain: bool, web_acl: bool) -> None:
        acknowledge(
            self.distribution,
            pack=Pack.AWS_SOLUTIONS,
            rule="CFR1",
            reason="Every behaviour requires a CloudFront signature, which the site issues, "
            "short-lived, only to a media's owner and to admins; a country-level block would be "
            "an editorial decision, left to each operator.",
        )
        if not web_acl:
            acknowledge(
                self.distribution,
                pack=Pack.AWS_SOLUTIONS,
                rule="CFR2",
                reason="Every behaviour rejects requests without a valid CloudFront signature "
                "before reaching an origin; a CLOUDFRONT-scope web ACL (us-east-1) can be "
                "attached per environment with cdn_web_acl_arn.",
            )
        if not custom_domain:
            acknowledge(
                self.distribution,
                pack=Pack.AWS_SOLUTIONS,
                rule="CFR4",
                reason="Without a configured domain the distribution serves the default "
                "*.cloudfront.net certificate, whose policy CloudFront fixes; with cdn_domain "
                "set, viewers are held to TLSv1.2_2021.",
            )


def signed_behavior_options(
    signers: Sequence[cloudfront.IKeyGroup], headers: cloudfront.IResponseHeadersPolicy
) -> dict[str, Any]:
    """Behaviour options every signed behaviour shares: HTTPS, signers, headers, read-only."""
    return {
        "viewer_protocol_policy": cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        "trusted_key_groups": list(signers),
        "response_headers_policy": headers,
        "allowed_methods": cloudfront.AllowedMethods.ALLOW_GET_HEAD_OPTIONS,
        "cached_methods": cloudfront.CachedMethods.CACHE_GET_HEAD_OPTIONS,
    }


@dataclass(frozen=True, kw_only=True)
class MediaPackageOrigin:
    """Where CloudFront fetches MediaPackage VOD output, and the CDN identifier it must send."""

    #: the packaging group's host name (no scheme).
    domain_name: str
    #: the identifier's value, best a ``{{resolve:secretsmanager:...}}`` reference.
    cdn_identifier: str

    @classmethod
    def of(cls, packaging: VodPackaging) -> MediaPackageOrigin:
        return cls(
            domain_name=packaging.domain_name,
            cdn_identifier=packaging.cdn_identifier_reference(),
        )


def signed_video_behavior(
    scope: Construct,
    *,
    video: MediaPackageOrigin,
    signers: Sequence[cloudfront.IKeyGroup],
    headers: cloudfront.IResponseHeadersPolicy,
) -> cloudfront.BehaviorOptions:
    """``/out/*`` from MediaPackage VOD: HTTPS with the CDN identifier header, signed requests
    only, cached by path and MediaPackage's own query parameters (a ``VideoCache`` policy in
    ``scope``)."""
    origin = origins.HttpOrigin(
        video.domain_name,
        protocol_policy=cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
        origin_ssl_protocols=[cloudfront.OriginSslPolicy.TLS_V1_2],
        custom_headers={CDN_IDENTIFIER_HEADER: video.cdn_identifier},
    )
    cache = cloudfront.CachePolicy(
        scope,
        "VideoCache",
        comment="MediaPackage VOD: cache key = path + MediaPackage's own query parameters",
        query_string_behavior=cloudfront.CacheQueryStringBehavior.allow_list(
            *MEDIAPACKAGE_QUERY_STRINGS
        ),
        header_behavior=cloudfront.CacheHeaderBehavior.none(),
        cookie_behavior=cloudfront.CacheCookieBehavior.none(),
        enable_accept_encoding_gzip=True,
        default_ttl=cdk.Duration.days(1),
        max_ttl=cdk.Duration.days(365),
    )
    return cloudfront.BehaviorOptions(
        origin=origin,
        cache_policy=cache,
        **signed_behavior_options(signers, headers),
    )


def cloudfront_log_bucket(
    scope: Construct,
    construct_id: str,
    *,
    access_logs: s3.IBucket,
    retention: cdk.Duration,
    removal_policy: cdk.RemovalPolicy,
) -> s3.Bucket:
    """The bucket a distribution's standard logs go to (SSE-S3, ObjectWriter: see below)."""
    bucket = log_destination_bucket(
        scope,
        construct_id,
        retention=retention,
        removal_policy=removal_policy,
        # CloudFront standard logging writes with the awslogsdelivery account's ACL.
        object_ownership=s3.ObjectOwnership.OBJECT_WRITER,
        kms_unsupported_reason="CloudFront standard logging cannot deliver to SSE-KMS "
        "buckets; SSE-S3 is used.",
        access_logs=access_logs,
        access_log_prefix="cloudfront-logs/",
    )
    cfn_bucket = bucket.node.default_child
    assert isinstance(cfn_bucket, s3.CfnBucket)
    cfn_bucket.add_metadata("cfn-lint", {"config": {"ignore_checks": ["W3045"]}})
    cfn_bucket.add_metadata(
        "snapstream:cfn-lint-W3045",
        "CloudFront standard logs are delivered with object ACLs, so this bucket needs "
        "ObjectWriter ownership; public access stays fully blocked.",
    )
    return bucket


def security_headers_policy(
    scope: Construct, construct_id: str, *, comment: str, cors_origins: Sequence[str] = ()
) -> cloudfront.ResponseHeadersPolicy:
    """HSTS (a year, subdomains), nosniff, DENY framing, a strict referrer policy; and CORS
    (GET/HEAD/OPTIONS, no credentials) for ``cors_origins`` when given."""
    return cloudfront.ResponseHeadersPolicy(
        scope,
        construct_id,
        comment=comment,
        security_headers_behavior=strict_transport_headers(
            referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
                referrer_policy=cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN,
                override=True,
            ),
            xss_protection=cloudfront.ResponseHeadersXSSProtection(
                protection=True, mode_block=True, override=True
            ),
        ),
        cors_behavior=cloudfront.ResponseHeadersCorsBehavior(
            access_control_allow_credentials=False,
            access_control_allow_headers=["Range", "Content-Type"],
            access_control_allow_methods=["GET", "HEAD", "OPTIONS"],
            access_control_allow_origins=list(cors_origins),
            access_control_max_age=cdk.Duration.hours(1),
            origin_override=True,
        )
        if cors_origins
        else None,
    )


def strict_transport_headers(**more: Any) -> cloudfront.ResponseSecurityHeadersBehavior:
    """HSTS for a year with subdomains, nosniff and DENY framing, all overriding the origin's;
    ``more`` adds other security headers."""
    return cloudfront.ResponseSecurityHeadersBehavior(
        strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
            access_control_max_age=cdk.Duration.days(365), include_subdomains=True, override=True
        ),
        content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=True),
        frame_options=cloudfront.ResponseHeadersFrameOptions(
            frame_option=cloudfront.HeadersFrameOption.DENY, override=True
        ),
        **more,
    )


def https_distribution_options(
    scope: Construct,
    *,
    logs: s3.IBucket,
    price_class: cloudfront.PriceClass,
    domain_name: str | None,
    certificate_arn: str | None,
    web_acl_arn: str | None,
) -> dict[str, Any]:
    """What every SnapStream distribution shares: HTTP/2 and 3, IPv6, standard logs under
    ``cloudfront/`` in ``logs``, and with ``domain_name`` its ACM certificate (a ``Certificate``
    in ``scope``) and TLSv1.2_2021 at least."""
    certificate = (
        acm.Certificate.from_certificate_arn(scope, "Certificate", certificate_arn)
        if certificate_arn
        else None
    )
    return {
        "price_class": price_class,
        "http_version": cloudfront.HttpVersion.HTTP2_AND_3,
        "enable_ipv6": True,
        "enable_logging": True,
        "log_bucket": logs,
        "log_file_prefix": "cloudfront/",
        "domain_names": [domain_name] if domain_name else None,
        "certificate": certificate,
        "minimum_protocol_version": (
            cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021 if certificate else None
        ),
        "web_acl_id": web_acl_arn,
    }
