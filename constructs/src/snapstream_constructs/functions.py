"""A Lambda function with SnapStream's defaults and a role that holds only what it is given."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from snapstream_constructs.compliance import Pack, acknowledge

RUNTIME = lambda_.Runtime.PYTHON_3_14
TRACING_ACTIONS = ("xray:PutTraceSegments", "xray:PutTelemetryRecords")


def acknowledge_unscoped_actions(policy: iam.ManagedPolicy, *, reason: str) -> None:
    """AwsSolutions IAM5 ``Resource::*`` on ``policy``, for actions without resource-level
    permissions named in ``reason``."""
    acknowledge(
        policy, pack=Pack.AWS_SOLUTIONS, rule="IAM5", findings=["Resource::*"], reason=reason
    )


class FunctionTracing(Construct):
    """The customer-managed policy every function role attaches for X-Ray active tracing.

    ``xray:PutTraceSegments`` and ``xray:PutTelemetryRecords`` support no resource-level
    permissions, so the statement is on ``"*"``: written (and acknowledged) once here, not once
    in every function's own policy. :meth:`of_stack` is the one of a stack; a stack may pass
    another stack's (the environment's) to its functions instead.
    """

    ID = "FunctionTracing"

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.policy = iam.ManagedPolicy(
            self,
            "Policy",
            description="X-Ray active tracing, for every function role that attaches it",
            statements=[iam.PolicyStatement(actions=list(TRACING_ACTIONS), resources=["*"])],
        )
        acknowledge_unscoped_actions(
            self.policy,
            reason="Active tracing needs xray:PutTraceSegments and xray:PutTelemetryRecords, "
            "which support no resource-level permissions (AWS Service Authorization Reference); "
            "this policy holds nothing else.",
        )

    @classmethod
    def of_stack(cls, scope: Construct) -> FunctionTracing:
        """The stack's own, created with its first function."""
        stack = cdk.Stack.of(scope)
        found = stack.node.try_find_child(cls.ID)
        if isinstance(found, FunctionTracing):
            return found
        return cls(stack, cls.ID)


