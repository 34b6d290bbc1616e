"""Names the infrastructure (CDK) and the runtime must agree on. No AWS imports here: the CDK app
imports this module to wire queues, rules and environment variables."""

from __future__ import annotations

UPLOADS_PREFIX = "uploads/"
EVENT_SOURCE = "snapstream.media"
MEDIA_UPLOADED = "MediaUploaded"

METRICS_NAMESPACE = "SnapStream"

INGEST_HANDLER = "snapstream_runtime.handlers.ingest.handler"

#: Environment variables the functions read (see settings.py).
ENV_ENVIRONMENT = "SNAPSTREAM_ENVIRONMENT"
ENV_TABLE = "TABLE_NAME"
ENV_EVENT_BUS = "EVENT_BUS_NAME"
ENV_NOTIFICATIONS_TOPIC = "NOTIFICATIONS_TOPIC_ARN"
ENV_UPLOADS_BUCKET = "UPLOADS_BUCKET"
ENV_UPLOADS_KEY = "UPLOADS_KMS_KEY_ARN"
ENV_MAX_UPLOAD_BYTES = "MAX_UPLOAD_BYTES"
ENV_PRESIGN_EXPIRY = "PRESIGN_EXPIRY_SECONDS"
