"""Runtime settings, read once from the Lambda (or web tier) environment."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache

from snapstream_runtime import contract

GIB = 1024**3


class MissingSetting(RuntimeError):
    """A required environment variable is not set (a deployment error, not bad input)."""


@dataclass(frozen=True, kw_only=True)
class Settings:
    environment: str
    table_name: str
    event_bus_name: str = ""
    notifications_topic_arn: str = ""
    uploads_bucket: str = ""
    uploads_kms_key_arn: str = ""
    max_upload_bytes: int = 5 * GIB
    #: images declaring more pixels are rejected at ingest and never decoded (stacks/config.py).
    max_image_pixels: int = 100_000_000
    presign_expiry_seconds: int = 600
    #: an ``awaiting_upload`` record that never receives its file expires (DynamoDB TTL).
    awaiting_upload_ttl_seconds: int = 24 * 3600
    notification_ttl_days: int = 180
    media_bucket: str = ""
    transcode_queue_arn: str = ""
    transcode_role_arn: str = ""
    transcode_job_template: str = ""
    accelerated_transcoding: bool = False
    packaging_group_id: str = ""
    packaging_role_arn: str = ""
    #: playback format -> MediaPackage packaging configuration id.
    packaging_configurations: Mapping[str, str] = field(default_factory=dict)
    cdn_domain: str = ""
    #: the site's own host name: video (``/out/*``) plays from there, same-origin (no CORS).
    site_domain: str = ""
    playback_key_pair_id: str = ""
    playback_key_secret_arn: str = ""
    playback_ttl_seconds: int = 300
    tag_threshold: float = 80.0
    moderation_threshold: float = 80.0
    celebrity_recognition: bool = False
    video_text_and_segments: bool = False
    video_analysis_topic_arn: str = ""
    video_analysis_role_arn: str = ""
    deletion_queue_url: str = ""
    #: status -> seconds a media may sit in it before the stuck-media sweeper acts.
    stuck_deadlines: Mapping[str, int] = field(default_factory=dict)

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> Settings:
        def required(name: str) -> str:
            value = environ.get(name, "")
            if not value:
                raise MissingSetting(f"environment variable {name} is not set")
            return value

        return cls(
            environment=required(contract.ENV_ENVIRONMENT),
            table_name=required(contract.ENV_TABLE),
            event_bus_name=environ.get(contract.ENV_EVENT_BUS, ""),
            notifications_topic_arn=environ.get(contract.ENV_NOTIFICATIONS_TOPIC, ""),
            uploads_bucket=environ.get(contract.ENV_UPLOADS_BUCKET, ""),
            uploads_kms_key_arn=environ.get(contract.ENV_UPLOADS_KEY, ""),
            max_upload_bytes=int(environ.get(contract.ENV_MAX_UPLOAD_BYTES, str(5 * GIB))),
            max_image_pixels=int(environ.get(contract.ENV_MAX_IMAGE_PIXELS, "100000000")),
            presign_expiry_seconds=int(environ.get(contract.ENV_PRESIGN_EXPIRY, "600")),
            media_bucket=environ.get(contract.ENV_MEDIA_BUCKET, ""),
            transcode_queue_arn=environ.get(contract.ENV_TRANSCODE_QUEUE, ""),
            transcode_role_arn=environ.get(contract.ENV_TRANSCODE_ROLE, ""),
            transcode_job_template=environ.get(contract.ENV_TRANSCODE_TEMPLATE, ""),
            accelerated_transcoding=environ.get(contract.ENV_TRANSCODE_ACCELERATED) == "true",
            packaging_group_id=environ.get(contract.ENV_PACKAGING_GROUP, ""),
            packaging_role_arn=environ.get(contract.ENV_PACKAGING_ROLE, ""),
            packaging_configurations=json.loads(
                environ.get(contract.ENV_PACKAGING_CONFIGURATIONS) or "{}"
            ),
            cdn_domain=environ.get(contract.ENV_CDN_DOMAIN, ""),
            site_domain=environ.get(contract.ENV_SITE_DOMAIN, ""),
            playback_key_pair_id=environ.get(contract.ENV_PLAYBACK_KEY_PAIR_ID, ""),
            playback_key_secret_arn=environ.get(contract.ENV_PLAYBACK_KEY_SECRET, ""),
            playback_ttl_seconds=int(environ.get(contract.ENV_PLAYBACK_TTL, "300")),
            tag_threshold=float(environ.get(contract.ENV_TAG_THRESHOLD, "80")),
            moderation_threshold=float(environ.get(contract.ENV_MODERATION_THRESHOLD, "80")),
            celebrity_recognition=environ.get(contract.ENV_CELEBRITIES) == "true",
            video_text_and_segments=environ.get(contract.ENV_VIDEO_TEXT_SEGMENTS) == "true",
            video_analysis_topic_arn=environ.get(contract.ENV_VIDEO_ANALYSIS_TOPIC, ""),
            video_analysis_role_arn=environ.get(contract.ENV_VIDEO_ANALYSIS_ROLE, ""),
            deletion_queue_url=environ.get(contract.ENV_DELETION_QUEUE, ""),
            stuck_deadlines=json.loads(environ.get(contract.ENV_STUCK_DEADLINES) or "{}"),
        )


@cache
def current_settings() -> Settings:
    return Settings.from_environment()
