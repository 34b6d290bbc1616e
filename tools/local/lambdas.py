"""What Lambda does around a handler, locally: the context object it passes, and the SQS event
source mapping's poller, which hands a queue's messages to a handler in batches.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3

from tools.local.aws import ACCOUNT, REGION, LocalResources


class LambdaContext:
    """The bits of a Lambda context Powertools reads (``function``: the function's name)."""

    memory_limit_in_mb = 256
    aws_request_id = "local"

    def __init__(self, function: str = "local-ingest") -> None:
        self.function_name = function
        self.invoked_function_arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{function}"


def sqs_event(messages: list[dict[str, Any]], queue_arn: str) -> dict[str, Any]:
    """The event Lambda's SQS poller passes for these received messages."""
    return {
        "Records": [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": m.get("Attributes", {}),
                "messageAttributes": {},
                "md5OfBody": m["MD5OfBody"],
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": REGION,
            }
            for m in messages
        ]
    }


def deliver_queue(
    url: str,
    arn: str,
    handler: Callable[[dict[str, Any]], Any],
    *,
    retry_after: int | None = None,
) -> list[dict[str, Any]]:
    """Hand a queue's messages to ``handler`` in batches as Lambda's SQS poller does, until it
    is empty; delete what it processed. Failed records stay for redelivery (partial batch
    responses), visible again after ``retry_after`` seconds (else the queue's own timeout)."""
    sqs = boto3.client("sqs")
    results: list[dict[str, Any]] = []
    while True:
        messages = sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"]
        ).get("Messages", [])
        if not messages:
            return results
        result = handler(sqs_event(messages, arn))
        results.append(result)
        failed = {f["itemIdentifier"] for f in result.get("batchItemFailures", [])}
        for message in messages:
            if message["MessageId"] not in failed:
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
            elif retry_after is not None:
                sqs.change_message_visibility(
                    QueueUrl=url,
                    ReceiptHandle=message["ReceiptHandle"],
                    VisibilityTimeout=retry_after,
                )


def deliver_ingest(resources: LocalResources) -> list[dict[str, Any]]:
    """Hand what S3 sent to the ingest queue to the ingest handler."""
    from snapstream_runtime.handlers import ingest as ingest_handler

    logical_id = resources.find("IngestQueue")
    return deliver_queue(
        resources.refs[logical_id],
        resources.arns[logical_id],
        lambda event: ingest_handler.handler(event, LambdaContext()),
    )
