"""Names the infrastructure (CDK) and the runtime must agree on. No AWS imports here: the CDK app
imports this module to wire queues, rules and environment variables."""

from __future__ import annotations

UPLOADS_PREFIX = "uploads/"
MEDIA_PREFIX = "media/"
EVENT_SOURCE = "snapstream.media"
MEDIA_UPLOADED = "MediaUploaded"

METRICS_NAMESPACE = "SnapStream"
#: Outcomes that mean an item could not be processed (alarmed per environment).
FAILED_OUTCOME = "failed"


def metric_prefix(service: str) -> str:
    """The prefix of a handler's EMF metrics, from its Powertools service name:
    ``transcode-state`` -> ``TranscodeState`` (``TranscodeState_<outcome>`` counts,
    ``TranscodeStateDuration`` milliseconds). Dashboards and alarms derive the same names."""
    return "".join(part.capitalize() for part in service.split("-"))


MEDIA_TRANSCODED = "MediaTranscoded"

INGEST_HANDLER = "snapstream_runtime.handlers.ingest.handler"
TRANSCODE_SUBMIT_HANDLER = "snapstream_runtime.handlers.transcode_submit.handler"
TRANSCODE_STATE_HANDLER = "snapstream_runtime.handlers.transcode_state.handler"
PACKAGE_HANDLER = "snapstream_runtime.handlers.package.handler"
PLAYBACK_KEYS_HANDLER = "snapstream_runtime.handlers.playback_keys.handler"
BUCKET_CORS_HANDLER = "snapstream_runtime.handlers.bucket_cors.handler"
VPC_ORIGIN_GROUP_HANDLER = "snapstream_runtime.handlers.vpc_origin_group.handler"
ANALYSIS_HANDLER = "snapstream_runtime.handlers.analysis.handler"
TRANSCRIPTION_STATE_HANDLER = "snapstream_runtime.handlers.transcription_state.handler"
VIDEO_LABELS_HANDLER = "snapstream_runtime.handlers.video_labels.handler"
DELETION_HANDLER = "snapstream_runtime.handlers.deletion.handler"
STUCK_MEDIA_HANDLER = "snapstream_runtime.handlers.stuck_media.handler"
MAIL_EVENTS_HANDLER = "snapstream_runtime.handlers.mail_events.handler"
#: The analysis queue's redrive limit: the last attempt gives up and records why.
ANALYSIS_MAX_ATTEMPTS = 5
#: The deletion queue's redrive limit: a deletion that fails this often waits in its DLQ.
DELETION_MAX_ATTEMPTS = 5


def asset_id(environment: str, media_id: str) -> str:
    """A video's MediaPackage VOD asset id. It carries the environment, so that a role may be
    limited to one environment's assets (``assets/snapstream-<env>-*``)."""
    return f"{asset_id_prefix(environment)}{media_id}"


def asset_id_prefix(environment: str) -> str:
    return f"snapstream-{environment}-"


