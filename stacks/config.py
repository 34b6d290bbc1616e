"""Per-environment configuration: one frozen dataclass instance per environment.

Stacks turn these values into construct props; constructs never see an environment name.
To add an environment, add one entry to :data:`ENVIRONMENTS`. Any field can be overridden per
environment from CDK context (``cdk.json`` or ``-c``), e.g. ``{"snapstream": {"prod":
{"account": "123456789012", "alarm_email": "ops@example.com"}}}``; unknown keys are refused.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_logs as logs

from snapstream_constructs import AlarmThresholds
from stacks.alarm_settings import alarm_destination_problems, is_chatbot_channel
from stacks.mail_settings import mail_problems

GIB = 1024**3
#: CloudWatch Logs accepts only these retention periods.
LOG_RETENTION: Mapping[int, logs.RetentionDays] = MappingProxyType(
    {
        7: logs.RetentionDays.ONE_WEEK,
        14: logs.RetentionDays.TWO_WEEKS,
        30: logs.RetentionDays.ONE_MONTH,
        90: logs.RetentionDays.THREE_MONTHS,
        180: logs.RetentionDays.SIX_MONTHS,
        365: logs.RetentionDays.ONE_YEAR,
        731: logs.RetentionDays.TWO_YEARS,
        3653: logs.RetentionDays.TEN_YEARS,
    }
)
_NAME = re.compile(r"^[a-z][a-z0-9]{1,15}$")
_ACCOUNT = re.compile(r"^\d{12}$")
#: Stuck-media deadlines: the analysis and deletion queues retry 5 times 12 minutes apart before
#: they give up, so a shorter deadline would re-drive work still being retried.
STUCK_MINIMUM_MINUTES = 60
STUCK_MAXIMUM_MINUTES = 7 * 24 * 60
#: Graviton (arm64) instance types: the web tier runs the arm64 Amazon Linux 2023 image.
_ARM64_INSTANCE_TYPE = re.compile(r"^[a-z]+\d+g[a-z-]*\.[a-z0-9]+$")
#: Twice Pillow's MAX_IMAGE_PIXELS: beyond it Image.open raises DecompressionBombError.
MAX_IMAGE_PIXELS = 178_956_970


@dataclass(frozen=True, kw_only=True)
class EnvironmentConfig:
    """Everything that differs between two SnapStream environments."""

    name: str
    account: str | None = None
    #: None: CDK_DEFAULT_REGION, else us-east-1.
    region: str | None = None
    #: prod-like data handling: RETAIN stateful resources, termination and deletion protection.
    retain_data: bool = False
    log_retention_days: int = 30
    access_log_retention_days: int = 90
    noncurrent_version_retention_days: int = 30
    #: move originals in the uploads bucket to Standard-IA after this many days (None: never).
    uploads_infrequent_access_after_days: int | None = None
    max_upload_bytes: int = 5 * GIB
    #: images declaring more pixels than this are rejected at ingest, from their header, before
    #: anything decodes them (a 69-byte PNG can declare 20,000 x 20,000); analysis never
    #: decodes more either. 100 megapixels decode to 300-400 MB in the analysis function.
    max_image_pixels: int = 100_000_000
    #: where the alarms go (the operations topic sends to both when both are set): an e-mail
    #: address the operations topic subscribes, and/or an existing SNS topic ARN every alarm
    #: also publishes to, or an AWS Chatbot channel ARN (same account, docs/operations.md).
    alarm_email: str | None = None
    alarm_topic_arn: str | None = None
    #: refuse to synthesize for a known account when alarms would reach nobody (off in dev).
    require_alarm_destination: bool = True
    #: the site's own host name and its ACM certificate, in us-east-1 (CloudFront's); optional:
    #: without them the site answers over HTTPS on its *.cloudfront.net name.
    site_domain: str | None = None
    site_certificate_arn: str | None = None
    #: the CloudFront host name and its ACM certificate (us-east-1); optional.
    cdn_domain: str | None = None
    cdn_certificate_arn: str | None = None
    #: NAT of the web tier's VPC (two Availability Zones): 1 is cheaper, 2 survives an AZ.
    nat_gateways: int = 1
    #: "gateway" (managed NAT gateways) or "instance": that many NAT instances of the Graviton
    #: nat_instance_type, far cheaper but each a single point of failure with a bandwidth ceiling
    #: (docs/web-hosting.md).
    nat: str = "gateway"
    nat_instance_type: str = "t4g.nano"
    web_instance_type: str = "t4g.small"
    web_min_capacity: int = 1
    web_max_capacity: int = 2
    #: gunicorn workers per instance (None: 2 x vCPUs + 1, computed on the instance).
    web_workers: int | None = None
    #: WAF: requests one client IP may make in any 5 minutes before it is blocked; and POSTs to
    #: the login, register and password-reset paths (contract.WEB_CREDENTIAL_PATHS).
    web_rate_limit_per_5min: int = 2000
    web_login_rate_limit_per_5min: int = 100
    #: a login session ends after this long without a request, and this long after the login.
    web_session_idle_minutes: int = 60
    web_session_absolute_hours: int = 12
    #: administrators must turn on two-factor authentication (TOTP) before anything else.
    require_admin_two_factor: bool = True
    #: Raise to replace the site's session-signing key (logs every user out; docs/web-hosting.md).
    web_session_key_generation: int = 1
    #: The site's e-mail (address verification, password reset) goes through Amazon SES from
    #: mail_from; SES verifies that one address, or with mail_domain the whole domain (DKIM
    #: records to publish). The placeholder cannot be verified: set a real one before deploying
    #: (docs/deployment.md, "E-mail").
    mail_from: str = "no-reply@example.com"
    mail_domain: str | None = None
    #: an e-mail verification link and a password-reset link work once, for this long.
    email_verification_hours: int = 48
    password_reset_minutes: int = 60
    accelerated_transcoding: bool = False
    #: ingest Lambda: memory, timeout and reserved concurrency (protects DynamoDB and S3).
    ingest_memory_mb: int = 256
    ingest_timeout_seconds: int = 30
    ingest_reserved_concurrency: int = 10
    #: presigned upload POSTs stay valid this long.
    presign_expiry_seconds: int = 600
    event_archive_retention_days: int = 30
    #: CloudFront: price class, optional CLOUDFRONT-scope web ACL (ARN, us-east-1).
    cdn_price_class: str = "PriceClass_100"
    cdn_web_acl_arn: str | None = None
    #: Raise to rotate the playback signing key pair (docs/runbooks.md).
    playback_key_generation: int = 1
    #: pipeline functions (transcode submit/state, package): reserved concurrency.
    video_reserved_concurrency: int = 5
    #: analysis: tags below this confidence (0-100) are not kept; moderation flag threshold;
    #: Rekognition celebrity recognition on images; reserved concurrency (service quotas).
    tag_confidence_threshold: float = 80.0
    moderation_confidence_threshold: float = 80.0
    celebrity_recognition: bool = False
    #: Rekognition video text and segment (shot, technical cue) detection, besides labels.
    video_text_and_segments: bool = False
    analysis_reserved_concurrency: int = 5
    #: deletion function: reserved concurrency (MediaPackage and DynamoDB request rates).
    deletion_reserved_concurrency: int = 3
    #: the stuck-media sweeper (docs/operations.md): it runs every stuck_sweep_minutes and finds
    #: media that sat in uploaded, processing or deleting longer than that status's deadline
    #: (minutes, measured from entering the status or the last pipeline activity): it re-drives
    #: each once and, after as long again, fails it (a deletion: keeps counting it).
    stuck_sweep_minutes: int = 15
    stuck_uploaded_minutes: int = 120
    #: longer than the longest transcode or transcription expected (MediaConvert reports progress
    #: every minute while a job runs, which counts as activity; a queued job does not).
    stuck_processing_minutes: int = 360
    stuck_deleting_minutes: int = 120
    #: when the operations alarms fire (counts per 5 minutes; docs/operations.md).
    alarms: AlarmThresholds = dataclasses.field(default_factory=AlarmThresholds)

    def __post_init__(self) -> None:
        problems = [
            *self._identity_problems(),
            *self._alarm_destination_problems(),
            *self._sizing_problems(),
        ]
        if problems:
            raise ValueError(f"environment {self.name!r}: " + "; ".join(problems))

    def _identity_problems(self) -> list[str]:
        problems = []
        if not _NAME.match(self.name):
            problems.append(f"name {self.name!r} must be 2-16 lowercase letters/digits")
        if self.account is not None and not _ACCOUNT.match(self.account):
            problems.append(f"account {self.account!r} must be 12 digits")
        if (self.site_certificate_arn is None) != (self.site_domain is None):
            problems.append("site_domain and site_certificate_arn go together")
        for field in ("site_certificate_arn", "cdn_certificate_arn"):
            arn = getattr(self, field)
            if arn is not None and not arn.startswith("arn:aws:acm:us-east-1:"):
                problems.append(f"{field} must be an ACM certificate in us-east-1 (CloudFront's)")
        if (self.cdn_certificate_arn is None) != (self.cdn_domain is None):
            problems.append("cdn_domain and cdn_certificate_arn go together")
        if self.cdn_price_class not in {"PriceClass_100", "PriceClass_200", "PriceClass_All"}:
            problems.append(
                "cdn_price_class must be PriceClass_100, PriceClass_200 or PriceClass_All"
            )
        if self.playback_key_generation < 1:
            problems.append("playback_key_generation must be >= 1")
        if not 0 <= self.tag_confidence_threshold <= 100:
            problems.append("tag_confidence_threshold must be 0-100")
        return problems

    def _alarm_destination_problems(self) -> list[str]:
        return alarm_destination_problems(
            name=self.name,
            account=self.account,
            region=self.region,
            alarm_email=self.alarm_email,
            alarm_topic_arn=self.alarm_topic_arn,
            required=self.require_alarm_destination,
            destination=self.alarm_destination,
        )

    def _sizing_problems(self) -> list[str]:
        problems = []
        if self.uploads_infrequent_access_after_days is not None and (
            self.uploads_infrequent_access_after_days < 30
        ):
            problems.append("uploads_infrequent_access_after_days must be >= 30 (S3 Standard-IA)")
        if self.log_retention_days not in LOG_RETENTION:
            problems.append(f"log_retention_days must be one of {sorted(LOG_RETENTION)}")
        if self.access_log_retention_days < 1:
            problems.append("access_log_retention_days must be positive")
        if self.noncurrent_version_retention_days < 1:
            problems.append("noncurrent_version_retention_days must be positive")
        if not 1 <= self.max_upload_bytes <= 5 * GIB:
            problems.append("max_upload_bytes must be 1 byte to 5 GiB (the S3 POST maximum)")
        if not 1_000_000 <= self.max_image_pixels <= MAX_IMAGE_PIXELS:
            problems.append(
                f"max_image_pixels must be 1,000,000-{MAX_IMAGE_PIXELS:,} (Pillow refuses larger "
                "images as decompression bombs, and the analysis function must decode them)"
            )
        if not 1 <= self.ingest_timeout_seconds <= 900:
            problems.append("ingest_timeout_seconds must be 1-900")
        problems.extend(self._web_problems())
        problems.extend(
            mail_problems(
                mail_from=self.mail_from,
                mail_domain=self.mail_domain,
                email_verification_hours=self.email_verification_hours,
                password_reset_minutes=self.password_reset_minutes,
            )
        )
        problems.extend(self._stuck_media_problems())
        problems.extend(self.alarms.problems())
        return problems

    def _stuck_media_problems(self) -> list[str]:
        problems = []
        if not 1 <= self.stuck_sweep_minutes <= 60:
            problems.append("stuck_sweep_minutes must be 1-60")
        shortest = max(STUCK_MINIMUM_MINUTES, 2 * self.stuck_sweep_minutes)
        for status, minutes in self.stuck_deadlines_minutes.items():
            if not shortest <= minutes <= STUCK_MAXIMUM_MINUTES:
                problems.append(
                    f"stuck_{status}_minutes must be {shortest}-{STUCK_MAXIMUM_MINUTES}: at least "
                    f"{STUCK_MINIMUM_MINUTES} (the analysis and deletion queues retry for an hour "
                    "before they give up) and two sweeps, at most a week (a longer one is a "
                    "mistake: nothing in the pipeline waits that long)"
                )
        return problems

    def _web_problems(self) -> list[str]:
        problems = []
        if not 1 <= self.web_min_capacity <= self.web_max_capacity:
            problems.append("need 1 <= web_min_capacity <= web_max_capacity")
        if self.nat_gateways not in {1, 2}:
            problems.append("nat_gateways must be 1 or 2 (the web VPC spans two AZs)")
        if self.nat not in {"gateway", "instance"}:
            problems.append('nat must be "gateway" or "instance"')
        if not _ARM64_INSTANCE_TYPE.match(self.nat_instance_type):
            problems.append(
                f"nat_instance_type {self.nat_instance_type!r} must be a Graviton (arm64) type, "
                "e.g. t4g.nano"
            )
        if not _ARM64_INSTANCE_TYPE.match(self.web_instance_type):
            problems.append(
                f"web_instance_type {self.web_instance_type!r} must be a Graviton (arm64) type, "
                "e.g. t4g.small"
            )
        if self.web_workers is not None and not 1 <= self.web_workers <= 64:
            problems.append("web_workers must be 1-64 (or None for 2 x vCPUs + 1)")
        if not 10 <= self.web_rate_limit_per_5min <= 2_000_000_000:
            problems.append("web_rate_limit_per_5min must be 10-2,000,000,000 (AWS WAF limits)")
        if not 10 <= self.web_login_rate_limit_per_5min <= self.web_rate_limit_per_5min:
            problems.append(
                "web_login_rate_limit_per_5min must be 10 (AWS WAF's minimum) to "
                "web_rate_limit_per_5min"
            )
        if not 5 <= self.web_session_idle_minutes <= 24 * 60:
            problems.append("web_session_idle_minutes must be 5-1440")
        if not 1 <= self.web_session_absolute_hours <= 30 * 24:
            problems.append("web_session_absolute_hours must be 1-720 (30 days)")
        elif self.web_session_idle_minutes > 60 * self.web_session_absolute_hours:
            problems.append("web_session_idle_minutes cannot exceed web_session_absolute_hours")
        if self.web_session_key_generation < 1:
            problems.append("web_session_key_generation must be >= 1")
        return problems

    @property
    def alarm_destination(self) -> str | None:
        """Where the alarms go, in words (None: nowhere)."""
        places = []
        if self.alarm_email:
            places.append(f"e-mail {self.alarm_email}")
        if self.alarm_topic_arn:
            kind = "Chatbot channel" if self.alarm_topic_is_chatbot else "SNS topic"
            places.append(f"{kind} {self.alarm_topic_arn}")
        return " and ".join(places) or None

    @property
    def stuck_deadlines_minutes(self) -> dict[str, int]:
        """Status -> minutes a media may sit in it before the stuck-media sweeper acts."""
        return {
            "uploaded": self.stuck_uploaded_minutes,
            "processing": self.stuck_processing_minutes,
            "deleting": self.stuck_deleting_minutes,
        }

    @property
    def alarm_topic_is_chatbot(self) -> bool:
        return is_chatbot_channel(self.alarm_topic_arn)

    @property
    def removal_policy(self) -> cdk.RemovalPolicy:
        return cdk.RemovalPolicy.RETAIN if self.retain_data else cdk.RemovalPolicy.DESTROY

    @property
    def operations_name(self) -> str:
        """The dashboard's name and every alarm name's prefix: ``snapstream-<env>``."""
        return f"snapstream-{self.name}"

    @property
    def site_origins(self) -> tuple[str, ...]:
        """Browser origins, besides the site's own CloudFront name, allowed to upload straight
        to S3: the custom domain, or outside prod a developer's loopback."""
        if self.site_domain:
            return (f"https://{self.site_domain}",)
        return ("http://localhost:8080", "http://127.0.0.1:8080") if not self.retain_data else ()

    @property
    def log_retention(self) -> logs.RetentionDays:
        return LOG_RETENTION[self.log_retention_days]

    @property
    def cdk_environment(self) -> cdk.Environment:
        return cdk.Environment(account=self.account, region=self.region)


