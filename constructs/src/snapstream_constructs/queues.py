"""SQS queues with SnapStream's defaults, and S3 -> SQS notifications without a custom resource."""

from __future__ import annotations

import weakref
from typing import TypeGuard

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sqs as sqs
from constructs import Construct, IConstruct

from snapstream_constructs.compliance import Pack, acknowledge
from snapstream_constructs.storage import bucket_arn_by_name

#: Every queue made by :func:`dead_letter_queue` (monitoring alarms on each one). Kept on the
#: Python side: reading construct metadata back through jsii costs a call per entry.
_DEAD_LETTER_QUEUES: weakref.WeakSet[sqs.Queue] = weakref.WeakSet()


def is_dead_letter_queue(construct: IConstruct) -> TypeGuard[sqs.Queue]:
    """Whether ``construct`` is a queue made by :func:`dead_letter_queue`."""
    return isinstance(construct, sqs.Queue) and construct in _DEAD_LETTER_QUEUES


class QueueWithDeadLetters(Construct):
    """A TLS-only queue whose messages move to a dead-letter queue after ``max_receive_count``
    failed receives (kept 14 days). Encrypted with ``encryption_key``, or SSE-SQS when None (for
    queues that AWS services such as EventBridge write to).

    Args:
        encryption_key: The KMS key of the queue and its dead-letter queue; None for SSE-SQS (for
            queues AWS services such as EventBridge write to without a key-policy grant).
        visibility_timeout: How long a received message stays invisible to other consumers: at least
            six times the consuming function's timeout.
        max_receive_count: Failed receives before a message moves to the dead-letter queue; default
            5.
        retention: How long the queue keeps a message; default 4 days (the dead-letter queue keeps
            14).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        encryption_key: kms.IKey | None,
        visibility_timeout: cdk.Duration,
        max_receive_count: int = 5,
        retention: cdk.Duration | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.dead_letter_queue = dead_letter_queue(
            self, "DeadLetters", encryption_key=encryption_key
        )
        self.queue = sqs.Queue(
            self,
            "Queue",
            encryption=sqs.QueueEncryption.KMS
            if encryption_key
            else sqs.QueueEncryption.SQS_MANAGED,
            encryption_master_key=encryption_key,
            data_key_reuse=cdk.Duration.hours(1),
            enforce_ssl=True,
            visibility_timeout=visibility_timeout,
            retention_period=retention or cdk.Duration.days(4),
            dead_letter_queue=sqs.DeadLetterQueue(
                queue=self.dead_letter_queue, max_receive_count=max_receive_count
            ),
        )


def dead_letter_queue(
    scope: Construct, construct_id: str, *, encryption_key: kms.IKey | None
) -> sqs.Queue:
    """A TLS-only dead-letter queue keeping messages for the SQS maximum, 14 days.

    Encrypted with ``encryption_key``, or with SQS-managed keys (SSE-SQS) when it is None: an
    EventBridge target's dead-letter queue is written by EventBridge itself, which a
    customer-managed key (possibly in another stack) would have to admit in its key policy.
    """
    queue = sqs.Queue(
        scope,
        construct_id,
        encryption=sqs.QueueEncryption.KMS if encryption_key else sqs.QueueEncryption.SQS_MANAGED,
        encryption_master_key=encryption_key,
        enforce_ssl=True,
        retention_period=cdk.Duration.days(14),
    )
    _DEAD_LETTER_QUEUES.add(queue)
    acknowledge(
        queue,
        pack=Pack.SERVERLESS,
        rule="SQSRedrivePolicy",
        reason="This queue is itself the dead-letter queue where failed messages end for an "
        "operator to inspect and redrive (runbook); a dead-letter queue of its own would only "
        "move them further from sight.",
    )
    return queue


def delivery_dead_letter_queue(scope: Construct, construct_id: str, *, named_in: str) -> sqs.Queue:
    """The SSE-SQS dead-letter queue of a delivery by an AWS service (an EventBridge rule target,
    an SNS subscription), which writes it itself."""
    queue = dead_letter_queue(scope, construct_id, encryption_key=None)
    acknowledge(
        queue,
        pack=Pack.AWS_SOLUTIONS,
        rule="SQS3",
        reason=f"This queue is the dead-letter queue named in {named_in}; cdk-nag recognises "
        "a dead-letter queue only when an SQS redrive policy or a Lambda function's "
        "DeadLetterConfig names it.",
    )
    return queue


def notify_queue_of_object_created(bucket: s3.Bucket, queue: sqs.Queue, *, key_prefix: str) -> None:
    """Send ``bucket``'s ObjectCreated events under ``key_prefix`` to ``queue``.

    CDK's ``add_event_notification`` deploys a Lambda-backed custom resource to dodge a
    dependency cycle. Here the notification is a plain bucket property instead, and the bucket
    waits for the queue policy, which admits S3 only for this bucket (``aws:SourceArn``) in this
    account (``aws:SourceAccount``). A reference to the bucket in that policy would close the
    cycle (bucket -> policy -> bucket), so the bucket must have a name fixed at synthesis
    (:func:`~snapstream_constructs.storage.account_bucket_name`) and the condition names its ARN
    from the same pieces. Bucket and queue must share a stack.
    """
    if cdk.Stack.of(bucket) is not cdk.Stack.of(queue):
        raise ValueError("the bucket and the queue must be in the same stack")
    queue.add_to_resource_policy(
        iam.PolicyStatement(
            sid="AllowS3ObjectCreatedNotifications",
            principals=[iam.ServicePrincipal("s3.amazonaws.com")],
            actions=["sqs:SendMessage"],
            resources=[queue.queue_arn],
            conditions={
                "ArnEquals": {"aws:SourceArn": bucket_arn_by_name(bucket)},
                "StringEquals": {"aws:SourceAccount": cdk.Aws.ACCOUNT_ID},
            },
        )
    )
    cfn_bucket = bucket.node.default_child
    assert isinstance(cfn_bucket, s3.CfnBucket)
    cfn_bucket.notification_configuration = s3.CfnBucket.NotificationConfigurationProperty(
        queue_configurations=[
            s3.CfnBucket.QueueConfigurationProperty(
                event="s3:ObjectCreated:*",
                queue=queue.queue_arn,
                filter=s3.CfnBucket.NotificationFilterProperty(
                    s3_key=s3.CfnBucket.S3KeyFilterProperty(
                        rules=[s3.CfnBucket.FilterRuleProperty(name="prefix", value=key_prefix)]
                    )
                ),
            )
        ]
    )
    policy = queue.node.try_find_child("Policy")
    assert policy is not None, "the queue policy was not created"
    cfn_bucket.node.add_dependency(policy)
