"""The stuck-media sweeper of one environment's Pipeline stack: a function on an EventBridge
schedule that reads the table's sparse index of media in flight (GSI3) and re-drives, then
fails, the media that sat too long in ``uploaded`` or ``processing``, and sends a ``deleting``
media's deletion message again (docs/operations.md; docs/runbooks.md, stuck media).

Its role holds the pipeline functions' media grants (read and move media records, notify their
owners), a Query on GSI3's ``WATCH#`` partitions only, ``events:PutEvents`` on the SnapStream bus
and ``sqs:SendMessage`` on the deletion queue; nothing else.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import aws_cdk as cdk
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from constructs import Construct

from snapstream_constructs.tables import WATCH_INDEX
from snapstream_runtime import keys
from stacks.pipeline.functions import pipeline_function
from stacks.runtime_contract import contract

if TYPE_CHECKING:
    from stacks.pipeline_stack import PipelineStack

SERVICE = "stuck-media"
TIMEOUT = cdk.Duration.minutes(5)


class StuckMedia:
    """Adds the sweeper and its schedule to ``stack`` (a PipelineStack with its deletion queue)."""

    def __init__(self, stack: PipelineStack) -> None:
        config, data = stack.config, stack.data
        bus = data.event_bus.bus
        deadlines = {s: m * 60 for s, m in config.stuck_deadlines_minutes.items()}
        # The pipeline functions' own shape: media grants, notifications, the data key.
        self.function = pipeline_function(
            stack,
            "StuckMedia",
            description="Re-drives, then fails, media stuck in uploaded or processing; "
            "re-sends stuck deletions",
            handler=contract.STUCK_MEDIA_HANDLER,
            service=SERVICE,
            environment={
                contract.ENV_EVENT_BUS: bus.event_bus_name,
                contract.ENV_UPLOADS_BUCKET: data.uploads.bucket_name,
                contract.ENV_STUCK_DEADLINES: json.dumps(deadlines, sort_keys=True),
            },
            # One sweep at a time: a retry never overlaps the next scheduled sweep.
            reserved_concurrency=1,
            timeout=TIMEOUT,
            asynchronous=True,
            invoked_by="an EventBridge schedule",
        )
        self.function.allow(
            actions=["dynamodb:Query"],
            resources=[f"{data.table.table_arn}/index/{WATCH_INDEX}"],
            conditions={
                "ForAllValues:StringLike": {"dynamodb:LeadingKeys": [keys.watch_index_pk("*")]}
            },
        )
        self.function.allow(actions=["events:PutEvents"], resources=[bus.event_bus_arn])
        stack.deletion.allow_send(self.function)
        every = cdk.Duration.minutes(config.stuck_sweep_minutes)
        holder = Construct(stack, "StuckMediaSchedule")
        self.rule = events.Rule(
            holder,
            "Rule",
            description=f"Sweeps for stuck media every {config.stuck_sweep_minutes} minutes",
            schedule=events.Schedule.rate(every),
            targets=[
                targets.LambdaFunction(
                    self.function.function,
                    # the function's own dead-letter queue: one place for every failed sweep
                    dead_letter_queue=self.function.function.dead_letter_queue,
                    retry_attempts=8,
                    # A sweep the next one would repeat is not worth delivering late.
                    max_event_age=every,
                )
            ],
        )