#: Environment variables the functions read (see settings.py).
ENV_ENVIRONMENT = "SNAPSTREAM_ENVIRONMENT"
ENV_TABLE = "TABLE_NAME"
ENV_EVENT_BUS = "EVENT_BUS_NAME"
ENV_NOTIFICATIONS_TOPIC = "NOTIFICATIONS_TOPIC_ARN"
ENV_UPLOADS_BUCKET = "UPLOADS_BUCKET"
ENV_UPLOADS_KEY = "UPLOADS_KMS_KEY_ARN"
ENV_MAX_UPLOAD_BYTES = "MAX_UPLOAD_BYTES"
#: Images declaring more pixels than this are rejected at ingest (from the header) and never
#: decoded by analysis.
ENV_MAX_IMAGE_PIXELS = "MAX_IMAGE_PIXELS"
ENV_PRESIGN_EXPIRY = "PRESIGN_EXPIRY_SECONDS"
ENV_MEDIA_BUCKET = "MEDIA_BUCKET"
ENV_TRANSCODE_QUEUE = "MEDIACONVERT_QUEUE_ARN"
ENV_TRANSCODE_ROLE = "MEDIACONVERT_ROLE_ARN"
ENV_TRANSCODE_TEMPLATE = "MEDIACONVERT_JOB_TEMPLATE"
ENV_TRANSCODE_ACCELERATED = "MEDIACONVERT_ACCELERATED"
ENV_PACKAGING_GROUP = "PACKAGING_GROUP_ID"
ENV_PACKAGING_ROLE = "PACKAGING_ROLE_ARN"
#: JSON object: playback format ("hls", "dash", "cmaf") -> packaging configuration id.
ENV_PACKAGING_CONFIGURATIONS = "PACKAGING_CONFIGURATIONS"
ENV_CDN_DOMAIN = "CDN_DOMAIN"
#: The site's public host name (its CloudFront name or custom domain): video plays from there.
ENV_SITE_DOMAIN = "SITE_DOMAIN"
ENV_PLAYBACK_KEY_PAIR_ID = "PLAYBACK_KEY_PAIR_ID"
ENV_PLAYBACK_KEY_SECRET = "PLAYBACK_KEY_SECRET_ARN"  # noqa: S105 (a variable name)
ENV_PLAYBACK_TTL = "PLAYBACK_TTL_SECONDS"
ENV_TAG_THRESHOLD = "TAG_CONFIDENCE_THRESHOLD"
ENV_MODERATION_THRESHOLD = "MODERATION_CONFIDENCE_THRESHOLD"
ENV_CELEBRITIES = "CELEBRITY_RECOGNITION"
ENV_VIDEO_TEXT_SEGMENTS = "VIDEO_TEXT_AND_SEGMENTS"
ENV_VIDEO_ANALYSIS_TOPIC = "VIDEO_ANALYSIS_TOPIC_ARN"
ENV_VIDEO_ANALYSIS_ROLE = "VIDEO_ANALYSIS_ROLE_ARN"
#: The deletion queue (the site and the deletion function send to it; pipeline functions
#: send a sweep when a job's late output lands for a media being deleted or gone).
ENV_DELETION_QUEUE = "DELETION_QUEUE_URL"
#: JSON object: status ("uploaded", "processing", "deleting") -> seconds a media may sit in it
#: before the stuck-media sweeper re-drives it (and, after as long again, fails it).
ENV_STUCK_DEADLINES = "STUCK_DEADLINES"

# -- the web tier (Flask on EC2 behind the ALB) ----------------------------------------------
#: Secrets Manager secret whose SecretString is the Flask session-signing key.
ENV_WEB_SECRET_KEY = "WEB_SECRET_KEY_ARN"  # noqa: S105 (a variable name)
#: "true" when the site is served over HTTPS (Secure cookies); "false" only for plain-HTTP setups.
ENV_WEB_SECURE_COOKIES = "WEB_SECURE_COOKIES"
#: Number of proxies in front of gunicorn whose X-Forwarded-For entries are trusted (CloudFront
#: and the ALB: 2).
ENV_WEB_PROXY_COUNT = "WEB_PROXY_COUNT"
#: A login session ends after this many seconds without a request (idle), and this many seconds
#: after the login at the latest (absolute); per environment (stacks/config.py).
ENV_WEB_SESSION_IDLE = "WEB_SESSION_IDLE_SECONDS"
ENV_WEB_SESSION_ABSOLUTE = "WEB_SESSION_ABSOLUTE_SECONDS"
#: "true": administrators must turn on two-factor authentication before anything else.
ENV_WEB_ADMIN_TWO_FACTOR = "WEB_REQUIRE_ADMIN_TWO_FACTOR"
#: The site's paths that take credentials or create accounts (POST): log in (page, second
#: factor, API), register, forgotten and reset password. The WAF's login rate rule counts POSTs
#: to paths that start with one of these, per client IP (constructs SiteWebAcl ``login_paths``).
WEB_CREDENTIAL_PATHS = (
    "/login",
    "/register",
    "/forgot-password",
    "/reset-password",
    "/api/session",
)
#: The site's e-mail through Amazon SES: the sender (the only From address its role may use)
#: and the configuration set every message goes through (bounce and complaint handling).
ENV_MAIL_FROM = "MAIL_FROM_ADDRESS"
ENV_MAIL_CONFIGURATION_SET = "MAIL_CONFIGURATION_SET"
#: How long an e-mail verification link and a password-reset link work (seconds).
ENV_EMAIL_VERIFICATION_TTL = "EMAIL_VERIFICATION_SECONDS"
ENV_PASSWORD_RESET_TTL = "PASSWORD_RESET_SECONDS"  # noqa: S105 (a variable name)
WEB_PORT = 8000
WEB_HEALTH_PATH = "/healthz"
WEB_WSGI_APP = "snapstream_web.wsgi:app"
