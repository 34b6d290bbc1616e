"""S3 buckets with SnapStream's defaults: encrypted, private, versioned, logged, lifecycled."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from snapstream_constructs.compliance import Pack, acknowledge

_NO_REPLICATION_REASON = (
    "Cross-Region replication is a disaster-recovery choice outside this construct: objects are "
    "protected in-Region by versioning with noncurrent-version retention and S3's 11-nines "
    "durability; operators who need a second Region add replication per environment."
)


#: Longest Region code (``ap-southeast-7``, ``us-isob-east-1`` are 14) with room to spare.
_MAX_REGION_LENGTH = 16
_NAME_PART = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


def account_bucket_name(prefix: str, purpose: str) -> str:
    """``<prefix>-<purpose>-<account>-<region>``: a bucket name fixed at synthesis, built only from
    the stack's pseudo parameters, so that a policy can name the bucket without referring to it
    (a reference to the bucket can close a dependency cycle). Distinct per account and Region;
    ``prefix`` (e.g. ``snapstream-dev``) keeps two environments in one account apart."""
    for part in (prefix, purpose):
        if not _NAME_PART.fullmatch(part):
            raise ValueError(f"bucket name part {part!r}: lowercase letters, digits and hyphens")
    longest = len(f"{prefix}-{purpose}--") + 12 + _MAX_REGION_LENGTH
    if longest > 63:
        raise ValueError(f"{prefix}-{purpose}-<account>-<region> can exceed S3's 63 characters")
    return f"{prefix}-{purpose}-{cdk.Aws.ACCOUNT_ID}-{cdk.Aws.REGION}"


def bucket_arn_by_name(bucket: s3.Bucket) -> str:
    """``arn:<partition>:s3:::<name>`` of a bucket named with :func:`account_bucket_name`, built
    from the same pseudo parameters, never from a reference to the bucket resource."""
    cfn_bucket = bucket.node.default_child
    assert isinstance(cfn_bucket, s3.CfnBucket)
    stack = cdk.Stack.of(bucket)
    # Without a name the L2 leaves a lazy value that resolves to nothing.
    if cfn_bucket.bucket_name is None or stack.resolve(cfn_bucket.bucket_name) is None:
        raise ValueError(f"{bucket.node.path} has no name fixed at synthesis (account_bucket_name)")
    return stack.format_arn(service="s3", region="", account="", resource=cfn_bucket.bucket_name)


def acknowledge_no_replication(bucket: s3.Bucket) -> None:
    acknowledge(
        bucket,
        pack=Pack.NIST_800_53_R5,
        rule="S3BucketReplicationEnabled",
        reason=_NO_REPLICATION_REASON,
    )


def log_destination_bucket(
    scope: Construct,
    construct_id: str,
    *,
    retention: cdk.Duration,
    removal_policy: cdk.RemovalPolicy,
    object_ownership: s3.ObjectOwnership,
    kms_unsupported_reason: str,
    access_logs: s3.IBucket | None = None,
    access_log_prefix: str | None = None,
) -> s3.Bucket:
    """A bucket AWS log delivery writes into: SSE-S3 (log delivery cannot use SSE-KMS, hence
    ``kms_unsupported_reason``), TLS-only, private, versioned, logs expired after ``retention``."""
    bucket = s3.Bucket(
        scope,
        construct_id,
        encryption=s3.BucketEncryption.S3_MANAGED,
        enforce_ssl=True,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        object_ownership=object_ownership,
        versioned=True,
        server_access_logs_bucket=access_logs,
        server_access_logs_prefix=access_log_prefix,
        removal_policy=removal_policy,
        lifecycle_rules=[
            s3.LifecycleRule(
                id="expire-logs",
                expiration=retention,
                noncurrent_version_expiration=cdk.Duration.days(1),
                abort_incomplete_multipart_upload_after=cdk.Duration.days(1),
            )
        ],
    )
    acknowledge(
        bucket,
        pack=Pack.NIST_800_53_R5,
        rule="S3DefaultEncryptionKMS",
        reason=kms_unsupported_reason,
    )
    acknowledge_no_replication(bucket)
    return bucket


class AccessLogBucket(Construct):
    """The destination of S3 server access logs.

    It uses SSE-S3 because S3 server access logging cannot deliver into an SSE-KMS bucket. It does
    not log itself (that would log every log delivery, forever); cdk-nag recognises a log
    destination and does not ask it to.

    Args:
        retention: How long log objects are kept before they expire.
        removal_policy: What happens to the bucket (and its logs) when it leaves the stack.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        retention: cdk.Duration,
        removal_policy: cdk.RemovalPolicy,
    ) -> None:
        super().__init__(scope, construct_id)
        self.bucket = log_destination_bucket(
            self,
            "Bucket",
            retention=retention,
            removal_policy=removal_policy,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            kms_unsupported_reason="S3 server access logging only delivers to buckets encrypted "
            "with SSE-S3 (SSE-KMS destinations are not supported), so this bucket uses SSE-S3 "
            "(AES-256).",
        )


