"""The sections of the operations dashboard: each graphs what it watches and alarms on it.

A section returns its row of widgets (:mod:`snapstream_constructs.metric_queries` values) and
writes its alarms through the :class:`~snapstream_constructs.monitoring_alarms.AlarmWriter` it
was given; :class:`~snapstream_constructs.monitoring.OperationsMonitoring` lays the rows out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from snapstream_constructs.metric_queries import ExpressionSpec, MetricSpec, Query, Widget, graph
from snapstream_constructs.monitoring_alarms import AlarmWriter
from snapstream_constructs.monitoring_inputs import (
    AgedQueue,
    AlarmThresholds,
    DeliveryRule,
    PipelineMetrics,
    WebTier,
)

#: DynamoDB operations SnapStream calls (never Scan or TransactGetItems); ThrottledRequests is
#: reported per operation. With the sum, 9 of the 10 metrics an alarm may hold.
TABLE_OPERATIONS = (
    "GetItem",
    "PutItem",
    "UpdateItem",
    "DeleteItem",
    "Query",
    "BatchGetItem",
    "BatchWriteItem",
    "TransactWriteItems",
)


class DashboardSections:
    """The sections of one environment's dashboard, graphed in ``region`` (CloudFront's metrics
    in us-east-1), alarmed through ``alarms`` at ``thresholds``."""

    def __init__(
        self,
        alarms: AlarmWriter,
        *,
        thresholds: AlarmThresholds,
        pipeline: PipelineMetrics,
        region: str,
    ) -> None:
        self._alarms = alarms
        self._thresholds = thresholds
        self._pipeline = pipeline
        self._region = region

    def _graph(self, title: str, queries: Sequence[Query]) -> Widget:
        return graph(title, queries, region=self._region)

    def functions(self, functions: Mapping[str, str]) -> list[Widget]:
        """Each function's errors and throttles (both alarmed) and p90 duration."""
        errors, throttles, durations = [], [], []
        for name, function_name in functions.items():
            dims = {"FunctionName": function_name}
            error = MetricSpec("AWS/Lambda", "Errors", dims, label=name)
            throttle = MetricSpec("AWS/Lambda", "Throttles", dims, label=name)
            self._alarms.alarm(
                name,
                "errors",
                error,
                threshold=self._thresholds.function_errors,
                description=f"Lambda function {name} failed invocations (Errors).",
            )
            self._alarms.alarm(
                name,
                "throttles",
                throttle,
                threshold=self._thresholds.function_throttles,
                description=f"Lambda function {name} was throttled (reserved concurrency or "
                "account limit).",
            )
            errors.append(error)
            throttles.append(throttle)
            durations.append(MetricSpec("AWS/Lambda", "Duration", dims, "p90", name))
        return [
            self._graph("Lambda errors", errors),
            self._graph("Lambda throttles", throttles),
            self._graph("Lambda duration p90 (ms)", durations),
        ]

    def queues(
        self,
        dead_letter_queues: Mapping[str, str],
        work_queues: Mapping[str, str],
        aged_queues: Mapping[str, AgedQueue],
    ) -> list[Widget]:
        """Work queues' depth and oldest message (alarmed for ``aged_queues``); dead-letter
        queues' messages (alarmed)."""
        visible, age = "ApproximateNumberOfMessagesVisible", "ApproximateAgeOfOldestMessage"
        for name, aged in aged_queues.items():
            self._alarms.alarm(
                name,
                "oldest-message",
                MetricSpec("AWS/SQS", age, {"QueueName": aged.queue_name}, "Maximum", name),
                threshold=aged.max_age_seconds,
                description=f"The oldest message in work queue {name} has waited "
                f"{aged.max_age_seconds} s or more: its consumer is stopped, throttled or "
                "failing (docs/runbooks.md, a work queue that does not drain).",
            )
        waiting = []
        for name, queue_name in dead_letter_queues.items():
            messages = MetricSpec("AWS/SQS", visible, {"QueueName": queue_name}, "Maximum", name)
            self._alarms.alarm(
                name,
                "messages",
                messages,
                threshold=self._thresholds.dead_letter_messages,
                description=f"Dead-letter queue {name} holds messages that failed processing or "
                "delivery: read one, fix the cause, redrive (docs/runbooks.md).",
            )
            waiting.append(messages)
        work = {name: {"QueueName": queue_name} for name, queue_name in work_queues.items()}
        return [
            self._graph(
                "Work queue depth",
                [MetricSpec("AWS/SQS", visible, d, "Maximum", n) for n, d in work.items()],
            ),
            self._graph(
                "Oldest message age (s)",
                [MetricSpec("AWS/SQS", age, d, "Maximum", n) for n, d in work.items()],
            ),
            self._graph("Dead-letter queue messages", waiting),
        ]

    def rules(self, rules: Mapping[str, DeliveryRule]) -> list[Widget]:
        """Events each EventBridge rule could not deliver, or not even keep in its dead-letter
        queue (both alarmed)."""
        failed: list[Query] = []
        lost: list[Query] = []
        for name, rule in rules.items():
            dims = {"RuleName": rule.rule_name}
            if rule.event_bus_name is not None:
                dims = {"EventBusName": rule.event_bus_name, **dims}
            failed_invocations = MetricSpec("AWS/Events", "FailedInvocations", dims, label=name)
            not_kept = MetricSpec("AWS/Events", "InvocationsFailedToBeSentToDlq", dims, label=name)
            self._alarms.alarm(
                name,
                "failed-invocations",
                failed_invocations,
                threshold=self._thresholds.rule_failed_invocations,
                description=f"EventBridge rule {name} could not deliver events to its target "
                "after every retry; they went to its dead-letter queue (docs/runbooks.md, "
                "EventBridge delivery failures).",
            )
            self._alarms.alarm(
                name,
                "dlq-failures",
                not_kept,
                threshold=self._thresholds.rule_dead_letter_failures,
                description=f"EventBridge rule {name} could not put undeliverable events in its "
                "dead-letter queue: those events are lost (docs/runbooks.md, EventBridge "
                "delivery failures).",
            )
            failed.append(failed_invocations)
            lost.append(not_kept)
        return [
            self._graph("EventBridge failed invocations", failed),
            self._graph("EventBridge events not kept in a DLQ", lost),
        ]

    def tables(self, tables: Mapping[str, str]) -> list[Widget]:
        """Each table's throttled requests over every operation (alarmed) and consumed capacity."""
        throttled: list[Query] = []
        capacity: list[Query] = []
        for name, table_name in tables.items():
            total = ExpressionSpec(
                "SUM(METRICS())",
                f"{name} throttled requests",
                {
                    f"op{i}": MetricSpec(
                        "AWS/DynamoDB",
                        "ThrottledRequests",
                        {"TableName": table_name, "Operation": operation},
                    )
                    for i, operation in enumerate(TABLE_OPERATIONS)
                },
            )
            self._alarms.alarm(
                name,
                "throttles",
                total,
                threshold=self._thresholds.table_throttles,
                description=f"DynamoDB table {name} throttled requests (any operation).",
            )
            throttled.append(total)
            dims = {"TableName": table_name}
            capacity += [
                MetricSpec(
                    "AWS/DynamoDB", f"Consumed{kind}CapacityUnits", dims, label=f"{name} {kind}"
                )
                for kind in ("Read", "Write")
            ]
        return [
            self._graph("DynamoDB throttled requests", throttled),
            self._graph("DynamoDB consumed capacity", capacity),
        ]

    def _step_metric(
        self, service: str, suffix: str, *, statistic: str = "Sum", label: str | None = None
    ) -> MetricSpec:
        prefix = self._pipeline.steps[service]
        return MetricSpec(
            self._pipeline.namespace,
            f"{prefix}{suffix}",
            {"service": service, **self._pipeline.dimensions},
            statistic,
            label or prefix,
        )

    def pipeline(self) -> list[Widget]:
        """Upload outcomes, and each pipeline step's p90 processing time and failed items."""
        steps = self._pipeline.steps
        failed = f"_{self._pipeline.failed_outcome}"
        return [
            self._graph(
                "Uploads (per 5 min)",
                [
                    self._step_metric(self._pipeline.ingest_service, f"_{outcome}", label=outcome)
                    for outcome in self._pipeline.upload_outcomes
                ],
            ),
            self._graph(
                "Processing time per step p90 (ms)",
                [self._step_metric(s, "Duration", statistic="p90") for s in steps],
            ),
            self._graph("Items failed per step", [self._step_metric(s, failed) for s in steps]),
        ]

    def stuck_media(self) -> list[Widget]:
        """What the stuck-media sweeper finds past its deadline (alarmed) and does with it;
        nothing without a sweeper."""
        service = self._pipeline.stuck_media_service
        if service is None:
            return []
        found = self._step_metric(service, "", statistic="Maximum", label="past their deadline")
        self._alarms.alarm(
            "StuckMedia",
            "found",
            found,
            threshold=self._thresholds.stuck_media,
            description="The stuck-media sweeper found media that sat in uploaded, processing "
            "or deleting past the environment's deadline (docs/runbooks.md, stuck media).",
            # One value per sweep (0 included): between sweeps the last verdict stands.
            missing_data="ignore",
        )
        return [
            self._graph("Stuck media per sweep", [found]),
            self._graph(
                "Stuck media handled",
                [
                    self._step_metric(service, f"_{outcome}", label=outcome)
                    for outcome in self._pipeline.stuck_media_outcomes
                ],
            ),
        ]

    def transcoding(self, transcode_queue_name: str) -> list[Widget]:
        """MediaConvert's own job counts, jobs that ended in ERROR or CANCELED (alarmed), and
        the state handler's p90 time."""
        state_service = self._pipeline.transcode_state_service
        failed = self._step_metric(state_service, f"_{self._pipeline.failed_outcome}")
        self._alarms.alarm(
            "MediaConvert",
            "job-errors",
            failed,
            threshold=self._thresholds.transcode_errors,
            description="MediaConvert jobs of this environment's queue ended in ERROR or were "
            "CANCELED (recovering a failed transcode: docs/runbooks.md).",
        )
        # MediaConvert's own job counts, found by the queue's name whatever form the Queue
        # dimension takes (name or ARN), one metric name per search so units never mix.
        jobs: list[Query] = [
            ExpressionSpec(
                f'SEARCH(\'{{AWS/MediaConvert,Queue}} MetricName="{metric}" '
                f"{transcode_queue_name}', 'Sum', 300)",
                metric,
            )
            for metric in ("JobsCompletedCount", "JobsErroredCount")
        ]
        return [
            self._graph("MediaConvert jobs (AWS/MediaConvert)", jobs),
            self._graph("Transcode jobs ended in ERROR or CANCELED", [failed]),
            self._graph(
                "Transcode state handling p90 (ms)",
                [self._step_metric(state_service, "Duration", statistic="p90")],
            ),
        ]

    def web(self, web: WebTier, instances: Mapping[str, str]) -> list[Widget]:
        """The site's load balancer: requests, 5xx (alarmed), response time, healthy and
        unhealthy hosts (alarmed); stand-alone instances' status checks (alarmed)."""
        balancer = {"LoadBalancer": web.load_balancer_full_name}
        targets = {"TargetGroup": web.target_group_full_name, **balancer}

        def alb(name: str, dims: Mapping[str, str], statistic: str = "Sum") -> MetricSpec:
            return MetricSpec("AWS/ApplicationELB", name, dims, statistic, name)

        elb_5xx = alb("HTTPCode_ELB_5XX_Count", balancer)
        target_5xx = alb("HTTPCode_Target_5XX_Count", balancer)
        self._alarms.alarm(
            "LoadBalancer",
            "5xx",
            ExpressionSpec(
                "FILL(elb, 0) + FILL(target, 0)",
                "5xx responses",
                {"elb": elb_5xx, "target": target_5xx},
            ),
            threshold=self._thresholds.load_balancer_5xx,
            description="The site answered 5xx (load balancer or instances).",
        )
        unhealthy = alb("UnHealthyHostCount", targets, statistic="Maximum")
        self._alarms.alarm(
            "WebTargets",
            "unhealthy",
            unhealthy,
            threshold=self._thresholds.unhealthy_hosts,
            description="Web instances failing the load balancer's health check.",
        )
        status_checks = []
        for name, instance_id in instances.items():
            failed = MetricSpec(
                "AWS/EC2", "StatusCheckFailed", {"InstanceId": instance_id}, "Maximum", name
            )
            self._alarms.alarm(
                name,
                "status-check",
                failed,
                threshold=self._thresholds.instance_status_checks,
                description=f"EC2 instance {name} fails its status checks (for a NAT instance: "
                "the private subnets have no way out; reboot it or deploy again to replace it).",
            )
            status_checks.append(failed)
        return [
            self._graph("Site requests", [alb("RequestCount", balancer)]),
            self._graph("Site 5xx", [elb_5xx, target_5xx]),
            self._graph("Site response time p90 (s)", [alb("TargetResponseTime", balancer, "p90")]),
            self._graph("Web hosts", [alb("HealthyHostCount", targets, "Minimum"), unhealthy]),
            self._graph("Instance status checks failed", status_checks),
        ]

    def distribution(self, name: str, distribution_id: str, *, alarm: bool) -> list[Widget]:
        """A CloudFront distribution's requests and error rates; its 5xx rate alarmed when
        ``alarm``."""
        dims = {"DistributionId": distribution_id, "Region": "Global"}

        def cdn(name: str, statistic: str) -> MetricSpec:
            return MetricSpec("AWS/CloudFront", name, dims, statistic, name, region="us-east-1")

        rate_5xx = cdn("5xxErrorRate", "Average")
        if alarm:
            self._alarms.alarm(
                name,
                "5xx-rate",
                rate_5xx,
                threshold=self._thresholds.cdn_5xx_rate_percent,
                description=f"{name}: 5xx responses as a percentage of its requests.",
            )
        return [
            self._graph(f"{name} requests", [cdn("Requests", "Sum")]),
            self._graph(f"{name} error rates (%)", [rate_5xx, cdn("4xxErrorRate", "Average")]),
        ]
