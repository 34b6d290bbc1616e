"""The website of one environment: Flask on EC2 behind an internal ALB, reached only through
CloudFront over HTTPS, with AWS WAF at CloudFront (docs/web-hosting.md).

Stateless like the pipeline: everything the site reads or writes lives in the DataStack. The
instance role holds exactly what the site does, statement by statement.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import jsii
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3_assets as s3_assets
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from snapstream_constructs import Pack, WebHosting, acknowledge
from snapstream_constructs.compliance import acknowledge_rotation_by_redeploy
from snapstream_constructs.delivery import MediaPackageOrigin
from snapstream_constructs.site_distribution import SiteDistribution
from snapstream_constructs.tables import GLOBAL_INDEXES, LIBRARY_INDEXES
from stacks.config import EnvironmentConfig
from stacks.data_stack import PRICE_CLASSES, DataStack
from stacks.edge_stack import EdgeStack, site_web_acl
from stacks.lambda_assets import runtime_bundle
from stacks.mail import SiteMail
from stacks.media_objects import MediaObjects, acknowledge_media_objects
from stacks.pipeline_stack import PipelineStack
from stacks.runtime_contract import RUNTIME_ROOT, contract
from stacks.site_cors import UploadsCors
from stacks.site_origin_access import VpcOriginAccess

WEB_ROOT = RUNTIME_ROOT.parent / "web"
_SITE_EXCLUDES = ["**/__pycache__", "**/*.pyc", "**/.mypy_cache", "**/.pytest_cache"]
#: What the site does with its table: records, transactions (authorized per item action), pages.
TABLE_ITEM_ACTIONS = (
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:ConditionCheckItem",  # an upload checks its owner's account is not being deleted
    "dynamodb:Query",
)
#: The item families (partition key prefixes) the site reads and writes: accounts and their
#: e-mail/username claims, login throttles and sessions, media records, tag and title-word search
#: items. Not the pipeline's duplicate-detection claims (HASH#), which no browser request may
#: forge.
SITE_ITEM_FAMILIES = (
    "USER#*",
    "EMAIL#*",
    "USERNAME#*",
    "LOGIN#*",
    "SESSION#*",
    "MEDIA#*",
    "TAG#*",
    "TITLE#*",
)


class WebStack(cdk.Stack):
    """The site's hosting tier, its session-signing key and its permissions."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: EnvironmentConfig,
        data: DataStack,
        pipeline: PipelineStack,
        edge: EdgeStack | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            scope,
            construct_id,
            description=f"SnapStream {config.name}: website (CloudFront with WAF, EC2 behind an "
            "internal ALB)",
            cross_region_references=edge is not None,
            **kwargs,
        )
        self.config = config
        self.data = data
        # The site is the way in: it deploys after the pipeline that processes what it accepts.
        self.add_stack_dependency(pipeline)
        self.deletion_queue = pipeline.deletion.queue
        objects = MediaObjects.imported_from(data)
        self.uploads_arn, self.media_arn = objects.uploads_bucket_arn, objects.media_bucket_arn
        self.uploads_objects, self.media_objects = objects.uploads, objects.media
        self.session_key = self._session_key()
        self.mail = SiteMail(self, "Mail", config=config, data=data)
        self.site_bundle = site_bundle(self, "SiteBundle")
        self.hosting = WebHosting(
            self,
            "Hosting",
            site_bundle=self.site_bundle,
            extra_bundles=[runtime_bundle(self, "RuntimeBundle")],
            settings=self._settings(),
            app_port=contract.WEB_PORT,
            health_check_path=contract.WEB_HEALTH_PATH,
            wsgi_app=contract.WEB_WSGI_APP,
            workers=config.web_workers,
            access_logs=data.access_logs,
            access_log_prefix="alb",
            log_encryption_key=data.data_key.key,
            log_retention=config.log_retention,
            instance_type=ec2.InstanceType(config.web_instance_type),
            min_capacity=config.web_min_capacity,
            max_capacity=config.web_max_capacity,
            nat_gateways=config.nat_gateways,
            nat_instance_type=ec2.InstanceType(config.nat_instance_type)
            if config.nat == "instance"
            else None,
            deletion_protection=config.retain_data,
        )
        self.web_acl = edge.web_acl if edge else site_web_acl(self, config, log_key=data.data_key)
        self.site = SiteDistribution(
            self,
            "Site",
            load_balancer=self.hosting.load_balancer,
            web_acl_arn=self.web_acl.arn,
            access_logs=data.access_logs,
            log_retention=cdk.Duration.days(config.access_log_retention_days),
            removal_policy=config.removal_policy,
            price_class=PRICE_CLASSES[config.cdn_price_class],
            domain_name=config.site_domain,
            certificate_arn=config.site_certificate_arn,
            video=MediaPackageOrigin(
                # an export of the host name: cfn-lint cannot type a Split of another stack's
                # output, and the Data stack computes it once
                domain_name=cdk.Fn.import_value(data.packaging_domain_export),
                cdn_identifier=data.packaging.cdn_identifier_reference(),
            ),
            video_signers=cloudfront.KeyGroup.from_key_group_id(
                self, "PlaybackSigners", data.playback_key.key_group.attr_id
            ),
        )
        self.origin_access = VpcOriginAccess(
            self,
            "OriginAccess",
            hosting=self.hosting,
            site=self.site,
            encryption_key=data.data_key.key,
            log_retention=config.log_retention,
            tracing=data.function_tracing,
        )
        self.uploads_cors = UploadsCors(
            self,
            "UploadsCors",
            bucket=data.uploads,
            origins=self.site_origins(),
            encryption_key=data.data_key.key,
            log_retention=config.log_retention,
            tracing=data.function_tracing,
        )
        self.upload_issuer_policy = self._upload_issuer_policy()
        self.site_policy = self._site_policy()
        for policy in (self.upload_issuer_policy, self.site_policy):
            self.hosting.role.add_managed_policy(policy)
        cdk.CfnOutput(self, "SiteUrl", description="Where the site answers", value=self.site.url)
        cdk.CfnOutput(
            self,
            "SiteDistributionDomainName",
            description="Point site_domain here (CNAME, or a Route 53 alias record)",
            value=self.site.distribution.distribution_domain_name,
        )

    def site_origins(self) -> list[str]:
        """Browser origins of the site: its CloudFront name, and any configured extra origins
        (the custom domain; a developer's loopback outside prod)."""
        own = f"https://{self.site.distribution.distribution_domain_name}"
        return [own, *(origin for origin in self.config.site_origins if origin != own)]

    def _session_key(self) -> secretsmanager.Secret:
        """The Flask session-signing key: generated, 64 letters and digits, under the data key."""
        generation = self.config.web_session_key_generation
        secret = secretsmanager.Secret(
            self,
            f"SessionKeyG{generation}",
            description="Signs the SnapStream site's session cookies (Flask SECRET_KEY)",
            encryption_key=self.data.data_key.key,
            removal_policy=cdk.RemovalPolicy.DESTROY,
            generate_secret_string=secretsmanager.SecretStringGenerator(
                password_length=64, exclude_punctuation=True, include_space=False
            ),
        )
        acknowledge_rotation_by_redeploy(
            secret,
            reason="A new session-signing key logs every user out, so it is never rotated on a "
            "schedule: operators raise web_session_key_generation and redeploy, which replaces "
            "the secret and rolls the instances onto it in the same deployment "
            "(docs/web-hosting.md).",
        )
        return secret

    def _settings(self) -> dict[str, str]:
        """The site's environment (``/etc/snapstream/web.env`` on each instance)."""
        config, data = self.config, self.data
        return {
            contract.ENV_ENVIRONMENT: config.name,
            contract.ENV_TABLE: data.table.table_name,
            contract.ENV_UPLOADS_BUCKET: data.uploads.bucket_name,
            contract.ENV_UPLOADS_KEY: data.data_key.key.key_arn,
            contract.ENV_MAX_UPLOAD_BYTES: str(config.max_upload_bytes),
            contract.ENV_PRESIGN_EXPIRY: str(config.presign_expiry_seconds),
            contract.ENV_MEDIA_BUCKET: data.media.bucket_name,
            contract.ENV_NOTIFICATIONS_TOPIC: data.notifications_topic.topic_arn,
            contract.ENV_CDN_DOMAIN: config.cdn_domain
            or data.cdn.distribution.distribution_domain_name,
            contract.ENV_PLAYBACK_KEY_PAIR_ID: data.playback_key.key_pair_id,
            contract.ENV_PLAYBACK_KEY_SECRET: data.playback_key.private_key.secret_arn,
            contract.ENV_PACKAGING_GROUP: data.packaging.group.id,
            contract.ENV_DELETION_QUEUE: self.deletion_queue.queue_url,
            contract.ENV_WEB_SECRET_KEY: self.session_key.secret_arn,
            # The distribution needs the load balancer the hosting builds from these settings.
            contract.ENV_SITE_DOMAIN: later(lambda: self.site.domain_name),
            # Served over HTTPS by CloudFront in every environment (docs/web-hosting.md).
            contract.ENV_WEB_SECURE_COOKIES: "true",
            # X-Forwarded-For: the viewer (added by CloudFront), then CloudFront (by the ALB).
            contract.ENV_WEB_PROXY_COUNT: "2",
            contract.ENV_WEB_SESSION_IDLE: str(config.web_session_idle_minutes * 60),
            contract.ENV_WEB_SESSION_ABSOLUTE: str(config.web_session_absolute_hours * 3600),
            contract.ENV_WEB_ADMIN_TWO_FACTOR: str(config.require_admin_two_factor).lower(),
            **self.mail.site_settings(),
            "AWS_DEFAULT_REGION": cdk.Aws.REGION,
        }

    def _upload_issuer_policy(self) -> iam.ManagedPolicy:
        """What the web tier needs to run the upload contract (``snapstream_runtime.uploads``).

        A presigned POST carries the signer's authority, so the signer may put objects under
        ``uploads/`` only, encrypted with the data key; and it creates ``awaiting_upload`` media
        records (``MEDIA#`` items) only.
        """
        data = self.data
        policy = iam.ManagedPolicy(
            self,
            "UploadIssuerPolicy",
            description="Issue presigned upload POSTs and create awaiting_upload media records",
            statements=[
                iam.PolicyStatement(actions=["s3:PutObject"], resources=[self.uploads_objects]),
                iam.PolicyStatement(
                    actions=["kms:GenerateDataKey"], resources=[data.data_key.key.key_arn]
                ),
                iam.PolicyStatement(
                    actions=["dynamodb:PutItem"],
                    resources=[data.table.table_arn],
                    conditions={"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["MEDIA#*"]}},
                ),
            ],
        )
        acknowledge_media_objects(policy, self.uploads_objects)
        return policy

    def _site_policy(self) -> iam.ManagedPolicy:
        """Everything else the site does: accounts, libraries, tags, notifications, playback
        signing, and asking for deletions. It deletes no object and no VOD asset: it marks a
        media or account ``deleting`` and sends the deletion queue a message; the deletion
        function (Pipeline stack) alone holds those rights."""
        data = self.data
        table_arn = data.table.table_arn
        policy = iam.ManagedPolicy(
            self,
            "SitePolicy",
            description="The SnapStream site: records, media files, notifications, playback keys",
            statements=[
                iam.PolicyStatement(
                    actions=list(TABLE_ITEM_ACTIONS),
                    resources=[table_arn],
                    conditions={
                        "ForAllValues:StringLike": {
                            "dynamodb:LeadingKeys": list(SITE_ITEM_FAMILIES)
                        }
                    },
                ),
                # the library and the admins' lists (GSI1, GSI2) and their filtered and
                # by-name views (the library's indexes)
                iam.PolicyStatement(
                    actions=["dynamodb:Query"],
                    resources=[
                        f"{table_arn}/index/{name}" for name in (*GLOBAL_INDEXES, *LIBRARY_INDEXES)
                    ],
                ),
                # presigned GETs (thumbnails, transcripts, originals by version)
                iam.PolicyStatement(
                    actions=["s3:GetObject", "s3:GetObjectVersion"],
                    resources=[self.uploads_objects, self.media_objects],
                ),
                iam.PolicyStatement(
                    actions=["kms:Decrypt", "kms:GenerateDataKey"],
                    resources=[data.data_key.key.key_arn],
                ),
                iam.PolicyStatement(
                    actions=["sqs:SendMessage"], resources=[self.deletion_queue.queue_arn]
                ),
                iam.PolicyStatement(
                    actions=["sns:Subscribe"],
                    resources=[data.notifications_topic.topic_arn],
                    conditions={"StringEquals": {"sns:Protocol": "email"}},
                ),
                iam.PolicyStatement(actions=["sns:Unsubscribe"], resources=["*"]),
                self.mail.send_statement(),
                iam.PolicyStatement(
                    actions=["secretsmanager:GetSecretValue"],
                    resources=[
                        self.session_key.secret_arn,
                        data.playback_key.private_key.secret_arn,
                    ],
                ),
            ],
        )
        acknowledge_media_objects(policy, self.uploads_objects, self.media_objects)
        acknowledge(
            policy,
            pack=Pack.AWS_SOLUTIONS,
            rule="IAM5",
            findings=["Resource::*"],
            reason="sns:Unsubscribe has no resource-level permissions and no condition keys "
            "(Service Authorization Reference): the site removes the e-mail subscription a "
            "user opted into, and can name no narrower resource for it.",
        )
        return policy


@jsii.implements(cdk.IStableStringProducer)
class _Later:
    def __init__(self, produce: Callable[[], str]) -> None:
        self._produce = produce

    def produce(self) -> str:
        return self._produce()


def later(produce: Callable[[], str]) -> str:
    """A string token whose value ``produce`` gives at synthesis, once what it names exists."""
    return cdk.Lazy.string(_Later(produce))


def site_bundle(scope: Construct, construct_id: str) -> s3_assets.Asset:
    """``web/`` as a zip: ``snapstream_web/``, ``requirements-site.txt`` and ``deploy/``."""
    if not (WEB_ROOT / "deploy" / "install.sh").is_file():
        raise FileNotFoundError(f"{Path(WEB_ROOT, 'deploy', 'install.sh')} is missing")
    return s3_assets.Asset(scope, construct_id, path=str(WEB_ROOT), exclude=_SITE_EXCLUDES)
