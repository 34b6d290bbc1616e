"""PipelineFunction alone: consuming a queue, or invoked asynchronously with a dead-letter queue;
its role holds its own policy and the stack's shared tracing policy, nothing else."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tests.cdk_support import only_resource, resources_of_type
from tests.constructs.bare_stacks import Templates, bare_stack
from tests.constructs.builders import data_key, inline_function

if TYPE_CHECKING:
    import aws_cdk as cdk


@bare_stack("FunctionAlone")
def _function_alone(stack: cdk.Stack) -> None:
    import aws_cdk as cdk

    from snapstream_constructs import QueueWithDeadLetters

    key = data_key(stack)
    queue = QueueWithDeadLetters(
        stack, "Work", encryption_key=key.key, visibility_timeout=cdk.Duration.seconds(180)
    )
    consumer = inline_function(stack, "Consumer", key.key, reserved_concurrency=1)
    consumer.consume(queue.queue, batch_size=5)


@bare_stack("AsyncFunctionAlone")
def _async_function_alone(stack: cdk.Stack) -> None:
    """A function invoked asynchronously, its failures in an encrypted dead-letter queue."""
    import aws_cdk as cdk

    from snapstream_constructs import dead_letter_queue

    key = data_key(stack)
    inline_function(
        stack,
        "Worker",
        key.key,
        reserved_concurrency=2,
        memory_size=512,
        timeout=cdk.Duration.seconds(90),
        async_dead_letter_queue=dead_letter_queue(stack, "Failures", encryption_key=key.key),
    )


@bare_stack("TracedFunctionsAlone")
def _traced_functions_alone(stack: cdk.Stack) -> None:
    """Two functions in one stack: one tracing policy for both."""

    key = data_key(stack)
    for construct_id in ("First", "Second"):
        inline_function(stack, construct_id, key.key, reserved_concurrency=1, invoked_by="a test")


def _policy(template: dict[str, Any], prefix: str) -> list[dict[str, Any]]:
    [policy] = [
        p["Properties"]["PolicyDocument"]
        for lid, p in resources_of_type(template, "AWS::IAM::ManagedPolicy").items()
        if lid.startswith(prefix)
    ]
    statements: list[dict[str, Any]] = policy["Statement"]
    return statements


def _actions(statement: dict[str, Any]) -> list[str]:
    action = statement["Action"]
    return [action] if isinstance(action, str) else list(action)


def test_async_function_sends_failures_to_its_dead_letter_queue(
    bare_templates: Templates,
) -> None:
    template = bare_templates["AsyncFunctionAlone"]
    function = only_resource(template, "AWS::Lambda::Function")["Properties"]
    assert "DeadLetterConfig" in function
    [policy] = [
        p["Properties"]["PolicyDocument"]
        for lid, p in resources_of_type(template, "AWS::IAM::ManagedPolicy").items()
        if lid.startswith("WorkerPolicy")
    ]
    actions = {
        a
        for s in policy["Statement"]
        for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
    }
    assert "sqs:SendMessage" in actions


def test_function_alone_consumes_a_queue(
    bare_templates: Templates,
) -> None:
    template = bare_templates["FunctionAlone"]
    mapping = only_resource(template, "AWS::Lambda::EventSourceMapping")["Properties"]
    assert mapping["BatchSize"] == 5
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    function = only_resource(template, "AWS::Lambda::Function")["Properties"]
    assert function["Runtime"] == "python3.14"
    assert function["ReservedConcurrentExecutions"] == 1
    assert "DependsOn" not in only_resource(template, "AWS::Lambda::Function")


def test_a_consumer_reads_and_decrypts_its_queue_after_its_policy_exists(
    bare_templates: Templates,
) -> None:
    template = bare_templates["FunctionAlone"]
    mapping = only_resource(template, "AWS::Lambda::EventSourceMapping")
    # Pollers never outrun the reserved concurrency (SQS allows no fewer than 2).
    assert mapping["Properties"]["ScalingConfig"] == {"MaximumConcurrency": 2}
    [policy_id] = [
        lid
        for lid in resources_of_type(template, "AWS::IAM::ManagedPolicy")
        if lid.startswith("ConsumerPolicy")
    ]
    assert policy_id in mapping["DependsOn"]
    actions = {a for s in _policy(template, "ConsumerPolicy") for a in _actions(s)}
    assert {
        "sqs:ReceiveMessage",
        "sqs:DeleteMessage",
        "sqs:ChangeMessageVisibility",
        "sqs:GetQueueAttributes",
        "kms:Decrypt",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
    } == actions


def test_functions_of_a_stack_share_its_tracing_policy(bare_templates: Templates) -> None:
    template = bare_templates["TracedFunctionsAlone"]
    [tracing_id] = [
        lid
        for lid in resources_of_type(template, "AWS::IAM::ManagedPolicy")
        if lid.startswith("FunctionTracing")
    ]
    [tracing] = _policy(template, "FunctionTracing")
    assert (tracing["Resource"], sorted(_actions(tracing))) == (
        "*",
        ["xray:PutTelemetryRecords", "xray:PutTraceSegments"],
    )
    roles = resources_of_type(template, "AWS::IAM::Role")
    assert len(roles) == 2
    for role_id, role in roles.items():
        own = role_id.removesuffix(role_id[-8:]).removesuffix("Role") + "Policy"
        attached = role["Properties"]["ManagedPolicyArns"]
        assert len(attached) == 2
        assert {"Ref": tracing_id} in attached
        assert any(a["Ref"].startswith(own) for a in attached if a != {"Ref": tracing_id})
        assert "Policies" not in role["Properties"]  # no inline policy: every grant is visible


def test_an_asynchronous_function_runs_as_configured_and_may_use_its_queues_key(
    bare_templates: Templates,
) -> None:
    template = bare_templates["AsyncFunctionAlone"]
    props = only_resource(template, "AWS::Lambda::Function")["Properties"]
    assert (props["MemorySize"], props["Timeout"]) == (512, 90)
    assert props["Architectures"] == ["arm64"]
    assert props["TracingConfig"] == {"Mode": "Active"}
    assert props["LoggingConfig"]["LogFormat"] == "JSON"
    statements = _policy(template, "WorkerPolicy")
    [key_use] = [s for s in statements if "kms:GenerateDataKey" in _actions(s)]
    assert sorted(_actions(key_use)) == ["kms:Decrypt", "kms:GenerateDataKey"]
    assert key_use["Resource"]["Fn::GetAtt"][0].startswith("Key")