class PipelineFunction(Construct):
    """Python 3.14 on arm64, X-Ray active tracing, JSON logs into a KMS-encrypted log group with
    retention, reserved concurrency, and its own role.

    The role holds exactly one customer-managed policy of its own, plus the shared
    :class:`FunctionTracing` policy (``tracing``; by default its stack's), and nothing else: CDK's
    automatic grants are switched off (the function gets an immutable view of its role), so every
    permission is a statement written with :meth:`allow` and visible in one place of the template.
    An action without resource-level permissions needs ``unscoped_actions_reason``, the reason
    acknowledged for the policy's ``Resource::*``.

    Args:
        description: What the function does; also in its role's and policy's descriptions.
        handler: The handler, ``module.function`` inside ``code``.
        code: The function's code, e.g. ``lambda_.Code.from_asset("src")``.
        layers: Layers with its third-party dependencies (may be empty).
        environment: Environment variables (never secrets: pass a secret's ARN and read it at run
            time).
        encryption_key: The KMS key of the function's log group; its policy must admit CloudWatch
            Logs (:meth:`DataKey.allow_cloudwatch_logs`).
        log_retention: How long the function's logs are kept.
        reserved_concurrency: Concurrent executions reserved for it, and the most it may run; an SQS
            source's pollers never exceed it.
        memory_size: Memory in MB; default 256.
        timeout: Longest run of one invocation; default 30 seconds.
        invoked_by: Who invokes it synchronously (an event source mapping, CloudFormation), named in
            the reason acknowledging that it has no Lambda dead-letter queue; unused with
            ``async_dead_letter_queue``.
        async_dead_letter_queue: Where failed asynchronous invocations go (EventBridge targets,
            custom resources); the function may send to it and use its key.
        unscoped_actions_reason: Why the function's own policy grants actions on ``*`` (which
            actions, and that they have no resource-level permissions); only when it does.
        tracing: The shared X-Ray policy to attach; default the stack's own
            :class:`FunctionTracing`.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        description: str,
        handler: str,
        code: lambda_.Code,
        layers: Sequence[lambda_.ILayerVersion],
        environment: Mapping[str, str],
        encryption_key: kms.IKey,
        log_retention: logs.RetentionDays,
        reserved_concurrency: int,
        memory_size: int = 256,
        timeout: cdk.Duration | None = None,
        invoked_by: str = "an event source mapping",
        async_dead_letter_queue: sqs.IQueue | None = None,
        unscoped_actions_reason: str | None = None,
        tracing: FunctionTracing | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.reserved_concurrency = reserved_concurrency
        self.tracing = tracing or FunctionTracing.of_stack(self)
        self.log_group = logs.LogGroup(
            self,
            "Logs",
            retention=log_retention,
            encryption_key=encryption_key,
            removal_policy=cdk.RemovalPolicy.DESTROY,
        )
        self.policy = iam.ManagedPolicy(
            self, "Policy", description=f"Permissions of: {description}"
        )
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"Runs only: {description}",
            managed_policies=[self.policy, self.tracing.policy],
        )
        self.function = lambda_.Function(
            self,
            "Function",
            description=description,
            runtime=RUNTIME,
            architecture=lambda_.Architecture.ARM_64,
            handler=handler,
            code=code,
            layers=list(layers),
            role=self.role.without_policy_updates(),
            memory_size=memory_size,
            timeout=timeout or cdk.Duration.seconds(30),
            reserved_concurrent_executions=reserved_concurrency,
            tracing=lambda_.Tracing.ACTIVE,
            log_group=self.log_group,
            logging_format=lambda_.LoggingFormat.JSON,
            environment=dict(environment),
            dead_letter_queue=async_dead_letter_queue,
        )
        # CDK adds DependsOn: role, which the Role GetAtt already implies (cfn-lint W3005).
        cfn_function = self.function.node.default_child
        assert isinstance(cfn_function, lambda_.CfnFunction)
        cfn_function.add_deletion_override("DependsOn")
        self.allow(
            actions=["logs:CreateLogStream", "logs:PutLogEvents"],
            resources=[self.log_group.log_group_arn],
        )
        if async_dead_letter_queue is not None:
            self.allow(actions=["sqs:SendMessage"], resources=[async_dead_letter_queue.queue_arn])
            if async_dead_letter_queue.encryption_master_key is not None:
                self.allow(
                    actions=["kms:GenerateDataKey", "kms:Decrypt"],
                    resources=[async_dead_letter_queue.encryption_master_key.key_arn],
                )
        self._acknowledge_lambda_defaults(
            invoked_by,
            has_dead_letter_queue=async_dead_letter_queue is not None,
            unscoped_actions_reason=unscoped_actions_reason,
        )

    def allow(
        self,
        *,
        actions: Sequence[str],
        resources: Sequence[str],
        conditions: Mapping[str, object] | None = None,
    ) -> None:
        """Add one exact statement to the function's policy."""
        self.policy.add_statements(
            iam.PolicyStatement(
                actions=list(actions),
                resources=list(resources),
                conditions=dict(conditions) if conditions else None,
            )
        )

    def acknowledge_unscoped_actions(self, reason: str) -> None:
        """Say why the function's own policy grants actions on ``*`` (which, and why they have
        no resource-level permissions): AwsSolutions IAM5 ``Resource::*`` on that policy."""
        acknowledge_unscoped_actions(self.policy, reason=reason)

    def consume(
        self,
        queue: sqs.IQueue,
        *,
        batch_size: int = 10,
        max_batching_window: cdk.Duration | None = None,
    ) -> lambda_.EventSourceMapping:
        """Process ``queue`` in batches, reporting failed records so that only they are retried."""
        self.allow(
            actions=[
                "sqs:ReceiveMessage",
                "sqs:DeleteMessage",
                "sqs:ChangeMessageVisibility",
                "sqs:GetQueueAttributes",
            ],
            resources=[queue.queue_arn],
        )
        if queue.encryption_master_key is not None:
            self.allow(actions=["kms:Decrypt"], resources=[queue.encryption_master_key.key_arn])
        mapping = lambda_.EventSourceMapping(
            self,
            "QueueSource",
            target=self.function,
            event_source_arn=queue.queue_arn,
            batch_size=batch_size,
            max_batching_window=max_batching_window,
            report_batch_item_failures=True,
            # Pollers never outrun the reserved concurrency: no throttled invocations, and no
            # receive attempts spent on them (each counts towards the queue's redrive limit).
            max_concurrency=max(2, self.reserved_concurrency),
        )
        # The service checks the role can read the queue when it creates the mapping.
        mapping.node.add_dependency(self.policy)
        acknowledge(
            mapping,
            pack=Pack.SERVERLESS,
            rule="LambdaEventSourceMappingDestination",
            reason="On-failure destinations exist only for stream and Kafka sources; for an SQS "
            "source, records that keep failing move to the queue's own dead-letter queue "
            "(redrive policy), which is where nothing is lost.",
        )
        return mapping

    def _acknowledge_lambda_defaults(
        self, invoked_by: str, *, has_dead_letter_queue: bool, unscoped_actions_reason: str | None
    ) -> None:
        outside_vpc = (
            "The function calls only AWS service APIs, over TLS with IAM authentication, and "
            "reaches no private resource, so it runs outside a VPC; inside one it would need NAT "
            "or an interface endpoint per service it calls, for no added protection."
        )
        acknowledge(
            self.function, pack=Pack.NIST_800_53_R5, rule="LambdaInsideVPC", reason=outside_vpc
        )
        if unscoped_actions_reason:
            self.acknowledge_unscoped_actions(unscoped_actions_reason)
        if has_dead_letter_queue:
            return
        synchronous = (
            f"The function is invoked synchronously by {invoked_by}, never asynchronously: a "
            "failed event is retried by its source and then lands in the source's own dead-letter "
            "queue, so a Lambda DLQ or on-failure destination would never receive anything."
        )
        for pack, rule in ((Pack.NIST_800_53_R5, "LambdaDLQ"), (Pack.SERVERLESS, "LambdaDLQ")):
            acknowledge(self.function, pack=pack, rule=rule, reason=synchronous)
