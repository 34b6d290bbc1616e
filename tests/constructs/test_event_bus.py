"""MediaEventBus alone: an archive of its sources' events, and a dead-letter queue on every
route (the target's own when it has one)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tests.cdk_support import only_resource, resources_of_type
from tests.constructs.bare_stacks import Templates, bare_stack
from tests.constructs.builders import data_key, inline_function

if TYPE_CHECKING:
    import aws_cdk as cdk


@bare_stack("BusAlone")
def _bus_alone(stack: cdk.Stack) -> None:
    import aws_cdk as cdk
    from aws_cdk import aws_events as events

    from snapstream_constructs import MediaEventBus, dead_letter_queue

    key = data_key(stack)
    key.allow_service("events.amazonaws.com")  # the route's DLQ is the function's
    bus = MediaEventBus(
        stack, "Bus", sources=["test.source"], archive_retention=cdk.Duration.days(7)
    )
    failures = dead_letter_queue(stack, "FunctionFailures", encryption_key=key.key)
    function = inline_function(
        stack, "Worker", key.key, async_dead_letter_queue=failures, reserved_concurrency=2
    )
    bus.route(
        "Uploaded",
        event_pattern=events.EventPattern(source=["test.source"], detail_type=["Uploaded"]),
        function=function.function,
        description="test route",
    )


@bare_stack("BusRoutesAlone")
def _bus_routes_alone(stack: cdk.Stack) -> None:
    """A route to a function without a dead-letter queue of its own (on the default bus), and
    one into a queue."""
    import aws_cdk as cdk
    from aws_cdk import aws_events as events

    from snapstream_constructs import MediaEventBus, QueueWithDeadLetters

    key = data_key(stack)
    bus = MediaEventBus(
        stack, "Bus", sources=["test.source"], archive_retention=cdk.Duration.days(1)
    )
    handler = inline_function(
        stack,
        "JobState",
        key.key,
        reserved_concurrency=2,
        invoked_by="EventBridge, whose rule keeps what it cannot deliver",
    )
    bus.route(
        "JobStateChanged",
        event_pattern=events.EventPattern(source=["aws.mediaconvert"]),
        function=handler.function,
        description="MediaConvert job states",
        on_default_bus=True,
        max_event_age=cdk.Duration.hours(2),
        retry_attempts=3,
    )
    buffer = QueueWithDeadLetters(
        stack, "Buffer", encryption_key=None, visibility_timeout=cdk.Duration.minutes(1)
    )
    bus.route_to_queue(
        "Buffered",
        event_pattern=events.EventPattern(source=["test.source"], detail_type=["Analyze"]),
        queue=buffer.queue,
        description="into the buffer",
    )


def test_event_bus_alone_routes_with_a_dead_letter_queue(
    bare_templates: Templates,
) -> None:
    """Events EventBridge cannot deliver land in the function's own dead-letter queue, beside
    those the function failed: one queue per step of everything it never processed."""
    template = bare_templates["BusAlone"]
    rule = only_resource(template, "AWS::Events::Rule")["Properties"]
    [target] = rule["Targets"]
    dlq_id = target["DeadLetterConfig"]["Arn"]["Fn::GetAtt"][0]
    function = only_resource(template, "AWS::Lambda::Function")["Properties"]
    assert function["DeadLetterConfig"]["TargetArn"] == {"Fn::GetAtt": [dlq_id, "Arn"]}
    assert len(resources_of_type(template, "AWS::SQS::Queue")) == 1
    dlq = template["Resources"][dlq_id]["Properties"]
    assert "KmsMasterKeyId" in dlq  # the key admits events.amazonaws.com of this account
    [dlq_policy] = [
        p
        for p in resources_of_type(template, "AWS::SQS::QueuePolicy").values()
        if p["Properties"]["Queues"] == [{"Ref": dlq_id}]
    ]
    statements = dlq_policy["Properties"]["PolicyDocument"]["Statement"]
    assert any(s.get("Principal") == {"Service": "events.amazonaws.com"} for s in statements)
    assert target["RetryPolicy"] == {"MaximumEventAgeInSeconds": 86400, "MaximumRetryAttempts": 8}
    assert rule["EventPattern"] == {"source": ["test.source"], "detail-type": ["Uploaded"]}
    archive = only_resource(template, "AWS::Events::Archive")["Properties"]
    assert archive["RetentionDays"] == 7


def test_a_function_without_its_own_dead_letter_queue_gets_one_from_its_route(
    bare_templates: Templates,
) -> None:
    template = bare_templates["BusRoutesAlone"]
    rule = _rule(template, "BusJobStateChanged")
    assert "EventBusName" not in rule  # the account's default bus: AWS service events
    [target] = rule["Targets"]
    assert target["RetryPolicy"] == {"MaximumEventAgeInSeconds": 7200, "MaximumRetryAttempts": 3}
    dlq_id = target["DeadLetterConfig"]["Arn"]["Fn::GetAtt"][0]
    assert dlq_id.startswith("BusJobStateChangedDeadLetters")
    dlq = template["Resources"][dlq_id]["Properties"]
    # EventBridge writes it itself: SSE-SQS, no key policy to admit it.
    assert dlq["SqsManagedSseEnabled"] is True
    assert dlq["MessageRetentionPeriod"] == 14 * 24 * 3600


def test_a_queue_route_keeps_undeliverable_events_in_the_queues_own_dead_letter_queue(
    bare_templates: Templates,
) -> None:
    template = bare_templates["BusRoutesAlone"]
    rule = _rule(template, "BusBuffered")
    assert rule["EventBusName"] == {"Ref": _only_bus(template)}
    [target] = rule["Targets"]
    buffer = [
        (lid, q["Properties"])
        for lid, q in resources_of_type(template, "AWS::SQS::Queue").items()
        if lid.startswith("BufferQueue")
    ]
    [(queue_id, queue)] = buffer
    assert target["Arn"] == {"Fn::GetAtt": [queue_id, "Arn"]}
    # The same dead-letter queue the buffer's consumer gives up into: both are redriven there.
    assert target["DeadLetterConfig"]["Arn"] == queue["RedrivePolicy"]["deadLetterTargetArn"]
    assert target["RetryPolicy"]["MaximumRetryAttempts"] == 8


def _only_bus(template: dict[str, Any]) -> str:
    [bus_id] = resources_of_type(template, "AWS::Events::EventBus")
    return bus_id


def _rule(template: dict[str, Any], id_prefix: str) -> dict[str, Any]:
    """The properties of the one rule whose logical id starts with ``id_prefix``."""
    [rule] = [
        r["Properties"]
        for lid, r in resources_of_type(template, "AWS::Events::Rule").items()
        if lid.startswith(id_prefix)
    ]
    return dict(rule)