class SecureBucket(Construct):
    """A private bucket for SnapStream data (uploads, processed media).

    KMS-encrypted with the given key (with S3 Bucket Keys to cut KMS calls), TLS-only, Block Public
    Access, bucket-owner-enforced ownership, versioned, server access logs into ``access_logs``,
    and lifecycle rules: abort incomplete multipart uploads, expire noncurrent versions and stale
    delete markers, and optionally move current objects to Standard-IA after a number of days.
    Named by CloudFormation unless ``bucket_name`` is given (see :func:`account_bucket_name`).

    Args:
        encryption_key: The KMS key objects are encrypted with (SSE-KMS with an S3 Bucket Key); an
            existing key works (``kms.Key.from_key_arn``) when its policy lets the bucket's users
            use it.
        access_logs: The bucket server access logs go to: an :class:`AccessLogBucket`'s ``bucket``,
            or an existing SSE-S3 log bucket (whose policy must admit ``logging.s3.amazonaws.com``:
            CDK cannot add that to an imported bucket, and warns).
        access_log_prefix: Key prefix of this bucket's logs in ``access_logs`` (e.g. ``media/``).
        removal_policy: What happens to the bucket when it leaves the stack: ``RETAIN`` for data you
            keep (``DESTROY`` fails while the bucket holds object versions).
        noncurrent_version_expiration: How long a replaced or deleted object version is kept before
            it expires.
        infrequent_access_after: Move current objects to Standard-IA this long after they are
            written; default never.
        abort_incomplete_multipart_after: Abort multipart uploads left incomplete this long; default
            2 days.
        cors_allowed_origins: ``https://`` site origins (or a developer's loopback) whose browsers
            may POST presigned form uploads and read the ETag; default none (no CORS rule); ``*`` is
            refused.
        bucket_name: A physical name fixed at synthesis (:func:`account_bucket_name`), which
            :func:`notify_queue_of_object_created` needs; default a name CloudFormation generates.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        encryption_key: kms.IKey,
        access_logs: s3.IBucket,
        access_log_prefix: str,
        removal_policy: cdk.RemovalPolicy,
        noncurrent_version_expiration: cdk.Duration,
        infrequent_access_after: cdk.Duration | None = None,
        abort_incomplete_multipart_after: cdk.Duration | None = None,
        cors_allowed_origins: Sequence[str] = (),
        bucket_name: str | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        transitions = (
            [
                s3.Transition(
                    storage_class=s3.StorageClass.INFREQUENT_ACCESS,
                    transition_after=infrequent_access_after,
                )
            ]
            if infrequent_access_after is not None
            else None
        )
        self.bucket = s3.Bucket(
            self,
            "Bucket",
            bucket_name=bucket_name,
            encryption=s3.BucketEncryption.KMS,
            encryption_key=encryption_key,
            bucket_key_enabled=True,
            enforce_ssl=True,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            versioned=True,
            server_access_logs_bucket=access_logs,
            server_access_logs_prefix=access_log_prefix,
            removal_policy=removal_policy,
            cors=[_browser_upload_cors(cors_allowed_origins)] if cors_allowed_origins else None,
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="abort-incomplete-multipart-and-expire-noncurrent",
                    abort_incomplete_multipart_upload_after=(
                        abort_incomplete_multipart_after or cdk.Duration.days(2)
                    ),
                    noncurrent_version_expiration=noncurrent_version_expiration,
                    transitions=transitions,
                ),
                s3.LifecycleRule(
                    id="remove-expired-delete-markers",
                    expired_object_delete_marker=True,
                ),
            ],
        )
        acknowledge_no_replication(self.bucket)


def _browser_upload_cors(origins: Sequence[str]) -> s3.CorsRule:
    rule = browser_upload_cors_rule(origins)
    return s3.CorsRule(
        allowed_methods=[s3.HttpMethods(method) for method in rule["AllowedMethods"]],
        allowed_origins=rule["AllowedOrigins"],
        allowed_headers=rule["AllowedHeaders"],
        exposed_headers=rule["ExposeHeaders"],
        max_age=rule["MaxAgeSeconds"],
    )


def browser_upload_cors_rule(origins: Sequence[str]) -> dict[str, Any]:
    """The CORS rule (S3 API shape) that lets browsers at ``origins`` POST presigned form
    uploads and read the returned ETag: https origins, or a developer's loopback."""
    for origin in origins:
        if origin == "*" or not origin.startswith(("https://", "http://localhost", "http://127.")):
            raise ValueError(f"CORS origin must be an https:// site origin, got {origin!r}")
    return {
        "AllowedMethods": ["POST"],
        "AllowedOrigins": list(origins),
        "AllowedHeaders": ["Content-Type", "Content-Length", "X-Requested-With"],
        "ExposeHeaders": ["ETag"],
        "MaxAgeSeconds": 3000,
    }
