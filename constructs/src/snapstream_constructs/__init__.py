"""Reusable, compliance-checked AWS CDK constructs of the SnapStream media platform.

Every construct takes keyword-only typed props, never reads environment variables and works alone
in a bare ``Stack`` with the cdk-nag packs of :mod:`snapstream_constructs.compliance` enabled.
"""

from snapstream_constructs.compliance import (
    Pack,
    acknowledge,
    register_compliance_packs,
    resource_finding,
    write_acknowledgments_to_templates,
)
from snapstream_constructs.delivery import (
    MediaDistribution,
    MediaPackageOrigin,
    PlaybackSigningKey,
)
from snapstream_constructs.encryption import DataKey
from snapstream_constructs.event_bus import MediaEventBus
from snapstream_constructs.functions import FunctionTracing, PipelineFunction
from snapstream_constructs.messaging import SecureTopic
from snapstream_constructs.monitoring import OperationsMonitoring
from snapstream_constructs.monitoring_inputs import (
    AgedQueue,
    AlarmThresholds,
    DeliveryRule,
    PipelineMetrics,
    WebTier,
)
from snapstream_constructs.packaging import VodPackaging
from snapstream_constructs.queues import (
    QueueWithDeadLetters,
    dead_letter_queue,
    delivery_dead_letter_queue,
    is_dead_letter_queue,
    notify_queue_of_object_created,
)
from snapstream_constructs.roles import service_role
from snapstream_constructs.site_distribution import SiteDistribution
from snapstream_constructs.site_network import SiteVpc, site_vpc
from snapstream_constructs.site_web_acl import SiteWebAcl, WebAclScope
from snapstream_constructs.storage import AccessLogBucket, SecureBucket
from snapstream_constructs.tables import MediaTable
from snapstream_constructs.transcoding import MediaConvertTranscoding
from snapstream_constructs.web_hosting import WebHosting

__all__ = [
    "AccessLogBucket",
    "AgedQueue",
    "AlarmThresholds",
    "DataKey",
    "DeliveryRule",
    "FunctionTracing",
    "MediaConvertTranscoding",
    "MediaDistribution",
    "MediaEventBus",
    "MediaPackageOrigin",
    "MediaTable",
    "OperationsMonitoring",
    "Pack",
    "PipelineFunction",
    "PipelineMetrics",
    "PlaybackSigningKey",
    "QueueWithDeadLetters",
    "SecureBucket",
    "SecureTopic",
    "SiteDistribution",
    "SiteVpc",
    "SiteWebAcl",
    "VodPackaging",
    "WebAclScope",
    "WebHosting",
    "WebTier",
    "acknowledge",
    "dead_letter_queue",
    "delivery_dead_letter_queue",
    "is_dead_letter_queue",
    "notify_queue_of_object_created",
    "register_compliance_packs",
    "resource_finding",
    "service_role",
    "site_vpc",
    "write_acknowledgments_to_templates",
]