ENVIRONMENTS: Mapping[str, EnvironmentConfig] = MappingProxyType(
    {
        "dev": EnvironmentConfig(
            name="dev",
            log_retention_days=14,
            access_log_retention_days=30,
            noncurrent_version_retention_days=7,
            nat_gateways=1,
            # No NAT gateway's hourly charge: one t4g.nano NAT instance (docs/web-hosting.md).
            nat="instance",
            # A developer's own environment may run without anyone paged (make synth says so).
            require_alarm_destination=False,
            # Developers log in as administrators without an authenticator app, for longer.
            require_admin_two_factor=False,
            web_session_idle_minutes=8 * 60,
            web_session_absolute_hours=24,
            # A developer's environment: page on real breakage, not on every experiment.
            alarms=AlarmThresholds(
                function_errors=5,
                function_throttles=25,
                load_balancer_5xx=50,
                cdn_5xx_rate_percent=20.0,
                table_throttles=20,
                stuck_media=5,
                ingest_queue_age_seconds=1800,
                analysis_queue_age_seconds=3600,
            ),
        ),
        "staging": EnvironmentConfig(
            name="staging",
            log_retention_days=30,
            access_log_retention_days=90,
            noncurrent_version_retention_days=30,
            uploads_infrequent_access_after_days=90,
            nat_gateways=1,
        ),
        "prod": EnvironmentConfig(
            name="prod",
            retain_data=True,
            log_retention_days=365,
            access_log_retention_days=365,
            noncurrent_version_retention_days=90,
            uploads_infrequent_access_after_days=60,
            nat_gateways=2,
            web_instance_type="t4g.medium",
            web_min_capacity=2,
            web_session_idle_minutes=30,
            web_max_capacity=6,
            accelerated_transcoding=True,
            ingest_reserved_concurrency=50,
            video_reserved_concurrency=20,
            video_text_and_segments=True,
            cdn_price_class="PriceClass_All",
            event_archive_retention_days=90,
            alarms=AlarmThresholds(load_balancer_5xx=5, cdn_5xx_rate_percent=2.0),
        ),
    }
)


