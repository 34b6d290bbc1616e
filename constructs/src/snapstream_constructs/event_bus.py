"""The SnapStream event bus: an archive of every event and a dead-letter queue on every route."""

from __future__ import annotations

from collections.abc import Sequence

import aws_cdk as cdk
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from snapstream_constructs.queues import delivery_dead_letter_queue


class MediaEventBus(Construct):
    """A custom event bus whose events from ``sources`` are archived for replay.

    Events at rest are encrypted by EventBridge with an AWS-owned key. Every route has a
    dead-letter queue for the events EventBridge cannot deliver: the target's own when it has one
    (the function's asynchronous-invocation DLQ, the queue's redrive DLQ), so that each step keeps
    one queue of the events it never processed, whoever gave up on them; otherwise one of its own
    (SSE-SQS, which EventBridge can write without a key-policy grant). A target's own DLQ
    encrypted with a customer-managed key needs that key to admit ``events.amazonaws.com``
    (:meth:`DataKey.allow_service <snapstream_constructs.encryption.DataKey.allow_service>`).

    Args:
        sources: Event sources (the ``source`` of the events you put) whose events the archive
            keeps.
        archive_retention: How long archived events can be replayed.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        sources: Sequence[str],
        archive_retention: cdk.Duration,
    ) -> None:
        super().__init__(scope, construct_id)
        self.bus = events.EventBus(self, "Bus")
        self.archive = self.bus.archive(
            "Archive",
            description="Every SnapStream media event, for replay after a fix",
            event_pattern=events.EventPattern(source=list(sources)),
            retention=archive_retention,
        )

    def route(
        self,
        construct_id: str,
        *,
        event_pattern: events.EventPattern,
        function: lambda_.IFunction,
        description: str,
        on_default_bus: bool = False,
        max_event_age: cdk.Duration | None = None,
        retry_attempts: int = 8,
        scope: Construct | None = None,
    ) -> tuple[events.Rule, sqs.IQueue]:
        """Deliver matching events to ``function``; events it cannot take land in a DLQ: the
        function's own asynchronous-invocation DLQ when it has one, else a new one.

        ``on_default_bus`` routes AWS service events (MediaConvert, Transcribe job state changes),
        which arrive on the account's default bus, not on ours. ``scope`` is where the rule and
        its dead-letter queue are created (default: beside the bus); pass the function's stack
        when it is another one, so that the bus's stack never depends on its consumers.
        """
        scope = Construct(scope or self, construct_id)
        own = function.dead_letter_queue if isinstance(function, lambda_.Function) else None
        dlq = own or delivery_dead_letter_queue(
            scope, "DeadLetters", named_in="the rule target's DeadLetterConfig"
        )
        rule = events.Rule(
            scope,
            "Rule",
            description=description,
            event_bus=None if on_default_bus else self.bus,
            event_pattern=event_pattern,
            targets=[
                targets.LambdaFunction(
                    function,
                    dead_letter_queue=dlq,
                    retry_attempts=retry_attempts,
                    max_event_age=max_event_age or cdk.Duration.hours(24),
                )
            ],
        )
        return rule, dlq

    def route_to_queue(
        self,
        construct_id: str,
        *,
        event_pattern: events.EventPattern,
        queue: sqs.IQueue,
        description: str,
        scope: Construct | None = None,
    ) -> tuple[events.Rule, sqs.IQueue]:
        """Deliver matching events into ``queue`` (a buffer its consumer drains at its own pace);
        events EventBridge cannot deliver land in the queue's own dead-letter queue (with those
        its consumer gave up on: both are redriven into ``queue``), or in a new one."""
        holder = Construct(scope or self, construct_id)
        redrive = queue.dead_letter_queue if isinstance(queue, sqs.Queue) else None
        dlq = (redrive.queue if redrive else None) or delivery_dead_letter_queue(
            holder, "DeadLetters", named_in="the rule target's DeadLetterConfig"
        )
        rule = events.Rule(
            holder,
            "Rule",
            description=description,
            event_bus=self.bus,
            event_pattern=event_pattern,
            targets=[targets.SqsQueue(queue, dead_letter_queue=dlq, retry_attempts=8)],
        )
        return rule, dlq
