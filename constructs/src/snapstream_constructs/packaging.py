"""MediaPackage VOD with CDN authorization: only a CDN that knows the secret may fetch."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_mediapackage as mediapackage
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from snapstream_constructs.compliance import (
    Pack,
    acknowledge,
    acknowledge_rotation_by_redeploy,
    resource_finding,
)
from snapstream_constructs.roles import service_role

CDN_IDENTIFIER_FIELD = "MediaPackageCDNIdentifier"
CDN_IDENTIFIER_HEADER = "X-MediaPackage-CDNIdentifier"


def _unique_name(scope: Construct, max_length: int) -> str:
    """A physical name derived from the construct path: stable, and distinct per environment."""
    return cdk.Names.unique_resource_name(scope, max_length=max_length, separator="-")


class VodPackaging(Construct):
    """A packaging group (HLS, DASH, CMAF) over the transcoded outputs in ``source_bucket``.

    The CDN identifier lives only in Secrets Manager as ``{"MediaPackageCDNIdentifier": ...}``:
    a 36-character generated value, KMS-encrypted. MediaPackage accepts requests carrying the
    current or the previous version in ``X-MediaPackage-CDNIdentifier``, which is what makes
    rotation without downtime possible (docs/runbooks).

    Args:
        source_bucket: The bucket of transcoded outputs (HLS manifests and segments) that assets are
            made from; an existing bucket works (``s3.Bucket.from_bucket_attributes``).
        source_prefix: Key prefix under which MediaPackage may read (e.g. ``out/``).
        encryption_key: The KMS key of the CDN identifier secret, the egress logs and the source
            objects (MediaPackage decrypts with it); its policy must admit CloudWatch Logs.
        log_retention: How long egress access logs are kept.
        removal_policy: What happens to the CDN identifier secret when it leaves the stack.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        source_bucket: s3.IBucket,
        source_prefix: str,
        encryption_key: kms.IKey,
        log_retention: logs.RetentionDays,
        removal_policy: cdk.RemovalPolicy,
    ) -> None:
        super().__init__(scope, construct_id)
        self.cdn_identifier = secretsmanager.Secret(
            self,
            "CdnIdentifier",
            description="CDN authorization header value MediaPackage requires from CloudFront",
            encryption_key=encryption_key,
            removal_policy=removal_policy,
            generate_secret_string=secretsmanager.SecretStringGenerator(
                secret_string_template="{}",  # noqa: S106 (an empty JSON object, no secret)
                generate_string_key=CDN_IDENTIFIER_FIELD,
                exclude_punctuation=True,
                include_space=False,
                password_length=36,
            ),
        )
        acknowledge_rotation_by_redeploy(
            self.cdn_identifier,
            reason="Rotating the CDN identifier must update CloudFront's origin header in the "
            "same change; it is rotated by redeploying with a new secret version "
            "(docs/runbooks.md), and MediaPackage accepts the previous version meanwhile.",
        )
        role_name = _unique_name(self, 64)
        stack = cdk.Stack.of(self)
        role_arn = stack.format_arn(
            service="iam", region="", resource="role", resource_name=role_name
        )
        self.policy = iam.ManagedPolicy(
            self,
            "Policy",
            description="MediaPackage VOD: read transcoded outputs and the CDN identifier",
            statements=[
                iam.PolicyStatement(
                    actions=["s3:GetObject"],
                    resources=[source_bucket.arn_for_objects(f"{source_prefix}*")],
                ),
                iam.PolicyStatement(
                    actions=["s3:GetBucketLocation", "s3:GetBucketRequestPayment", "s3:ListBucket"],
                    resources=[source_bucket.bucket_arn],
                ),
                # The MediaPackage guide also lists secretsmanager:ListSecrets, but its own policy
                # names it on the secret's ARN, which IAM never matches for an action without
                # resource-level permissions: MediaPackage works without it. On "*" it would let
                # MediaPackage list every secret of the account, so it is not granted.
                iam.PolicyStatement(
                    actions=[
                        "secretsmanager:GetSecretValue",
                        "secretsmanager:DescribeSecret",
                        "secretsmanager:ListSecretVersionIds",
                    ],
                    resources=[self.cdn_identifier.secret_arn],
                ),
                iam.PolicyStatement(actions=["iam:GetRole", "iam:PassRole"], resources=[role_arn]),
                iam.PolicyStatement(actions=["kms:Decrypt"], resources=[encryption_key.key_arn]),
            ],
        )
        acknowledge(
            self.policy,
            pack=Pack.AWS_SOLUTIONS,
            rule="IAM5",
            findings=[
                resource_finding(self, source_bucket.arn_for_objects(f"{source_prefix}*")),
            ],
            reason="MediaPackage reads asset sources (manifests and segments) under the media "
            "outputs prefix only, where each video gets its own generated folder.",
        )
        self.role = service_role(
            self,
            "Role",
            service="mediapackage.amazonaws.com",
            description="MediaPackage VOD packaging of SnapStream",
            policy=self.policy,
            role_name=role_name,
        )
        self.egress_logs = logs.LogGroup(
            self,
            "EgressLogs",
            log_group_name=f"/aws/MediaPackage/{_unique_name(self, 200)}",
            retention=log_retention,
            encryption_key=encryption_key,
            removal_policy=cdk.RemovalPolicy.DESTROY,
        )
        self.group = mediapackage.CfnPackagingGroup(
            self,
            "Group",
            id=_unique_name(self, 256),
            authorization=mediapackage.CfnPackagingGroup.AuthorizationProperty(
                cdn_identifier_secret=self.cdn_identifier.secret_arn,
                secrets_role_arn=self.role.role_arn,
            ),
            egress_access_logs=mediapackage.CfnPackagingGroup.LogConfigurationProperty(
                log_group_name=self.egress_logs.log_group_name
            ),
        )
        self.configurations = {
            "hls": self._configuration(
                "Hls",
                hls_package=mediapackage.CfnPackagingConfiguration.HlsPackageProperty(
                    hls_manifests=[
                        mediapackage.CfnPackagingConfiguration.HlsManifestProperty(
                            manifest_name="index",
                            ad_markers="NONE",
                            include_iframe_only_stream=False,
                        )
                    ],
                    segment_duration_seconds=6,
                    use_audio_rendition_group=False,
                ),
            ),
            "dash": self._configuration(
                "Dash",
                dash_package=mediapackage.CfnPackagingConfiguration.DashPackageProperty(
                    dash_manifests=[
                        mediapackage.CfnPackagingConfiguration.DashManifestProperty(
                            manifest_name="index",
                            manifest_layout="FULL",
                            min_buffer_time_seconds=30,
                        )
                    ],
                    segment_duration_seconds=6,
                    segment_template_format="NUMBER_WITH_TIMELINE",
                ),
            ),
            "cmaf": self._configuration(
                "Cmaf",
                cmaf_package=mediapackage.CfnPackagingConfiguration.CmafPackageProperty(
                    hls_manifests=[
                        mediapackage.CfnPackagingConfiguration.HlsManifestProperty(
                            manifest_name="index"
                        )
                    ],
                    segment_duration_seconds=6,
                ),
            ),
        }

    def _configuration(
        self, construct_id: str, **package: object
    ) -> mediapackage.CfnPackagingConfiguration:
        configuration = mediapackage.CfnPackagingConfiguration(
            self,
            construct_id,
            id=_unique_name(self, 200) + f"-{construct_id.lower()}",
            packaging_group_id=self.group.id,
            **package,  # type: ignore[arg-type]
        )
        configuration.node.add_dependency(self.group)
        return configuration

    @property
    def domain_name(self) -> str:
        """The egress host name (``<id>.egress.mediapackage-vod.<region>.amazonaws.com``)."""
        return cdk.Fn.select(2, cdk.Fn.split("/", self.group.attr_domain_name))

    def cdn_identifier_reference(self) -> str:
        """A ``{{resolve:secretsmanager:...}}`` reference: the value never enters a template."""
        return cdk.SecretValue.secrets_manager(
            self.cdn_identifier.secret_arn, json_field=CDN_IDENTIFIER_FIELD
        ).unsafe_unwrap()

    def assets_arn(self, asset_ids: str = "*") -> str:
        """Assets of this account and Region whose ids match ``asset_ids`` (asset ARNs carry no
        packaging group, so an id prefix is the only way to narrow them)."""
        return cdk.Stack.of(self).format_arn(
            service="mediapackage-vod", resource="assets", resource_name=asset_ids
        )

    def allow_packaging(self, policy: iam.ManagedPolicy, *, asset_ids: str = "*") -> None:
        """Let ``policy``'s holder create assets in this group passing this role, and read the
        assets whose ids match ``asset_ids``."""
        policy.add_statements(
            # CreateAsset has no resource-level permissions (Service Authorization Reference):
            # "*" is the only resource that matches it. The passed role below is named exactly.
            iam.PolicyStatement(actions=["mediapackage-vod:CreateAsset"], resources=["*"]),
            iam.PolicyStatement(
                actions=["mediapackage-vod:DescribeAsset"], resources=[self.assets_arn(asset_ids)]
            ),
            iam.PolicyStatement(
                actions=["iam:PassRole"],
                resources=[self.role.role_arn],
                conditions={"StringEquals": {"iam:PassedToService": "mediapackage.amazonaws.com"}},
            ),
        )