def resolve_environments(
    *,
    overrides: Mapping[str, Mapping[str, Any]],
    default_account: str | None,
    default_region: str | None,
    selected: str | None = None,
) -> list[EnvironmentConfig]:
    """The environments to synthesize, with context overrides and CDK_DEFAULT_* applied.

    ``selected`` is an optional comma-separated list of environment names (default: all).
    """
    unknown_envs = set(overrides) - set(ENVIRONMENTS)
    if unknown_envs:
        raise ValueError(f"context names unknown environments: {sorted(unknown_envs)}")
    names = [n.strip() for n in selected.split(",")] if selected else list(ENVIRONMENTS)
    missing = [n for n in names if n not in ENVIRONMENTS]
    if missing:
        raise ValueError(f"unknown environments selected: {missing}; known: {list(ENVIRONMENTS)}")
    fields = {f.name for f in dataclasses.fields(EnvironmentConfig)} - {"name"}
    resolved = []
    for name in names:
        base = ENVIRONMENTS[name]
        changes = dict(overrides.get(name, {}))
        bad = set(changes) - fields
        if bad:
            raise ValueError(f"environment {name!r}: unknown settings {sorted(bad)}")
        changes.setdefault("account", base.account or default_account)
        changes.setdefault("region", base.region or default_region or "us-east-1")
        if isinstance(changes.get("alarms"), Mapping):
            alarms = changes["alarms"]
            bad_alarms = set(alarms) - {f.name for f in dataclasses.fields(AlarmThresholds)}
            if bad_alarms:
                raise ValueError(f"environment {name!r}: unknown alarms {sorted(bad_alarms)}")
            changes["alarms"] = dataclasses.replace(base.alarms, **alarms)
        resolved.append(dataclasses.replace(base, **changes))
    return resolved
