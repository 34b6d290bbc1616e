"""What the operations view watches and when its alarms fire: plain values a stack builds from
its configuration and its construct tree, and hands to
:class:`~snapstream_constructs.monitoring.OperationsMonitoring`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields

#: Work queues keep messages 4 days (:class:`~snapstream_constructs.queues.QueueWithDeadLetters`).
MAX_MESSAGE_AGE_SECONDS = 4 * 24 * 3600


@dataclass(frozen=True, kw_only=True)
class AlarmThresholds:
    """When each alarm fires: counts per 5-minute period (an alarm fires at >= the value)."""

    function_errors: int = 1
    #: Throttles are retried (Lambda's asynchronous queue; SQS pollers stop at the reserved
    #: concurrency), so only repeated throttling pages someone.
    function_throttles: int = 10
    #: Messages in any dead-letter queue; 1 means "any message".
    dead_letter_messages: int = 1
    #: MediaConvert jobs that ended in ERROR or were CANCELED (reported by the transcode-state
    #: function).
    transcode_errors: int = 1
    #: Media found past their deadline in uploaded, processing or deleting by one sweep of the
    #: stuck-media sweeper (re-driven, failed, or a deletion still waiting).
    stuck_media: int = 1
    load_balancer_5xx: int = 10
    unhealthy_hosts: int = 1
    #: Failed EC2 status checks of a stand-alone instance (the dev profile's NAT instance).
    instance_status_checks: int = 1
    #: CloudFront 5xx responses as a percentage of requests (average over the period).
    cdn_5xx_rate_percent: float = 5.0
    table_throttles: int = 1
    #: Age in seconds of the oldest message in the ingest queue (maximum over the period): the
    #: ingest function stopped taking uploads, or retries keep failing. A healthy ingest takes
    #: seconds; one failed attempt returns a message after the visibility timeout (3 minutes).
    ingest_queue_age_seconds: int = 600
    #: The same for the analysis queue, whose consumer runs at a reserved concurrency and
    #: retries after 12 minutes, so a backlog there is normal for longer.
    analysis_queue_age_seconds: int = 1800
    #: Events an EventBridge rule could not deliver to its target after every retry
    #: (``FailedInvocations``), per rule.
    rule_failed_invocations: int = 1
    #: Events an EventBridge rule could not even put in its dead-letter queue
    #: (``InvocationsFailedToBeSentToDlq``): lost, per rule.
    rule_dead_letter_failures: int = 1
    #: Consecutive 5-minute periods over the threshold before an alarm fires.
    evaluation_periods: int = 1

    def problems(self) -> list[str]:
        problems = [
            f"alarm threshold {f.name} must be positive"
            for f in fields(self)
            if getattr(self, f.name) <= 0
        ]
        if self.cdn_5xx_rate_percent > 100:
            problems.append("alarm threshold cdn_5xx_rate_percent must be at most 100")
        for name in ("ingest_queue_age_seconds", "analysis_queue_age_seconds"):
            if getattr(self, name) >= MAX_MESSAGE_AGE_SECONDS:
                problems.append(
                    f"alarm threshold {name} must be below {MAX_MESSAGE_AGE_SECONDS} (the work "
                    "queues keep messages 4 days; an older message no longer exists)"
                )
        return problems


@dataclass(frozen=True, kw_only=True)
class AgedQueue:
    """A work queue alarmed on the age of its oldest message, by its name."""

    queue_name: str
    #: the alarm fires when the oldest message is at least this old (seconds).
    max_age_seconds: int


@dataclass(frozen=True, kw_only=True)
class DeliveryRule:
    """An EventBridge rule whose delivery failures are alarmed.

    ``rule_name`` is the rule's own name (a rule's ``Ref`` on a custom bus is ``<bus>|<rule>``,
    which is no metric dimension; the name is the last part of its ARN,
    ``arn:…:rule/[<bus name>/]<rule name>``). ``event_bus_name`` is None for a rule on the
    account's default bus, whose metrics carry only ``RuleName``; a custom bus's rules carry
    ``EventBusName`` too.
    """

    rule_name: str
    event_bus_name: str | None


@dataclass(frozen=True, kw_only=True)
class WebTier:
    """The load balancer and target group whose traffic, errors and health are watched, by the
    full names CloudWatch uses as dimensions (``app/<name>/<id>``, ``targetgroup/<name>/<id>``;
    the ``LoadBalancerFullName``/``TargetGroupFullName`` attributes)."""

    load_balancer_full_name: str
    target_group_full_name: str


@dataclass(frozen=True, kw_only=True)
class PipelineMetrics:
    """Where the pipeline functions' EMF metrics live and how they are named."""

    namespace: str
    #: dimensions every metric carries besides ``service`` (e.g. the environment).
    dimensions: Mapping[str, str]
    #: Powertools service name -> metric prefix (``<prefix>_<outcome>``, ``<prefix>Duration``).
    steps: Mapping[str, str]
    #: the outcome counted when an item could not be processed.
    failed_outcome: str
    #: the service whose failures are MediaConvert jobs that ended in ERROR or were CANCELED.
    transcode_state_service: str
    #: the service that accepts or rejects uploads, and the outcomes shown as upload traffic.
    ingest_service: str
    upload_outcomes: Sequence[str]
    #: the sweeper whose sweeps report the media found past their deadline as ``<prefix>`` (its
    #: maximum per period is alarmed), and the outcomes graphed beside it (``<prefix>_<outcome>``).
    stuck_media_service: str | None = None
    stuck_media_outcomes: Sequence[str] = ()
